package dsn

import (
	"strings"
)

// retryWords in a temporary reply say it is no verdict yet.
var retryWords = []string{"temporar", "try again", "try later", "retry", "in progress"}

// rcptMarkers are the ways diagnostics name RCPT TO as the command a reply
// answered, for when the parser found no command.
var rcptMarkers = []string{
	"rcpt to",                    // Postfix "in reply to RCPT TO command", Exim "after RCPT TO:", dma "did not like our RCPT TO"
	"after rcpt",                 // GMX "SMTP error from remote server after RCPT command"
	"smtp:rcpt",                  // "Technical details: SMTP:RCPT host ..."
	"[rcpt_to]",                  // Yahoo "... [RCPT_TO]"
	"does not like recipient",    // qmail-remote: the RCPT reply was a failure
	"recipient address rejected", // Postfix's recipient restrictions and Exchange's DBEB answer RCPT TO only
}

// dataMarkers name the message data as what a reply answered.
var dataMarkers = []string{
	"end of data", // Postfix "in reply to end of DATA command", Exim "after end of data"
	">>> data",    // Sendmail transcripts
}

// saysAny reports whether a normalized diagnostic contains one of markers.
func saysAny(text string, markers []string) bool {
	for _, m := range markers {
		if strings.Contains(text, m) {
			return true
		}
	}
	return false
}

// echoesRecipient reports whether a normalized reply starts by naming the
// record's recipient, "550 <a@example.org>: user unknown" (Postfix) or "550
// 5.1.1 <a@example.org>... user unknown" (Sendmail): the shape of a reply to
// RCPT TO, which names one address, where a reply to DATA speaks of the
// message. An address other than the recipient's (our envelope sender, at
// MAIL FROM) is no witness. normalizeDiagnostic has already dropped a
// "550 5.1.1" prefix.
func echoesRecipient(d string, r *Recipient) bool {
	d = strings.TrimPrefix(d, "<<< ") // a Sendmail transcript line
	d = strings.TrimLeft(d, ": #")
	if len(d) >= 4 && isReplyCode(d[:3]) {
		d = strings.TrimLeft(d[3:], ": -")
		d = strings.TrimLeft(d[statusLen(d):], " ")
	}
	if !strings.HasPrefix(d, "<") {
		return false
	}
	end := strings.IndexByte(d, '>')
	if end < 0 || !strings.Contains(d[:end], "@") {
		return false
	}
	if rest := d[end+1:]; !strings.HasPrefix(rest, ":") && !strings.HasPrefix(rest, "...") {
		return false
	}
	addr := d[1:end]
	if r.FinalRecipient == "" && r.OriginalRecipient == "" {
		return true
	}
	return strings.EqualFold(addr, r.FinalRecipient) || strings.EqualFold(addr, r.OriginalRecipient)
}

// withoutRelayLabel drops the label a relaying service appended to the
// remote server's reply ("550 5.7.1 <a@b>... Access denied (5.1.0 -
// Unknown address error; delivery attempts: 0)", sesRemoteFirst's form of
// Amazon SES's diagnostic): the label is the relay's guess, the reply is
// the receiver's words, and only those are classified. The record keeps
// the whole diagnostic.
func withoutRelayLabel(d string) string {
	i := strings.LastIndex(d, " (")
	if i < 0 || !strings.HasSuffix(d, ")") || statusAt(d, 0) == "" && replyCodeAt(d, 0) == "" {
		return d
	}
	st := statusAt(d, i+2)
	if st == "" || !strings.HasPrefix(d[i+2+len(st):], " - ") {
		return d
	}
	return d[:i]
}

// mappedStatus reports whether the record's X.1.1 status cannot be the
// receiver's: the diagnostic is an SMTP reply with a code but no enhanced
// status code of its own, so the reporting MTA derived the status from the
// reply code.
func (f *facts) mappedStatus() bool {
	d := withoutRelayLabel(f.r.Diagnostic)
	if !strings.HasSuffix(f.code, ".1.1") || replyCodeAt(d, 0) == "" {
		return false
	}
	return statusAfterReply(d) == "" && findStatus(d) == ""
}

