package dsn

import (
	"slices"
	"strings"
	"sync"
)

// bodyMarkers are phrases by which a bounce notice announces itself in its
// text (lower case); used when the headers do not say it is a bounce.
var bodyMarkers = []string{
	"the mail system", "could not be delivered", "couldn't be delivered", "was not delivered",
	"wasn't able to deliver", "unable to deliver", "delivery to the following recipient",
	"following address", "following recipient", "permanent fatal error", "delivery has failed",
	"undeliverable", "delivery failed", "did not reach the following", "error delivering your mail",
	"message could not be sent", "mail delivery failed", "could not deliver", "delivery status notification",
	"smtp error from remote", "remote host said", "transcript of session", "did not like our",
	"not be delivered", "delivery failure", "failed to deliver", "returned mail",
}

// textBounce reads a bounce written in prose (no delivery-status part). It
// reports whether the message is a bounce with at least one recipient.
func (p *parser) textBounce() bool {
	score, authored := p.headerEvidence()
	if score < noticeByText {
		// A newsletter or list post that shows a bounce in its text (a
		// deliverability newsletter's example, a GitHub issue pasting a
		// DSN), with nothing in its header that a notice carries, names
		// no failure of ours.
		return false
	}
	byHeader := authored && score >= noticeByHeader
	texts := p.texts
	if len(texts) == 0 {
		for _, h := range p.htmls {
			texts = append(texts, htmlText(h.Prefix(maxTextBytes)))
		}
	}
	if len(p.raw) > 0 && (len(texts) == 0 || len(p.rep.Problems) > 0) {
		// QUIRK: when the MIME structure is broken (Exchange writing an
		// unfolded boundary parameter), read the raw body as text.
		texts = append(texts, string(p.raw))
	}
	for i, t := range texts {
		if p.flattenedDSN(t) {
			return true
		}
		notice, orig := splitOriginal(t)
		if !byHeader {
			if notice = withoutExamples(notice); !hasAnyLower(notice, bodyMarkers) {
				continue
			}
		}
		if orig != "" && p.original == nil {
			p.setOriginalHeader(inlineHeader(orig, p.opts.MaxHeaderBytes, p.opts.Headers))
		}
		// A message that only its words call a bounce must name its
		// recipients the way notices do; sentences and the returned
		// original's To are too weak to go on (newsletters say "could not
		// be delivered" too).
		recs := p.screenNames(notice)
		if len(recs) == 0 {
			recs = p.preferFailedHeader(scanNotice(notice, p.excluded(), byHeader), notice)
		}
		if len(recs) == 0 && i+1 < len(texts) {
			continue
		}
		var named []string
		if len(recs) == 0 && byHeader {
			recs, named = bareNames(notice, t)
		}
		if len(recs) == 0 && byHeader {
			recs = p.fallbackRecipients(notice)
			if len(named) > 0 {
				// The notice named its failed recipients by bare names
				// the message never completes: a fallback address stands
				// only where it is one of them.
				recs = slices.DeleteFunc(recs, func(r textRecord) bool {
					at := strings.LastIndexByte(r.addr, '@')
					return at < 0 || !slices.ContainsFunc(named, func(n string) bool { return strings.EqualFold(n, r.addr[:at]) })
				})
			}
		}
		if len(recs) == 0 {
			return false
		}
		if recs = p.notOwnRecipients(recs); len(recs) == 0 {
			return false
		}
		p.addTextRecipients(recs, notice)
		return true
	}
	if byHeader {
		if recs := p.fallbackRecipients(""); len(recs) > 0 {
			p.addTextRecipients(recs, "")
			return true
		}
	}
	return false
}

