package dsn

import "strings"

// vacationSubjects are subject prefixes and phrases of auto-replies.
var vacationSubjects = []string{
	"auto:", "auto-reply", "autoreply", "auto reply", "automatic reply", "automatische antwort",
	"out of office", "out of the office", "away from", "away until", "on vacation", "vacation",
	"abwesenheit", "absence", "réponse automatique", "respuesta automática", "risposta automatica",
	"自動応答", "自动回复", "不在",
}

// autoreply recognises an RFC 3834 auto-reply or vacation notice and adds
// one record for its sender.
func (p *parser) autoreply() bool {
	h := p.outer
	as := strings.ToLower(h.get("Auto-Submitted"))
	prec := strings.ToLower(h.get("Precedence"))
	subj := strings.ToLower(p.rep.Message.Subject)
	switch {
	case strings.HasPrefix(as, "auto-replied"):
	case h.has("X-Autoreply") || h.has("X-Autorespond") || h.has("X-Auto-Response-Suppress") && hasAny(subj, vacationSubjects):
	case strings.Contains(prec, "auto_reply") || strings.Contains(prec, "auto-reply"):
	case hasAny(subj, vacationSubjects) && (prec == "bulk" || prec == "junk" || strings.HasPrefix(as, "auto-")):
	case hasPrefixAny(subj, autoreplyPrefixes):
	default:
		return false
	}
	p.rep.Recipients = append(p.rep.Recipients, Recipient{FinalRecipient: p.rep.Message.From, Action: "autoreply"})
	return true
}

// autoreplyPrefixes are subject prefixes only auto-replies use.
var autoreplyPrefixes = []string{
	"auto reply", "auto-reply", "autoreply", "automatic reply", "auto:", "out of office",
	"réponse automatique", "automatische antwort", "abwesenheitsnotiz", "respuesta automática",
}

// hasPrefixAny reports whether s starts with any of the prefixes.
func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// hasAny reports whether s contains any of the words.
func hasAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// bounceSenders are local parts of the addresses bounces come from.
var bounceSenders = []string{"mailer-daemon", "postmaster", "post_master", "mail-daemon", "mailerdaemon", "mdaemon", "mail delivery", "maildelivery"}

// bounceSubjects are subject phrases of delivery failure notices.
var bounceSubjects = []string{
	"undeliver", "undelivered mail", "delivery status notification", "delivery failure",
	"delivery failed", "mail delivery failed", "failure notice", "returned mail",
	"delivery notification", "mail system error", "could not send", "nondeliverable",
	"non-deliverable", "non delivery", "non-delivery", "delivery problem", "mail could not be delivered",
	"message not delivered", "undeliverable", "delivery report", "returned to sender",
	"unzustellbar", "nicht zustellbar", "non remis", "non distribuable", "no se puede entregar",
	"não entregue", "non recapitabile", "onbestelbaar", "warning: could not", "delayed mail",
	"delivery delayed", "unable to deliver", "failed delivery", "未送達", "配信エラー", "配送エラー", "メールエラー", "mail error",
	"returning to sender", // QUIRK: Smail 3's "mail failed, returning to sender"
	"failed mail",         // QUIRK: LLNL's Sendmail, "FAILED MAIL to "user" regarding ..."
}

// looksLikeBounceHeader reports whether a header block belongs to a
// delivery failure notice.
func looksLikeBounceHeader(h header) bool {
	from := strings.ToLower(h.get("From"))
	if hasAny(from, bounceSenders) {
		return true
	}
	subj := strings.ToLower(decodeHeader(h.get("Subject")))
	return hasAny(subj, bounceSubjects)
}