// namesUnknownRecipient reports whether a normalized text says "unknown
// user: <address>" (or "user unknown: ...", "no such user (...)") of the
// record's own recipient, the way a final host's user lookup reports it
// (IMail "Unknown user: kijitora@example.com", Barracuda "550 No such user
// (a@example.com)"). A gateway refusing message content speaks of the
// message, not of one named address; with a status other than X.0.x the
// status decides instead.
func namesUnknownRecipient(d string, r *Recipient) bool {
	for _, p := range []string{"unknown user: ", "user unknown: ", "no such user: ", "no such user (", "user unknown (", "unknown user ("} {
		i := strings.Index(d, p)
		if i < 0 {
			continue
		}
		addr := d[i+len(p):]
		if end := strings.IndexAny(addr, " ,;"); end >= 0 {
			addr = addr[:end]
		}
		addr = strings.TrimRight(strings.Trim(addr, "<>"), ".)")
		if addr != "" && strings.Contains(addr, "@") &&
			(strings.EqualFold(addr, r.FinalRecipient) || strings.EqualFold(addr, r.OriginalRecipient)) {
			return true
		}
	}
	return false
}

// aboutAddress reports whether a reason says an address is dead (the
// reasons that are hard).
func aboutAddress(reason Reason) bool {
	switch reason {
	case ReasonUserUnknown, ReasonHostUnknown, ReasonHasMoved, ReasonNotAccept:
		return true
	}
	return false
}

// senderWords, written shortly before a verdict ("Sender domain not found",
// "Mail from unknown domain", "Your domain name does not exist"), make it a
// verdict on our envelope sender; hostWords make it one on our host ("HELO
// domain does not exist").
var (
	senderWords = []string{"sender", "mail from", "mail-from", "mailfrom", "envelope from", "from address",
		"from domain", "from header", "return-path", "return path", "your domain", "your email address", "your address",
		"absender", "expediteur", "expéditeur", "emetteur", "émetteur", "remitente", "mittente"}
	hostWords = []string{"helo", "ehlo", "client host", "your host", "your server", "your ip", "your mail server",
		"client ip", "ip address", "sending host", "sending ip", "sending server", "connecting ip", "connecting host"}
)

// senderTails, right after a verdict ("Unknown host in HELO", "NXDOMAIN
// for sender domain", "Unknown domain in sender address"), do the same.
var (
	senderTails = []string{"in sender", "in the sender", "in mail from", "in envelope from", "in envelope sender", "in from", "of sender",
		"of the sender", "for sender", "for the sender", "in your sender", "in return-path"}
	hostTails = []string{"in helo", "in ehlo", "in the helo", "in your helo", "for helo", "of helo"}
)

// ourSideWindow is how far before a verdict the words naming our side are
// looked for: the verdict's own sentence, not a quoted header further on.
const ourSideWindow = 60

// allowListTails, right after a verdict ("address not found in allowed
// list", "not listed in our whitelist"), make it an allow-list lookup: the
// recipient's (or the receiver's) filter, not its directory.
var allowListTails = []string{"in allowed", "in the allowed", "in our allowed", "in approved", "in the approved",
	"in our approved", "in whitelist", "in the whitelist", "in our whitelist", "in allowlist", "in the allowlist",
	"in our allowlist", "in permitted", "in the list of allowed"}

// verdictOnOthers returns ReasonRejected when the text's recipient verdict
// for reason speaks of our envelope sender, ReasonBlocked when it speaks of
// our host, ReasonFiltered when it is an allow-list lookup, and ""
// otherwise. When the status code, not the words, gave the verdict, the
// reply's opening words are read instead.
func (f *facts) verdictOnOthers(reason Reason) Reason {
	start, end := textVerdict(f.words, reason)
	var before, after string
	if start < 0 {
		// The status gave the verdict ("550 5.1.0 Sender denied"): the
		// reply's opening words say whose address it is.
		before = f.words[:min(len(f.words), 2*ourSideWindow)]
	} else {
		before = f.words[max(0, start-ourSideWindow):start]
		after = strings.TrimLeft(f.words[end:], " :,;-")
	}
	// The verdict phrase may itself run on ("unknown host" + "name"): look
	// at the next few words for the tail.
	if len(after) > 24 {
		after = after[:24]
	}
	switch {
	case saysAny(before, hostWords) || hasTail(after, hostTails):
		return ReasonBlocked
	case saysAny(before, senderWords) || hasTail(after, senderTails):
		return ReasonRejected
	case hasTail(after, allowListTails):
		return ReasonFiltered
	case reason == ReasonNotAccept && strings.HasPrefix(after, "from "):
		// "does not accept mail from your domain": a refusal of one sender
		// (the recipient's filter), or "from your IP" of our host, not a
		// domain that takes no mail.
		if saysAny(after, hostWords) {
			return ReasonBlocked
		}
		return ReasonFiltered
	}
	return ""
}