// notOwnRecipients drops records for the message's own To when the
// message is not from a mail system: a notice goes to the sender of the
// failed message, and a person's or a phisher's mail that says "Delivery
// has failed ... your mailbox is full" names its reader.
func (p *parser) notOwnRecipients(recs []textRecord) []textRecord {
	if len(p.rep.Message.To) == 0 || hasAnyLower(p.outer.get("From"), bounceSenders) {
		// From a mail system, a notice to the failed address itself is
		// real: a mail to oneself, forwarded on and refused (qmail).
		return recs
	}
	out := recs[:0]
	for _, r := range recs {
		own := false
		for _, to := range p.rep.Message.To {
			if strings.EqualFold(r.addr, to) {
				own = true
				break
			}
		}
		if !own {
			out = append(out, r)
		}
	}
	return out
}

// excluded returns addresses that are never bounced recipients: the
// sender of the original (the bounce's own To) and the bounce's From.
func (p *parser) excluded() addrSet {
	return addrSet{to: p.rep.Message.To, from: p.rep.Message.From}
}

// addrSet holds the addresses excluded returns, compared without case.
// The zero addrSet holds none.
type addrSet struct {
	to   []string
	from string
}

// has reports whether a is one of the set's addresses.
func (s addrSet) has(a string) bool {
	if s.from != "" && strings.EqualFold(s.from, a) {
		return true
	}
	for _, t := range s.to {
		if strings.EqualFold(t, a) {
			return true
		}
	}
	return false
}

// fallbackRecipients is used when the notice names no address: the
// X-Failed-Recipients header, else the To of the returned original.
func (p *parser) fallbackRecipients(notice string) []textRecord {
	var addrs []string
	for _, v := range p.outer.values("X-Failed-Recipients") {
		addrs = append(addrs, addrList(v)...)
	}
	if len(addrs) == 0 {
		// QUIRK (hostcenter.com's "Mail Delivery Failure"): the
		// per-recipient field of a report written into the notice's own
		// header.
		for _, v := range p.outer.values("Final-Recipient") {
			if a := p.dsnAddr(v, false); plausibleAddr(a) {
				addrs = append(addrs, a)
			}
		}
	}
	if len(addrs) == 0 {
		// QUIRK: old Sendmail (V5) and some appliances name no address in
		// the notice; the returned original's To is the recipient.
		if a := p.soleOriginalRecipient(); a != "" {
			addrs = []string{a}
		}
	}
	diag := generalDiagnostic(notice)
	var recs []textRecord
	for _, a := range addrs {
		recs = append(recs, textRecord{addr: a, diag: []string{diag}})
	}
	return recs
}

// addTextRecipients turns scanned records into Recipient records.
func (p *parser) addTextRecipients(recs []textRecord, notice string) {
	action := "failed"
	if isDelayNotice(p.rep.Message.Subject, notice) {
		action = "delayed"
	}
	global := codeLines(notice)
	for _, tr := range recs {
		rc := Recipient{FinalRecipient: tr.addr, Action: action, Diagnostic: joinReply(tr.diag)}
		if orig, rest := expansionSource(rc.Diagnostic); orig != "" {
			// QUIRK (Exim, Sendmail, Postfix): the failed address was
			// reached through an alias or a forward of the address the
			// sender wrote to; the notice names that one in a note.
			rc.OriginalRecipient, rc.Diagnostic = orig, rest
		}
		if strings.Contains(notice, "://groups.google.com/") {
			// QUIRK: Google Groups explains a refused post in the sender's
			// language only; its help link is the one constant. Say it in
			// English too, so the reason does not depend on the language.
			rc.Diagnostic = appendFolded(googleGroupsRefusal, rc.Diagnostic)
		}
		if findReplyCode(rc.Diagnostic) == "" && findStatus(rc.Diagnostic) == "" && len(recs) == 1 && global != "" && !strings.Contains(rc.Diagnostic, global) {
			rc.Diagnostic = appendFolded(rc.Diagnostic, global)
		}
		completeCodes(&rc)
		rc.RemoteMTA = remoteHost(rc.Diagnostic)
		p.addRecord(rc)
	}
}

// generalDiagnostic explains a recipient from the notice as a whole: its
// SMTP reply lines, a reply introduced by "The response was:", an indented
// block, or else its first paragraphs.
func generalDiagnostic(notice string) string {
	if d := codeLines(notice); d != "" {
		return d
	}
	if d := introducedReply(notice); d != "" {
		return d
	}
	if d := indentedBlock(notice); d != "" {
		return d
	}
	return noticeSummary(notice)
}