// hasTail reports whether s contains one of tails at a word start.
func hasTail(s string, tails []string) bool {
	for _, t := range tails {
		if i := strings.Index(s, t); i == 0 || i > 0 && !isWordByte(s[i-1]) {
			return true
		}
	}
	return false
}

// aboutRecipient reports whether a reason describes the recipient's address.
func aboutRecipient(reason Reason) bool {
	switch reason {
	case ReasonUserUnknown, ReasonHostUnknown, ReasonHasMoved, ReasonNotAccept, ReasonFiltered:
		return true
	}
	return false
}

// aboutMailbox reports whether a reason describes one mailbox, which a
// server cannot know before an address is named.
func aboutMailbox(reason Reason) bool {
	switch reason {
	case ReasonUserUnknown, ReasonHasMoved, ReasonFiltered, ReasonMailboxFull, ReasonSuspend:
		return true
	}
	return false
}

// subject is the subject digit(s) of a status code: "1" for 5.1.1.
func subject(code string) string {
	if len(code) < 5 {
		return ""
	}
	sub, _, _ := strings.Cut(code[2:], ".")
	return sub
}

// generic reports whether a reason says little beyond "it failed".
func generic(reason Reason) bool {
	switch reason {
	case ReasonOnHold, ReasonUndefined, ReasonSecurityError, ReasonSystemError,
		ReasonUserUnknown, ReasonFiltered, ReasonRejected, ReasonBlocked, ReasonSyntaxError:
		return true
	}
	return false
}

// localUnknownWords are how local delivery agents say the user does not
// exist (Exim "Unknown user", Postfix "unknown user: ...", qmail "This
// address no longer accepts mail."), normalized.
var localUnknownWords = []string{"unknown user", "user unknown", "no such user", "no longer accepts mail", "no longer a valid address", "nosuchuser"}

// localRefusal reports whether the host that wrote the notice refused its
// own local user: no remote server took part (no Remote-MTA, no SMTP reply
// in the diagnostic) and the recipient's domain is that host or a domain
// above it (MAILER-DAEMON@mx.example.com on kim@mx.example.com or
// kim@example.com). Exim's, Postfix's and qmail's local delivery say
// "Unknown user" so; the server that owns the mailbox is the second
// witness.
func (f *facts) localRefusal() bool {
	if f.localHost == "" || !saysAny(f.words, localUnknownWords) || f.r.RemoteMTA != "" || replyCodeAt(f.r.Diagnostic, 0) != "" || findReplyCode(f.r.Diagnostic) != "" {
		return false
	}
	d := strings.ToLower(domainOf(f.r.FinalRecipient))
	return d != "" && (d == f.localHost || strings.HasSuffix(f.localHost, "."+d))
}

// localVerdict reports whether the reporting MTA gave a user-unknown
// verdict of its own: a Diagnostic-Code of type X-LOCAL (QUIRK: MMDF-style
// MTAs, "X-LOCAL; 500 (err.nosuchuser)") is the reporting MTA's local
// delivery or directory answer, not a remote server's reply, and no remote
// server took part. The host that owns the mailbox is the second witness,
// as in localRefusal.
func (f *facts) localVerdict() bool {
	return strings.EqualFold(f.r.DiagnosticType, "x-local") && f.r.RemoteMTA == "" && saysAny(f.words, localUnknownWords)
}