// googleGroupsRefusal is the English gist of Google Groups' notice.
const googleGroupsRefusal = "Google Groups: the group may not exist, or you may not have permission to post messages to the group."

// isDelayNotice reports whether a notice says delivery is only delayed.
// A subject that opens as a failure ("Undeliverable: Flight delayed")
// names the original's subject after it, not a delay.
func isDelayNotice(subject, notice string) bool {
	s := strings.ToLower(strings.TrimSpace(subject))
	if !hasAnyPrefix(s, failureSubjects) && (strings.Contains(s, "delay") || isWarningSubject(s) && !hasAny(s, permanentSubjectWords)) {
		return true // "Delivery Status Notification (Delay)", "Delayed Mail (still being retried)", "Delivery delayed:"
	}
	return hasAnyLower(notice, delayPhrases)
}

// isWarningSubject reports whether a lower-case subject opens with
// "warning:" (Sendmail's "Warning: could not send message for past 4
// hours") or "warning--" (QUIRK: the X1 MTA's "Warning--Could not send mail
// for past 8.5 hours", the same delay warning).
func isWarningSubject(s string) bool {
	return strings.HasPrefix(s, "warning:") || strings.HasPrefix(s, "warning--")
}

// permanentSubjectWords name a permanent failure in a "Warning:" subject
// (QUIRK: MDaemon's "Warning: user@host - User unknown!" is no delay).
var permanentSubjectWords = []string{"unknown", "permanent", "no such", "does not exist"}

// failureSubjects open the subjects of failure notices (lower case).
var failureSubjects = []string{"undeliverable", "undelivered", "returned mail", "mail delivery failed", "failure notice",
	"delivery failure", "delivery status notification (failure)", "non remis", "unzustellbar", "nicht zustellbar"}

// hasAnyPrefix reports whether s starts with one of prefixes.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// delayPhrases say that delivery is only delayed (lower case): Gmail's
// "THIS IS A WARNING MESSAGE ONLY ... has been delayed ... will be retried
// for 2 more day(s)", "Gmail will retry for 45 more hours", Postfix's "THIS
// IS A WARNING ONLY".
var delayPhrases = []string{"will continue to try", "has not yet been delivered", "will keep trying", "still trying",
	"warning message only", "this is a warning only", "will be retried for", "will retry for",
	// QUIRK (a Lotus Notes/Exchange-era gateway's "Delivery failure notification": "could not be
	// delivered ... Please do not resend your original message. Delivery attempts will continue to
	// be made for 5 day(s).")
	"delivery attempts will continue"}

// enrichFromText completes DSN records from the prose part.
func (p *parser) enrichFromText() {
	if len(p.texts) > 0 {
		p.enrichFrom(p.texts[0])
	}
}

// enrichFrom completes records that lack a diagnostic, a reply code or
// the SMTP command from a notice text, where many MTAs put the remote
// server's words ("(in reply to RCPT TO command)" is only in Postfix's
// prose).
func (p *parser) enrichFrom(text string) {
	notice, _ := splitOriginal(text)
	var recs []textRecord
	scanned := false
	namesCommand := sync.OnceValue(func() bool { return findCommand(notice) != "" })
	for i := range p.rep.Recipients {
		rc := &p.rep.Recipients[i]
		if rc.Diagnostic != "" && rc.ReplyCode != "" && (rc.Command != "" || !namesCommand()) {
			continue
		}
		if !scanned {
			recs, scanned = scanNotice(notice, p.excluded(), true), true
		}
		d := ""
		if j := indexOf(recs, rc.FinalRecipient); j >= 0 {
			d = joinReply(recs[j].diag)
		} else if len(p.rep.Recipients) == 1 && len(recs) == 1 {
			d = joinReply(recs[0].diag)
		}
		if findReplyCode(d) == "" && len(p.rep.Recipients) == 1 {
			if c := codeLines(notice); !strings.Contains(d, c) {
				d = appendFolded(d, c)
			}
		}
		if d == "" && rc.Diagnostic == "" && len(p.rep.Recipients) == 1 {
			if d = introducedReply(notice); d == "" {
				d = indentedBlock(notice)
			}
		}
		hadCommand := rc.Command != ""
		fillFrom(rc, d)
		if !hadCommand && rc.Command == "DATA" && pipelinedRCPT(notice) {
			rc.Command = "RCPT"
		}
	}
}

// pipelinedRCPTMarkers are replies to DATA that say no recipient had been
// accepted ("503 5.0.0 Need RCPT (recipient)", "503-All RCPT commands were
// rejected", "554 5.5.1 Error: no valid recipients").
var pipelinedRCPTMarkers = []string{"need rcpt", "must precede data", "no valid recipients", "all rcpt commands were rejected", "rcpt first"}

// pipelinedRCPT reports whether a transcript shows PIPELINING: the client
// sent RCPT TO and DATA together, so the refusal printed after ">>> DATA"
// answered RCPT TO, and the server then refused DATA for want of a
// recipient. Sendmail's transcripts read that way (">>> DATA", "<<< 550
// <a@b>... User unknown", "<<< 503 Need RCPT").
func pipelinedRCPT(text string) bool {
	if len(text) > maxTextBytes {
		text = text[:maxTextBytes]
	}
	i := indexFold(text, ">>> data")
	if i < 0 {
		return false
	}
	seg := text[i:]
	// DATA accepted ("354") or the message sent (">>> ."): the replies that
	// follow answered the message, whatever they say.
	for _, end := range []string{"<<< 354", ">>> ."} {
		if j := indexFold(seg, end); j >= 0 {
			seg = seg[:j]
		}
	}
	return hasAnyLower(seg, pipelinedRCPTMarkers)
}

// fillFrom fills what a record lacks from a diagnostic found in prose.
func fillFrom(rc *Recipient, d string) {
	if rc.Diagnostic == "" {
		rc.Diagnostic = d
	}
	if rc.ReplyCode == "" {
		if rc.ReplyCode = innerReplyCode(d); rc.ReplyCode == "" {
			rc.ReplyCode = findReplyCode(d)
		}
	}
	if rc.Command == "" {
		rc.Command = findCommand(d)
	}
	completeCodes(rc)
}

// preferFailedHeader makes the X-Failed-Recipients header (QUIRK: Exim,
// Google) the authority on who failed when present: the scanned records
// lend their diagnostics to the addresses it lists.
//
// The addresses are de-duplicated in linear time and capped at
// MaxRecipients (those past it are counted as dropped): a forged
// header may list tens of thousands.
func (p *parser) preferFailedHeader(recs []textRecord, notice string) []textRecord {
	var addrs []string
	for _, v := range p.outer.values("X-Failed-Recipients") {
		addrs = append(addrs, addrList(v)...)
	}
	if len(addrs) == 0 {
		return recs
	}
	if len(addrs) == 1 && len(recs) == 1 && plausibleAddr(recs[0].addr) {
		// The notice names the address as the user wrote it; the header
		// may hold the rewritten one.
		return recs
	}
	byAddr := make(map[string]int, len(recs))
	for i := len(recs) - 1; i >= 0; i-- {
		byAddr[strings.ToLower(recs[i].addr)] = i
	}
	general := sync.OnceValue(func() string { return generalDiagnostic(notice) })
	limit := p.opts.MaxRecipients
	seen := make(map[string]bool, min(len(addrs), limit))
	out := make([]textRecord, 0, min(len(addrs), limit))
	for _, a := range addrs {
		key := strings.ToLower(a)
		if seen[key] {
			continue
		}
		if len(out) == limit {
			p.dropped++
			continue
		}
		seen[key] = true
		tr := textRecord{addr: a}
		if i, ok := byAddr[key]; ok {
			tr.diag = recs[i].diag
		} else if len(recs) == 1 && len(addrs) == 1 {
			tr.diag = recs[0].diag
		} else if d := general(); d != "" {
			tr.diag = []string{d}
		}
		out = append(out, tr)
	}
	return out
}

// flattenedDSN reads delivery-status fields written into a text part
// (QUIRK: relays that flatten a multipart/report into text/plain, and
// reports forwarded as quoted text). It reports whether records were
// found.
func (p *parser) flattenedDSN(t string) bool {
	i := indexFold(t, "\nfinal-recipient:")
	if i < 0 || indexFold(t[i:], "\naction:") < 0 && indexFold(t[i:], "\nstatus:") < 0 {
		return false // an MDN has a Final-Recipient too, but no Action or Status
	}
	start := strings.LastIndex(t[:i], "\n\n")
	if start < 0 {
		start = 0
	}
	p.deliveryStatus(unquote(t[start:]), false)
	if len(p.rep.Recipients) == 0 {
		return false
	}
	p.enrichFrom(t[:start])
	return true
}

// indexFold is a case-insensitive strings.Index for an ASCII lower-case
// needle.
func indexFold(s, lowerNeedle string) int {
	n := len(lowerNeedle)
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 == lowerNeedle[0]|0x20 && strings.EqualFold(s[i:i+n], lowerNeedle) {
			return i
		}
	}
	return -1
}

// repairRecipients replaces a recipient that is not an address (a file,
// a pipe, "@host") when another source names exactly one address: the
// X-Failed-Recipients header, the notice text, or the returned original's
// To. QUIRK: Sendmail and Exim put the local delivery target in
// Final-Recipient.
func (p *parser) repairRecipients() {
	if len(p.rep.Recipients) != 1 || plausibleAddr(p.rep.Recipients[0].FinalRecipient) {
		return
	}
	var cands []string
	for _, v := range p.outer.values("X-Failed-Recipients") {
		cands = append(cands, addrList(v)...)
	}
	if len(cands) == 0 && len(p.texts) > 0 {
		notice, _ := splitOriginal(p.texts[0])
		for _, tr := range scanNotice(notice, p.excluded(), true) {
			if plausibleAddr(tr.addr) {
				cands = append(cands, tr.addr)
			}
		}
	}
	if a := p.soleOriginalRecipient(); len(cands) == 0 && a != "" {
		cands = []string{a}
	}
	if len(cands) == 1 {
		rc := &p.rep.Recipients[0]
		if rc.OriginalRecipient == "" {
			rc.OriginalRecipient = rc.FinalRecipient
		}
		rc.FinalRecipient = cands[0]
	}
}

// soleOriginalRecipient returns the one address the returned original is
// addressed to, or "" when it has none, several (To and Cc together: a
// post to a person with a list in copy, as a list delivers it, names
// its author's addressees, not the one whose delivery failed), or only a
// list's own address.
func (p *parser) soleOriginalRecipient() string {
	if p.original == nil {
		return ""
	}
	to := addrList(p.original.get("To"))
	if len(to) != 1 || len(addrList(p.original.get("Cc"))) > 0 || isListAddress(p.original, to[0]) {
		return ""
	}
	return to[0]
}

// expansionSource splits the note an MTA puts before the reason of an
// address it reached through an alias or a forward: Exim's "(generated
// from a@b)" and "(ultimately generated from a@b)", Sendmail's "(expanded
// from: a@b)", Postfix's "(expanded from <a@b>)". It returns the address
// the sender wrote to and the rest of the diagnostic; "" and d when d opens
// with no such note.
func expansionSource(d string) (orig, rest string) {
	t := strings.TrimSpace(d)
	for _, p := range []string{"(ultimately generated from ", "(generated from ", "(expanded from: ", "(expanded from "} {
		if len(t) < len(p) || !strings.EqualFold(t[:len(p)], p) {
			continue
		}
		end := strings.IndexByte(t, ')')
		if end < 0 {
			return "", d
		}
		a := findAddr(t[len(p):end])
		if a == "" {
			return "", d
		}
		return a, strings.TrimLeft(t[end+1:], ": ")
	}
	return "", d
}
