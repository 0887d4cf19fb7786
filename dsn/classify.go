package dsn

import (
	"math/bits"
	"slices"
	"strings"
)

// Classification: every recipient record gets a Reason (why it failed, in
// the reference corpus' vocabulary) and a Class (what it means for the
// suppression policy). The decision is made from data only, in this order:
//
//  1. the report type and the record's action: auto-reply, feedback report
//     (class by feedback type), delivered/relayed/expanded, 2.x.x;
//  2. a provider's documented code (Cox "AUP#CDRBL", Orange "OFR_506",
//     providercodes.go) or a provider's wording from its own hosts
//     (providerReply), then a decisive row of textRules: a phrase that names the cause so
//     precisely that it beats any status code ("mailbox full" under a 5.1.1,
//     "blocked using zen.spamhaus.org" under a 5.0.0);
//  3. an X-Unix diagnostic (a local delivery program's exit status);
//  4. a decisive row of statusRules (5.1.1, 5.2.2, 5.7.26, ...), looked up
//     as X.Y.Z, then X.Y;
//  5. a hint row of textRules ("user unknown", "access denied" ...);
//  6. any other status row (5.7.1, 5.2.0, 5.5.0 ...);
//  7. a vague row of textRules (a bare "rejected", "refused");
//  8. the SMTP reply code (551, 552, 521 ...);
//  9. onhold when there was something to read, undefined when not.
//
// Then adjust applies the rules that need more than one field: the SMTP
// command (a refusal at MAIL FROM is about our sender; at connect or HELO,
// about our host), the two witnesses a hard "user unknown" needs, a 4.x.x
// DNS failure being a network error, and a delay with no stated cause
// being an expiry.
//
// When Status is empty or X.0.0 the enhanced code written inside the
// diagnostic is used instead (Exchange and many others put the real code
// there). classify never looks at file names. It reads a host name in one
// place only, providerReply, where a large provider's own wording means
// more from its own hosts (Outlook.com's "mailbox unavailable"); the only
// address it reads is the record's own recipient, to recognise a reply that
// names it.

// classify sets r.Reason and r.Class for a record of a report of type t.
func classify(t Type, r *Recipient) { classifyReported(t, r, "") }

// classifyReported is classify for a report whose Reporting-MTA is
// reportingMTA (the host whose words a provider rule may read).
func classifyReported(t Type, r *Recipient, reportingMTA string) {
	switch t {
	case TypeAutoreply:
		r.Reason, r.Class = ReasonVacation, ClassIgnore
		return
	case TypeARF:
		r.Reason, r.Class = ReasonFeedback, feedbackClass(feedbackType(r))
		return
	}
	f := newFacts(r)
	f.reportingMTA = reportingMTA
	r.Reason = f.reason()
	r.Class = f.class(r.Reason)
}

// facts are what the tables read from one record, computed once.
type facts struct {
	r         *Recipient
	action    string // lower case
	code      string // effective status: Status, or the code in the diagnostic
	text      string // normalized diagnostic
	words     string // text with its mail addresses masked: what the phrase rows read
	cmd       string // upper case
	temporary bool   // 4.x.x, or a 4xx reply without status

	reportingMTA string // the report's Reporting-MTA, for providerReply
}

func newFacts(r *Recipient) facts {
	f := facts{r: r, action: strings.ToLower(r.Action), cmd: strings.ToUpper(r.Command)}
	f.code = effectiveStatus(r)
	f.text = normalizeDiagnostic(withoutRelayLabel(r.Diagnostic))
	f.words = maskAddresses(f.text)
	if s := strings.TrimSpace(r.Status); statusLen(s) == len(s) && s != "" {
		f.temporary = s[0] == '4'
	} else if f.code != "" {
		f.temporary = f.code[0] == '4'
	} else {
		rc := replyCode(r)
		f.temporary = rc != "" && rc[0] == '4'
	}
	return f
}

// reason decides the Reason of a failure, delay or delivery record.
func (f *facts) reason() Reason {
	switch f.action {
	case "delivered", "relayed", "expanded":
		return ReasonDelivered
	}
	if strings.HasPrefix(f.code, "2.") && f.action != "failed" {
		// A success code, unless the record says it failed (then the code
		// is the MTA's mistake and the text decides).
		return ReasonDelivered
	}
	reason, w := f.failureReason()
	return f.adjust(reason, w)
}

// failureReason applies steps 2 to 9 of the order above. It returns the
// reason and the weight of what decided it: decisive for a decisive text or
// status row, hint or vague for a text row, none for a generic status, the
// reply code or nothing.
func (f *facts) failureReason() (Reason, weight) {
	if pc := providerCode(f.words); pc != "" {
		// A provider's documented code (providercodes.go) names the cause.
		return pc, decisive
	}
	tr, tw := matchText(f.words)
	sr, sw := statusReason(f.code)
	var pr Reason
	if tw != decisive {
		pr = providerReply(f)
	}
	switch {
	case tw == decisive:
		return tr, tw
	case pr != "":
		// A provider's wording, from that provider's host (providercodes.go).
		return pr, decisive
	case strings.EqualFold(f.r.DiagnosticType, "x-unix"):
		// X-Unix: the words are a local delivery program's exit status, not
		// an SMTP server's reply.
		return ReasonMailerError, decisive
	case sw == decisive && tw == hint && tr != ReasonUserUnknown && f.mappedStatus() && !textSays(f.words, ReasonUserUnknown):
		// The status is the reporting MTA's own mapping of a bare reply
		// code (Sendmail writes "5.1.1 ... User unknown" for any 550 to RCPT
		// TO that carries no enhanced code): the receiver's words decide,
		// unless they also say the user is unknown ("No such user, spam
		// trap").
		return tr, tw
	case sw == decisive:
		return sr, decisive
	case tw == hint:
		return tr, tw
	case sw != none:
		return sr, none
	case tw == vague:
		return tr, tw
	}
	if rr := replyReason(replyCode(f.r)); rr != "" {
		return rr, none
	}
	if f.text != "" && !boilerplate(f.text) || f.code != "" || f.r.ReplyCode != "" {
		return ReasonOnHold, none
	}
	return ReasonUndefined, none
}

// boilerplatePhrases open the sentences of a notice that say only that a
// bounce is a bounce: with nothing else to read, the cause is undefined, not
// on hold.
var boilerplatePhrases = []string{
	"the mail system",                         // Postfix's sign-off, and "This is the mail system at host ..."
	"this is the mail system",                 // Postfix
	"i'm sorry to have to inform you",         // Postfix
	"it's attached below",                     // Postfix
	"this is an automatically generated",      // Exchange, Notes, many "automatically generated Delivery Status Notification"
	"delivery has failed to these recipients", // Exchange
	"your message could not be delivered",     // various
}

// boilerplate reports whether every sentence of a normalized text opens
// with a boilerplate phrase.
func boilerplate(text string) bool {
	for rest := text; rest != ""; {
		var s string
		s, rest, _ = strings.Cut(rest, ". ")
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		found := false
		for _, p := range boilerplatePhrases {
			if strings.HasPrefix(s, p) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// adjust applies the rules that depend on more than one field; w is the
// weight of what decided reason.
func (f *facts) adjust(reason Reason, w weight) Reason {
	switch {
	case f.cmd == "MAIL" && aboutRecipient(reason):
		// Refused at MAIL FROM, before any recipient was named: an "unknown
		// user" or "no such domain" there is about our envelope sender.
		return ReasonRejected
	case w < decisive && f.cmd == "MAIL" && generic(reason) && reason != ReasonSystemError:
		// Refused at MAIL FROM: our envelope sender was refused. A server
		// saying it failed itself ("Transaction failed", "internal error")
		// still says so.
		return ReasonRejected
	case (f.cmd == "CONN" || f.cmd == "HELO" || f.cmd == "EHLO") && (w < decisive && generic(reason) || aboutMailbox(reason)):
		// Turned away at connect or greeting, before any address was named:
		// our host was refused, whatever a quota or "unknown" in the words.
		return ReasonBlocked
	case (reason == ReasonHostUnknown || reason == ReasonNotAccept) && subject(f.code) != "1" && f.afterData():
		// The receiving MTA accepted RCPT TO, so the recipient's domain
		// resolved and takes mail: a domain the words call unknown after
		// DATA is one named in the message ("From: domain not found").
		return ReasonRejected
	case aboutAddress(reason) && f.verdictOnOthers(reason) != "":
		// "Sender domain not found", "Unknown host in HELO", "sender
		// address verification failed: no such user": the words that would
		// make the recipient dead are about our envelope sender or our host;
		// "address not found in allowed list": about an allow-list.
		return f.verdictOnOthers(reason)
	case reason == ReasonUserUnknown && w < decisive && !f.userUnknownWitnessed():
		// Hard needs two witnesses. "User unknown" words alone, with no
		// X.1.x status and no sign that the server answered RCPT, are also
		// what content filters and gateways say (McAfee, SurfControl, Japanese
		// carriers' sender filters, anything answering after DATA). Soft
		// still suppresses a dead address once it bounces repeatedly.
		return ReasonFiltered
	case reason == ReasonHostUnknown && f.temporary:
		// The reporting MTA itself called the DNS failure temporary.
		return ReasonNetworkError
	case f.action == "delayed" && w < hint:
		// Still queued and the text names no cause: the delay itself is the news.
		return ReasonExpired
	}
	return reason
}

// userUnknownWitnessed reports whether a "user unknown" text is backed by a
// second witness: an X.1.x status, or a reply given to RCPT TO (said so, or
// shaped so: echoing the recipient, and no X.2.x status claiming the mailbox
// exists). A reply to DATA is no witness unless the status is X.1.1.
func (f *facts) userUnknownWitnessed() bool {
	sub := subject(f.code)
	switch f.cmd {
	case "DATA", "BDAT":
		return strings.HasSuffix(f.code, ".1.1")
	case "RCPT":
		return true
	case "":
		if saysAny(f.text, dataMarkers) {
			return strings.HasSuffix(f.code, ".1.1")
		}
		return sub == "1" || saysAny(f.text, rcptMarkers) || sub != "2" && echoesRecipient(f.text, f.r) ||
			(sub == "" || sub == "0") && namesUnknownRecipient(f.text, f.r)
	}
	return sub == "1"
}

// afterData reports whether the reply answered the message data: the
// parser read DATA or BDAT, or the diagnostic says so.
func (f *facts) afterData() bool {
	switch f.cmd {
	case "DATA", "BDAT":
		return true
	case "":
		return saysAny(f.text, dataMarkers)
	}
	return false
}

// class decides the Class of a record whose Reason is reason.
func (f *facts) class(reason Reason) Class {
	if f.action == "delayed" {
		// Informational: the MTA is still trying. Never a failure.
		return ClassIgnore
	}
	c, ok := reasonClass[reason]
	if !ok {
		return ClassSoft
	}
	if c == ClassHard && f.temporary && !(subject(f.code) == "1" && (reason == ReasonUserUnknown || reason == ReasonHasMoved) && !saysAny(f.words, retryWords)) {
		// A 4.x.x null MX or host failure may heal; a named unknown user in a
		// final report (the MTA gave up after retrying on 4.1.1) does not.
		// A 4xx reply without an X.1.x status is no such verdict: "450
		// Requested mail action not taken: mailbox unavailable" is RFC
		// 5321's text for a busy or temporarily blocked mailbox. Nor is a 4.1.1
		// whose words say to retry ("Recipient temporarily unavailable").
		return ClassSoft
	}
	return c
}

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

// feedbackType is the ARF feedback type of a record, lower case.
func feedbackType(r *Recipient) string {
	return strings.ToLower(strings.TrimSpace(r.FeedbackType))
}

// feedbackClass maps an ARF feedback type (RFC 5965 section 7.3, RFC 6591)
// to a Class.
func feedbackClass(ft string) Class {
	switch ft {
	case "not-spam":
		// The user rescued the message from a spam folder: the opposite of a complaint.
		return ClassIgnore
	case "auth-failure", "dkim", "spf", "dmarc":
		// Authentication failure reports (RFC 6591) describe our DNS/DKIM setup,
		// not a recipient's wish.
		return ClassIgnore
	default:
		// abuse, fraud, virus, opt-out, other, and JMRP complaints without a
		// feedback-report part: a person (or their provider) does not want our mail.
		return ClassComplaint
	}
}

// reasonClass is the policy meaning of each Reason. Hard means the address
// is dead and is suppressed at once; soft counts towards suppression within
// a window; block never suppresses on its own (the receiver refused us, the
// address is fine) and feeds the report; ignore is recorded only.
var reasonClass = map[Reason]Class{
	ReasonUserUnknown: ClassHard, // the mailbox does not exist
	ReasonHostUnknown: ClassHard, // the domain does not exist (soft when the MTA said 4.x.x)
	ReasonHasMoved:    ClassHard, // the mailbox is gone and left no forwarding address
	ReasonNotAccept:   ClassHard, // the domain accepts no mail at all (null MX); soft when 4.x.x

	ReasonMailboxFull:  ClassSoft, // full today, maybe emptied tomorrow; repeated → suppressed by count
	ReasonSuspend:      ClassSoft, // disabled, frozen, inactive: often permanent, but not proof; count it
	ReasonFiltered:     ClassSoft, // the recipient's own filter refused it (or a DATA-time "user unknown")
	ReasonSystemFull:   ClassSoft, // the receiving system's disk is full
	ReasonSystemError:  ClassSoft, // the receiving system failed
	ReasonMailerError:  ClassSoft, // the recipient's local delivery program failed
	ReasonNetworkError: ClassSoft, // DNS, routing, connection trouble on the way
	ReasonExpired:      ClassSoft, // no delivery within the queue lifetime
	ReasonOnHold:       ClassSoft, // a failure whose cause could not be read
	ReasonUndefined:    ClassSoft, // a failure with nothing to read
	ReasonSuppressed:   ClassSoft, // our sending provider refused it from its own list: count, let policy decide

	ReasonBlocked:         ClassBlock, // our IP or host is refused (blocklist, connection refused)
	ReasonSpamDetected:    ClassBlock, // our message was judged spam
	ReasonVirusDetected:   ClassBlock, // our message was judged to carry malware
	ReasonPolicyViolation: ClassBlock, // the receiver's local policy refused the message
	ReasonAuthFailure:     ClassBlock, // SPF, DKIM or DMARC failed: our DNS/signing setup
	ReasonRequirePTR:      ClassBlock, // our sending IP lacks valid reverse DNS
	ReasonBadReputation:   ClassBlock, // our IP or domain has a poor reputation
	ReasonSecurityError:   ClassBlock, // 5.7.x security/policy refusal without more detail
	ReasonTooManyConn:     ClassBlock, // we opened too many connections or sent too many recipients
	ReasonSpeeding:        ClassBlock, // we exceeded a rate limit
	ReasonContentError:    ClassBlock, // our message's format or media was refused
	ReasonNotCompliantRFC: ClassBlock, // our message breaks RFC 5322 (duplicate headers, ...)
	ReasonMesgTooBig:      ClassBlock, // our message is too large for them
	ReasonExceedLimit:     ClassBlock, // our message exceeds the recipient's size limit
	ReasonNoRelaying:      ClassBlock, // we reached a host that will not relay: routing/config on our side
	ReasonRejected:        ClassBlock, // our envelope sender was refused
	ReasonSyntaxError:     ClassBlock, // an SMTP protocol error between our MTA and theirs
	ReasonFailedSTARTTLS:  ClassBlock, // TLS could not be negotiated

	ReasonVacation:  ClassIgnore, // auto-reply
	ReasonDelivered: ClassIgnore, // success notification
	ReasonFeedback:  ClassComplaint,
}

// weight says how much a table row proves.
type weight uint8

const (
	none     weight = iota // no row matched
	vague                  // a bare word ("rejected"): used only when the status code says nothing
	hint                   // a generic phrase or code: beats a vague row, loses to a decisive one
	decisive               // names the cause: a decisive text beats any status code
)

// statusRule maps an enhanced status code (RFC 3463, RFC 5248 registry),
// without its class digit, to a Reason.
type statusRule struct {
	code   string // "1.1" matches 4.1.1 and 5.1.1; "1" matches any X.1.Y not listed
	reason Reason
	weight weight
}

// statusRules: specific codes first within each subject; a subject-only row
// ("2") is the fallback for its unlisted details. X.0.0 is absent: it says
// nothing, so the code inside the diagnostic or the text decides.
var statusRules = []statusRule{
	// X.1 addressing
	{"1.1", ReasonUserUnknown, decisive}, // bad destination mailbox address
	{"1.2", ReasonHostUnknown, decisive}, // bad destination system address
	{"1.3", ReasonUserUnknown, decisive}, // destination address syntax invalid: can never be delivered
	{"1.4", ReasonFiltered, hint},        // destination mailbox address ambiguous
	{"1.5", ReasonDelivered, decisive},   // destination address valid
	{"1.6", ReasonHasMoved, decisive},    // mailbox has moved, no forwarding address
	{"1.7", ReasonRejected, decisive},    // bad sender's mailbox address syntax
	{"1.8", ReasonRejected, decisive},    // bad sender's system address
	{"1.9", ReasonSystemError, hint},     // relayed to a non-compliant mailer
	{"1.10", ReasonNotAccept, decisive},  // recipient address has null MX (RFC 7505)
	{"1.351", ReasonUserUnknown, hint},   // QUIRK: Exchange Online "remote server returned unknown recipient"
	{"1", ReasonUserUnknown, hint},       // other address status: the text usually says more
	// X.2 mailbox
	{"2.2", ReasonMailboxFull, decisive}, // mailbox full
	{"2.3", ReasonExceedLimit, decisive}, // message length exceeds the mailbox's limit
	{"2.1", ReasonSuspend, hint},         // mailbox disabled, not accepting messages
	{"2.4", ReasonFiltered, hint},        // mailing list expansion problem
	{"2", ReasonFiltered, hint},          // other mailbox status: the mailbox refused it
	// X.3 mail system
	{"3.1", ReasonSystemFull, decisive}, // mail system full
	{"3.2", ReasonNotAccept, hint},      // system not accepting network messages
	{"3.4", ReasonMesgTooBig, decisive}, // message too big for system
	{"3", ReasonSystemError, hint},      // other mail system status, not capable, misconfigured
	// X.4 network and routing
	{"4.1", ReasonNetworkError, hint},       // no answer from host
	{"4.2", ReasonNetworkError, hint},       // bad connection
	{"4.3", ReasonSystemError, hint},        // directory server failure
	{"4.4", ReasonHostUnknown, hint},        // unable to route (permanent: no such domain)
	{"4.5", ReasonSystemFull, hint},         // mail system congestion
	{"4.6", ReasonNetworkError, decisive},   // routing loop detected
	{"4.7", ReasonExpired, decisive},        // delivery time expired
	{"4.312", ReasonNetworkError, decisive}, // QUIRK: Exchange Online "DNS query failed"
	{"4.316", ReasonExpired, decisive},      // QUIRK: Exchange Online "message expired, connection refused"
	{"4", ReasonNetworkError, hint},         // other network or routing status
	// X.5 protocol
	{"5.1", ReasonSyntaxError, hint},     // invalid command
	{"5.2", ReasonSyntaxError, hint},     // syntax error
	{"5.3", ReasonTooManyConn, decisive}, // too many recipients
	{"5.4", ReasonSyntaxError, hint},     // invalid command arguments
	{"5.5", ReasonSystemError, hint},     // wrong protocol version
	{"5.6", ReasonSyntaxError, hint},     // authentication exchange line too long
	// X.6 content
	{"6", ReasonContentError, hint}, // media not supported, conversion failed, ...
	// X.7 security or policy
	{"7.13", ReasonSuspend, decisive},        // user account disabled
	{"7.16", ReasonMesgTooBig, decisive},     // message too big for the specified priority
	{"7.17", ReasonHasMoved, decisive},       // mailbox owner has changed (RRVS)
	{"7.18", ReasonHasMoved, decisive},       // domain owner has changed (RRVS)
	{"7.20", ReasonAuthFailure, decisive},    // no passing DKIM signature
	{"7.21", ReasonAuthFailure, decisive},    // no acceptable DKIM signature
	{"7.22", ReasonAuthFailure, decisive},    // no author-matched DKIM signature
	{"7.23", ReasonAuthFailure, decisive},    // SPF validation failed
	{"7.24", ReasonAuthFailure, decisive},    // SPF validation error
	{"7.25", ReasonRequirePTR, decisive},     // reverse DNS validation failed
	{"7.26", ReasonAuthFailure, decisive},    // multiple authentication checks failed (DMARC)
	{"7.27", ReasonRejected, hint},           // sender address has null MX (RFC 7505)
	{"7.28", ReasonSpamDetected, decisive},   // mail flood of similar abusive messages
	{"7.29", ReasonAuthFailure, decisive},    // ARC validation failed
	{"7.30", ReasonFailedSTARTTLS, decisive}, // REQUIRETLS support required
	{"7.10", ReasonFailedSTARTTLS, hint},     // encryption needed
	{"7.509", ReasonAuthFailure, decisive},   // QUIRK: Exchange Online DMARC reject
	{"7.510", ReasonAuthFailure, decisive},   // QUIRK: Exchange Online DMARC reject (sub-domain)
	{"7.515", ReasonAuthFailure, decisive},   // QUIRK: Outlook.com high-volume sender authentication
	{"7.650", ReasonBadReputation, decisive}, // QUIRK: Exchange Online rate limited for IP reputation
	{"7.708", ReasonBadReputation, decisive}, // QUIRK: Exchange Online traffic not accepted from this IP
	{"7.750", ReasonBlocked, decisive},       // QUIRK: Exchange Online unregistered domain blocked
	{"7", ReasonSecurityError, hint},         // delivery not authorized, other security status
}

// Patterns for 5.7.606 to 5.7.649 (Exchange Online "banned sending IP")
// are matched in statusReason, being a range.

// statusIndex is statusRules keyed by code.
var statusIndex = func() map[string]statusRule {
	m := make(map[string]statusRule, len(statusRules))
	for _, s := range statusRules {
		m[s.code] = s
	}
	return m
}()

// statusReason looks a status code up: X.Y.Z, then X.Y.
func statusReason(code string) (Reason, weight) {
	if len(code) < 5 || code[1] != '.' {
		return "", none
	}
	rest := code[2:] // "1.1"
	if s, ok := statusIndex[rest]; ok {
		return s.reason, s.weight
	}
	if rest >= "7.606" && rest <= "7.649" && len(rest) == 5 {
		// QUIRK: Exchange Online, "access denied, banned sending IP".
		return ReasonBlocked, decisive
	}
	subject, _, _ := strings.Cut(rest, ".")
	if subject == "0" || code[0] == '4' && rest == "3.0" {
		// X.0.x says nothing. 4.3.0 is the catch-all temporary code of
		// Postfix, Exchange and Sendmail (any transient trouble, greylisting
		// included): the words decide, as in sisimai's status table.
		return "", none
	}
	if s, ok := statusIndex[subject]; ok {
		return s.reason, s.weight
	}
	return "", none
}

// replyReason maps a bare SMTP reply code to a Reason, used only when
// neither the status nor the text decided.
func replyReason(code string) Reason {
	switch code {
	case "551":
		return ReasonHasMoved // user not local; please try <forward-path> (RFC 5321)
	case "552":
		return ReasonMailboxFull // exceeded storage allocation (RFC 5321)
	case "521", "556":
		return ReasonNotAccept // host / domain does not accept mail (RFC 7504)
	case "421":
		return ReasonBlocked // service not available, closing channel: we were turned away
	case "503", "500", "501", "502", "504":
		return ReasonSyntaxError // command or parameter errors
	}
	return ""
}

// textRule maps a phrase of a diagnostic to a Reason. The phrase is lower
// case with single spaces; "*" stands for a run of up to maxGap characters,
// so "user * unknown" matches "user kijitora@example.org unknown". A phrase
// starts at the start of a word; a leading "*" lets it start anywhere, as
// does a phrase in a CJK script (its UTF-8 lead byte 0xE3 or above).
type textRule struct {
	phrase string
	reason Reason
	weight weight
}

// textRules are tried in order; the first match wins, so a precise phrase
// comes before any looser one that would also match its text.
var textRules = []textRule{
	// Amazon SES "Throttling failure: Daily message quota exceeded": our sending
	// quota, not a mailbox (sisimai toomanyconn).
	{"throttling failure", ReasonSpeeding, decisive},

	// Exchange's own status names and Exchange 2003's native NDR codes (as
	// sisimai's Exchange modules list them): the server's own directory or
	// transport speaking, decisive.
	{"smtpsend.dns.nonexistentdomain", ReasonHostUnknown, decisive}, // Exchange 2007+ "554 5.4.4 SMTPSEND.DNS.NonExistentDomain"
	{"infodomainnonexistent", ReasonHostUnknown, decisive},          // Exchange Online "550 5.4.310 DNS domain x does not exist [Message=InfoDomainNonexistent]"
	{"dns domain * does not exist", ReasonHostUnknown, decisive},    // the same without its bracketed detail
	{"smtpsend.dns.mxloopback", ReasonNetworkError, decisive},       // Exchange 2007+ "554 5.4.4 SMTPSEND.DNS.MxLoopback"
	{"resolver.adr.exrecipnotfound", ReasonUserUnknown, decisive},   // Exchange "550 5.1.1 RESOLVER.ADR.ExRecipNotFound"
	{"resolver.adr.reciplimit", ReasonTooManyConn, decisive},        // Exchange "550 5.5.3 RESOLVER.ADR.RecipLimit": too many recipients
	{"resolver.adr.badprimary", ReasonSystemError, decisive},        // Exchange "550 5.2.0 RESOLVER.ADR.BadPrimary"
	{"resolver.adr.invalidinsmtp", ReasonSystemError, decisive},     // Exchange "550 5.1.0 RESOLVER.ADR.InvalidInSmtp"
	{"resolver.rst.authrequired", ReasonSecurityError, decisive},    // Exchange "550 5.7.1 RESOLVER.RST.AuthRequired"
	{"(000c05a6)", ReasonUserUnknown, decisive},                     // Exchange 2003 "MSEXCH:IMS:... (000C05A6) Unknown Recipient"
	{"(000c0595)", ReasonFiltered, decisive},                        // Exchange 2003 "(000C0595) Ambiguous Recipient"
	{"(000b0981)", ReasonSecurityError, decisive},                   // Exchange 2003 "(000B0981) 502 Server does not support AUTH"
	{"(00050311)", ReasonContentError, decisive},                    // Exchange 2003 "Conversion to Internet format failed"
	{"(000502cc)", ReasonContentError, decisive},                    // Exchange 2003 "Conversion to Internet format failed"
	{"(000d06b5)", ReasonSystemError, decisive},                     // Exchange 2003 "No proxy for recipient"
	{"(00120270)", ReasonNetworkError, decisive},                    // Exchange 2003 "Too Many Hops"

	// Postfix reject_unverified_recipient while its probe has no verdict yet
	// ("450 4.1.1 <a@example.org>: Recipient address rejected: unverified
	// address: Address verification in progress", or the probe's own
	// deferral): its 4.1.1 says nothing about the mailbox. A probe that did
	// bounce reads "undeliverable address: ..." and is judged by its cause.
	{"recipient address rejected: unverified address", ReasonOnHold, decisive}, // (the sender's, "Sender address rejected: unverified address", is rejected below)

	// --- the mailbox is full (before "user"/"account" phrases) ---
	{"sending quota", ReasonSpeeding, decisive},                      // Gmail 5.4.5 "Daily user sending quota exceeded": our quota, not the mailbox
	{"submission quota", ReasonSpeeding, decisive},                   // Exchange Online "550 5.2.2 Submission quota exceeded", "the sender's submission quota was exceeded": our quota, not the mailbox
	{"submissionquota", ReasonSpeeding, decisive},                    // Exchange Online "SubmissionQuotaExceededException"
	{"message receive limit", ReasonSpeeding, decisive},              // Exchange Online 5.2.121/5.2.122 "Recipient's per hour message receive limit (from specific sender) exceeded": a live, flooded recipient
	{"recipient thread limit", ReasonSpeeding, decisive},             // Exchange "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded"
	{"sending limit", ReasonSpeeding, decisive},                      // various "sending limit exceeded"
	{"your daily limit", ReasonSpeeding, decisive},                   // Exchange Online 5.1.90 "you've reached your daily limit for message recipients": our quota, not an address
	{"mailfolder is full", ReasonMailboxFull, decisive},              // various "the user's mailfolder is full"
	{"mailbox exceeded", ReasonMailboxFull, decisive},                // BIGLOBE "messages in recipient's mailbox exceeded the local limit"
	{"mailbox full", ReasonMailboxFull, decisive},                    // Sendmail, Exchange, most
	{"mailbox is full", ReasonMailboxFull, decisive},                 // Postfix local, Dovecot
	{"mailbox size limit exceeded", ReasonMailboxFull, decisive},     // Exchange
	{"over quota", ReasonMailboxFull, decisive},                      // Courier, iCloud, Messaging Server
	{"overquota", ReasonMailboxFull, decisive},                       // Yahoo "overquota"
	{"quota exceeded", ReasonMailboxFull, decisive},                  // Dovecot, Cyrus
	{"quota exceed", ReasonMailboxFull, decisive},                    // variants: "exceeds quota"
	{"exceeded storage allocation", ReasonMailboxFull, decisive},     // RFC 5321 552 wording
	{"out of storage space", ReasonMailboxFull, decisive},            // Gmail OverQuota
	{"insufficient storage", ReasonMailboxFull, decisive},            // various
	{"not enough storage", ReasonMailboxFull, decisive},              // various
	{"mailbox exceeds allowed size", ReasonMailboxFull, decisive},    // Exim appendfile
	{"user has exceeded", ReasonMailboxFull, decisive},               // "user has exceeded their quota"
	{"would exceed mailbox", ReasonMailboxFull, decisive},            // qmail-ldap
	{"account is full", ReasonMailboxFull, decisive},                 // various webmail
	{"inbox is full", ReasonMailboxFull, decisive},                   // various webmail
	{"storage quota", ReasonMailboxFull, decisive},                   // Gmail "storage quota"
	{"over the allowed quota", ReasonMailboxFull, decisive},          // qmail "mailfolder is over the allowed quota"
	{"file too large", ReasonMailboxFull, decisive},                  // Postfix local: mailbox_size_limit reached (EFBIG)
	{"postfach voll", ReasonMailboxFull, decisive},                   // German
	{"casella piena", ReasonMailboxFull, decisive},                   // Italian
	{"buzon lleno", ReasonMailboxFull, decisive},                     // Spanish (unaccented)
	{"buzón lleno", ReasonMailboxFull, decisive},                     // Spanish
	{"quota", ReasonMailboxFull, hint},                               // any other quota wording ("mailbox quota", "exceeds quota")
	{"quota violation", ReasonMailboxFull, decisive},                 // various
	{"exhausted allowed storage", ReasonMailboxFull, decisive},       // various "user has exhausted allowed storage space"
	{"too many messages on the server", ReasonMailboxFull, decisive}, // various
	{"user is over flow", ReasonMailboxFull, decisive},               // NetEase (163.com) "550 User is over flow"
	{"zuviele mails", ReasonMailboxFull, decisive},                   // German "Benutzer hat zuviele Mails auf dem Server"
	{"boite du destinataire pleine", ReasonMailboxFull, decisive},    // Orange (French)

	// After sisimai's mailboxfull list (rb-sisimai lib/sisimai/reason, BSD-2-Clause).
	{"full mailbox", ReasonMailboxFull, decisive},                         // various
	{"exceeded its disk space limit", ReasonMailboxFull, decisive},        // "mailbox has exceeded its disk space limit"
	{"space has been used up", ReasonMailboxFull, decisive},               // "the user's space has been used up"
	{"too much mail data", ReasonMailboxFull, decisive},                   // NTT docomo
	{"would exceed maximum allowed storage", ReasonMailboxFull, decisive}, // "mailbox would exceed maximum allowed storage"
	{"exceeding receiving limits", ReasonMailboxFull, decisive},           // "account disabled temporarly for exceeding receiving limits"
	{"mail file size exceeds", ReasonMailboxFull, decisive},               // "mail file size exceeds the maximum size allowed for mail delivery": the mailbox file
	{"does not have enough space", ReasonMailboxFull, hint},               // "the recipient's mailbox does not have enough space"

	// --- the message is too big ---
	{"message size exceeds", ReasonExceedLimit, hint},                     // Sendmail per-recipient limit
	{"message length exceeds", ReasonExceedLimit, decisive},               // RFC 3463 5.2.3 wording
	{"message too large for this recipient", ReasonExceedLimit, decisive}, // Exchange RecipSizeLimit
	{"recipsizelimit", ReasonExceedLimit, decisive},                       // Exchange RESOLVER.RST.RecipSizeLimit
	{"size limit exceeded", ReasonMesgTooBig, decisive},                   // 1&1 "Mail size limit exceeded" (mailbox size rows come first)
	{"message too large", ReasonMesgTooBig, decisive},                     // most
	{"message too big", ReasonMesgTooBig, decisive},                       // most
	{"message is too large", ReasonMesgTooBig, decisive},                  // Exchange, Gmail
	{"message is too big", ReasonMesgTooBig, decisive},                    // various
	{"size exceeds", ReasonMesgTooBig, hint},                              // "message size exceeds fixed limit"
	{"exceeds size limit", ReasonMesgTooBig, hint},                        // various
	{"exceeds the maximum size", ReasonMesgTooBig, hint},                  // various
	{"maximum message size", ReasonMesgTooBig, hint},                      // various

	// --- the account exists but is disabled ---
	{"account has been disabled", ReasonSuspend, decisive},                     // Yahoo
	{"account is disabled", ReasonSuspend, decisive},                           // Gmail "tried to reach is disabled"
	{"tried to reach is disabled", ReasonSuspend, decisive},                    // Gmail DisabledUser
	{"tried to reach is inactive", ReasonSuspend, decisive},                    // Gmail inactive account
	{"account disabled", ReasonSuspend, decisive},                              // various
	{"account is inactive", ReasonSuspend, decisive},                           // various
	{"account inactive", ReasonSuspend, decisive},                              // various
	{"disabled recipient", ReasonSuspend, decisive},                            // Sendmail 5.7.13
	{"mailbox disabled", ReasonSuspend, decisive},                              // RFC 3463 5.2.1 wording
	{"mailbox is disabled", ReasonSuspend, decisive},                           // various
	{"mailbox is frozen", ReasonSuspend, decisive},                             // i.ua
	{"account is frozen", ReasonSuspend, decisive},                             // various
	{"account has been suspended", ReasonSuspend, decisive},                    // various
	{"account is suspended", ReasonSuspend, decisive},                          // various
	{"account suspended", ReasonSuspend, decisive},                             // various
	{"temporary locked", ReasonSuspend, decisive},                              // "user ... temporary locked"
	{"temporarily locked", ReasonSuspend, decisive},                            // same, correct spelling
	{"account is locked", ReasonSuspend, decisive},                             // various
	{"account is blocked", ReasonSuspend, decisive},                            // La Poste "the recipient account is blocked"
	{"disabled or discontinued", ReasonSuspend, decisive},                      // Yahoo Japan
	{"is not accepting mail at this time", ReasonSuspend, hint},                // various
	{"inactive email address", ReasonSuspend, hint},                            // iCloud "inactive email address" (a 5.1.1 status still decides)
	{"mailbox is inactive", ReasonSuspend, decisive},                           // various
	{"user disabled", ReasonSuspend, decisive},                                 // various
	{"user suspended", ReasonSuspend, decisive},                                // various "550 User suspended"
	{"user is suspended", ReasonSuspend, decisive},                             // various
	{"mailbox currently suspended", ReasonSuspend, decisive},                   // various
	{"mailbox temporarily disabled", ReasonSuspend, decisive},                  // various
	{"mailbox locked or suspended", ReasonSuspend, decisive},                   // various
	{"mailbox was disabled", ReasonSuspend, decisive},                          // "recipient mailbox was disabled"
	{"deactivated mailbox", ReasonSuspend, decisive},                           // various
	{"administratively disabled", ReasonSuspend, decisive},                     // "address is administratively disabled"
	{"blocked due to inactivity", ReasonSuspend, decisive},                     // "mailbox has been blocked due to inactivity"
	{"not currently being accepted for this mailbox", ReasonSuspend, decisive}, // various
	{"inactive user", ReasonSuspend, hint},                                     // various
	{"inactive recipient", ReasonSuspend, hint},                                // various
	{"account expired", ReasonSuspend, hint},                                   // various
	{"expirado por falta de uso", ReasonSuspend, decisive},                     // Spanish "expired for lack of use"
	{"bloccato per inutilizzo", ReasonSuspend, decisive},                       // Italian "blocked for disuse"
	{"zablokowane", ReasonSuspend, hint},                                       // Polish "konto jest zablokowane" (account locked)
	{"mailbox has been disabled", ReasonSuspend, decisive},                     // various

	// After sisimai's suspend list.
	{"is currently suspended", ReasonSuspend, decisive},         // various
	{"temporarily inactive", ReasonSuspend, decisive},           // "recipient rejected: temporarily inactive"
	{"recipient suspend the service", ReasonSuspend, decisive},  // Chinese providers
	{"boite du destinataire archivee", ReasonSuspend, decisive}, // La Poste/Orange (French): the mailbox was archived

	// MTAs' own wordings, as sisimai's qmail and Exim modules list them.
	{"mailaddress is administrativ", ReasonSuspend, decisive},      // qmail-ldap "Mailaddress is administrativly disabled"
	{"maximum size the user accepts", ReasonExceedLimit, decisive}, // qmail-ldap "The message exeeded the maximum size the user accepts"
	{"not enough free space", ReasonSystemFull, decisive},          // qmail "Requested action not taken: mailbox unavailable (not enough free space)"

	// --- the mailbox is gone ---
	{"no longer on server", ReasonHasMoved, decisive},         // iCloud 5.1.6
	{"old address no longer valid", ReasonHasMoved, decisive}, // various
	{"no longer an employee", ReasonHasMoved, decisive},       // corporate gateways
	{"has moved", ReasonHasMoved, hint},                       // "mailbox has moved"
	{"not our customer", ReasonHasMoved, hint},                // Sendmail 551 wording
	{"not our user", ReasonHasMoved, hint},                    // 551 wording
	{"user not local", ReasonHasMoved, hint},                  // RFC 5321 551 wording
	{"no longer available", ReasonHasMoved, hint},             // various "address no longer available"
	{"no longer valid", ReasonUserUnknown, hint},              // "this address is no longer valid"

	{"address * has been replaced by", ReasonHasMoved, hint}, // "address x has been replaced by y" (sisimai hasmoved); not "the attachment has been replaced by"

	// --- the domain takes no mail ---
	{"couldn't find a mail exchanger", ReasonNotAccept, decisive},  // qmail: no MX and no address for the domain
	{"no mx record", ReasonNotAccept, decisive},                    // Yahoo "No mx record found for domain"
	{"no mx found", ReasonNotAccept, decisive},                     // OpenSMTPD "No MX found for domain"
	{"indicated no smtp service", ReasonNotAccept, decisive},       // Exim "an MX or SRV record indicated no SMTP service"
	{"null mx", ReasonNotAccept, decisive},                         // RFC 7505 null MX
	{"does not accept mail with", ReasonPolicyViolation, decisive}, // "the recipient does not accept mail with attachments": our message, not the domain
	{"doesn't accept mail from", ReasonFiltered, decisive},         // the same, contracted
	{"does not accept mail", ReasonNotAccept, decisive},            // Sendmail null MX, RFC 7504 521
	{"doesn't receive email", ReasonNotAccept, decisive},           // Gmail null MX
	{"does not receive email", ReasonNotAccept, decisive},          // variants
	{"not accepting network messages", ReasonNotAccept, hint},      // RFC 3463 5.3.2 wording

	// cPanel's Exim wording for an unroutable recipient (sisimai's hostunknown
	// list): cPanel's cannot_route_message of the dnslookup router, which
	// replaces Exim's "Unrouteable address" when the domain does not resolve.
	// Before the blocklist rows, which its "may be blacklisted" would hit.
	{"the account or domain may not exist", ReasonHostUnknown, decisive},

	// --- relaying refused: we reached the wrong host ---
	{"no relaying", ReasonNoRelaying, decisive},                           // various
	{"insecure mail relay", ReasonNoRelaying, decisive},                   // older gateways refusing to relay
	{"relay access denied", ReasonNoRelaying, decisive},                   // Postfix
	{"relaying denied", ReasonNoRelaying, decisive},                       // Sendmail
	{"relay denied", ReasonNoRelaying, decisive},                          // various
	{"relay not permitted", ReasonNoRelaying, decisive},                   // Exim
	{"relaying not allowed", ReasonNoRelaying, decisive},                  // various
	{"not permitted to relay", ReasonNoRelaying, decisive},                // Exchange
	{"unable to relay", ReasonNoRelaying, decisive},                       // Exchange, Sendmail
	{"not configured to relay", ReasonNoRelaying, decisive},               // various
	{"we do not relay", ReasonNoRelaying, decisive},                       // various
	{"relaying mail to", ReasonNoRelaying, hint},                          // "not allowed relaying mail to"
	{"isn't in my list of allowed rcpthosts", ReasonNoRelaying, decisive}, // qmail
	{"not in my list of allowed rcpthosts", ReasonNoRelaying, decisive},   // qmail variant
	{"email address is not verified", ReasonNoRelaying, decisive},         // Amazon SES sandbox: identity not verified

	// After sisimai's norelaying list.
	{"not allowed to relay", ReasonNoRelaying, decisive},               // "not allowed to relay through this machine"
	{"list of allowed rcpthost", ReasonNoRelaying, decisive},           // qmail, singular variant
	{"send to a non-local e-mail address", ReasonNoRelaying, decisive}, // MailEnable "requires authentication when attempting to send to a non-local e-mail address"

	// --- spam verdicts worded precisely (before SPF: such texts advise on SPF) ---
	{"spam classification", ReasonSpamDetected, decisive}, // Google Groups "rejected due to spam classification"
	{"detected as spam", ReasonSpamDetected, decisive},    // various
	{"classified as spam", ReasonSpamDetected, decisive},  // various
	{"scored as spam", ReasonSpamDetected, decisive},      // "has been scored as spam with a probability"
	{"identified as spam", ReasonSpamDetected, decisive},  // various
	{"considered spam", ReasonSpamDetected, decisive},     // various
	{"looks like spam", ReasonSpamDetected, decisive},     // various
	{"appears to be spam", ReasonSpamDetected, decisive},  // various
	{"rejected as spam", ReasonSpamDetected, decisive},    // various
	{"spam score", ReasonSpamDetected, decisive},          // SpamAssassin score reports
	{"spam content", ReasonSpamDetected, decisive},        // various
	{"spam message", ReasonSpamDetected, decisive},        // mail.ru "spam message rejected"
	{"spam detected", ReasonSpamDetected, decisive},       // various
	{"- spam", ReasonSpamDetected, decisive},              // amavisd-new "Reject, id=... - SPAM"

	// After sisimai's spamdetected list.
	{"spam or virus", ReasonSpamDetected, decisive},               // "message contains spam or virus" (before the virus rows)
	{"spam/virus", ReasonSpamDetected, decisive},                  // "rejected for possible spam/virus content"
	{"no spam please", ReasonSpamDetected, decisive},              // "blocked by policy: no spam please"
	{"spamassassin", ReasonSpamDetected, decisive},                // "blocked by SpamAssassin", "SpamAssassin score"
	{"recurrent pattern detection", ReasonSpamDetected, decisive}, // Cloudmark RPD
	{"bulk.advertising", ReasonSpamDetected, decisive},            // various
	{"uribl", ReasonSpamDetected, decisive},                       // a URI blocklist: our content, not our IP
	{"blocked by our filter", ReasonSpamDetected, decisive},       // "your message has been temporarily blocked by our filter"
	{"unacceptable content", ReasonSpamDetected, hint},            // "message rejected because of unacceptable content"
	{"rejecting mail content", ReasonSpamDetected, hint},          // various

	// --- sender authentication: SPF, DKIM, DMARC ---
	{"dmarc", ReasonAuthFailure, decisive},                                    // any DMARC rejection
	{"spf record", ReasonAuthFailure, decisive},                               // "has an SPF record with a hard fail", GoDaddy
	{"spf check", ReasonAuthFailure, decisive},                                // "fails to pass SPF checks"
	{"spf fail", ReasonAuthFailure, decisive},                                 // "SPF fail", "SPF failure"
	{"spf validation", ReasonAuthFailure, decisive},                           // RFC 7372 wording
	{"spf permerror", ReasonAuthFailure, decisive},                            // various
	{"bad spf", ReasonAuthFailure, decisive},                                  // Exim "Bad SPF records"
	{"sender policy framework", ReasonAuthFailure, decisive},                  // various
	{"spf: ", ReasonAuthFailure, hint},                                        // "SPF: ... is not allowed to send"
	{"dkim", ReasonAuthFailure, hint},                                         // DKIM failures (also Gmail auth results)
	{"sender is unauthenticated", ReasonAuthFailure, decisive},                // Gmail 5.7.26
	{"unauthenticated email", ReasonAuthFailure, decisive},                    // Gmail 5.7.26 DMARC
	{"does not have authentication information", ReasonAuthFailure, decisive}, // Gmail 5.7.1 auth
	{"authenticate with either spf or dkim", ReasonAuthFailure, decisive},     // Gmail bulk sender rules
	{"not allowed to send from", ReasonAuthFailure, hint},                     // "is not allowed to send from <dom> per its SPF"

	// --- our IP's reverse DNS ---
	{"reverse dns", ReasonRequirePTR, decisive},                            // "Fix reverse DNS", RFC 7372
	{"reverse lookup", ReasonRequirePTR, decisive},                         // various
	{"ptr record", ReasonRequirePTR, decisive},                             // Gmail 5.7.25
	{"dns ptr", ReasonRequirePTR, decisive},                                // GMX "Bad DNS PTR resource record"
	{"no ptr", ReasonRequirePTR, decisive},                                 // various
	{"rdns", ReasonRequirePTR, decisive},                                   // various
	{"ip name lookup failed", ReasonRequirePTR, decisive},                  // Sendmail access "IP name lookup failed"
	{"without a valid sender domain", ReasonRequirePTR, decisive},          // cPanel/Exim
	{"mismatches client ip", ReasonRequirePTR, decisive},                   // Outlook.com HELO/PTR mismatch
	{"cannot find your hostname", ReasonRequirePTR, decisive},              // Exim helo/ptr checks
	{"cannot resolve your", ReasonRequirePTR, decisive},                    // various
	{"no reverse", ReasonRequirePTR, decisive},                             // "no reverse DNS"
	{"hostname does not resolve", ReasonRequirePTR, hint},                  // various
	{"reverse hostname", ReasonRequirePTR, decisive},                       // various
	{"client host rejected: cannot find your", ReasonRequirePTR, decisive}, // Postfix reject_unknown_client
	{"unverifyable sending ip", ReasonRequirePTR, decisive},                // "service permits 2 unverifyable sending IPs" (sisimai requireptr): our IP does not verify

	{"unresolvable relay host name", ReasonRequirePTR, decisive}, // Sendmail: our host name does not resolve (sisimai requireptr)

	// --- our reputation ---
	{"user complaints", ReasonBadReputation, decisive},              // Yahoo TS01/TS02 "temporarily deferred due to user complaints"
	{"unexpected volume", ReasonBadReputation, decisive},            // Yahoo TSS04 "deferred due to unexpected volume or user complaints"
	{"too many bounces", ReasonBadReputation, decisive},             // "domain has received too many bounces": our list quality
	{"excessive unknown recipients", ReasonBadReputation, decisive}, // Yahoo "451 VS1-IP Excessive unknown recipients - possible Open Relay (#4.1.8)": our list quality, no recipient's verdict
	{"reputation", ReasonBadReputation, decisive},                   // Gmail, Microsoft, Yahoo "IP reputation"
	{"poor sending history", ReasonBadReputation, decisive},         // various
	{"sender score", ReasonBadReputation, decisive},                 // Validity Sender Score

	// --- our IP or host is blocked ---
	{"my name was rejected", ReasonBlocked, decisive},                  // qmail: our HELO name was refused
	{"smtp server of your isp", ReasonBlocked, decisive},               // "please use the SMTP server of your ISP": dynamic IP policy
	{"unwanted messages", ReasonBlocked, decisive},                     // Outlook.com "too many unwanted messages have been sent from" our IP
	{"blacklisted url", ReasonSpamDetected, decisive},                  // URI blocklist hit: our content
	{"address that has been blacklisted", ReasonRejected, decisive},    // an envelope address, not our IP
	{"email address has been blacklisted", ReasonRejected, decisive},   // MessageLabs, the sender address
	{"invalid ip", ReasonBlocked, hint},                                // Yahoo "INVALID IP FOR SENDING MAIL OF DOMAIN"
	{"blocked using", ReasonBlocked, decisive},                         // Postfix reject_rbl_client
	{"listed at", ReasonBlocked, decisive},                             // "listed at zen.spamhaus.org"
	{"not listed in", ReasonUserUnknown, hint},                         // "recipient not listed in (the) directory": a lookup, not a blocklist
	{"listed in", ReasonBlocked, hint},                                 // "listed in SBL", "listed in RBL"
	{"listed by", ReasonBlocked, hint},                                 // "is listed by bl.example.org"
	{"greylist", ReasonBlocked, hint},                                  // greylisting: the receiver deferred us
	{"listed on", ReasonBlocked, hint},                                 // "listed on a blocklist"
	{"spamhaus", ReasonBlocked, decisive},                              // Spamhaus blocklists
	{"spamcop", ReasonBlocked, decisive},                               // SpamCop blocklist
	{"barracudacentral", ReasonBlocked, decisive},                      // Barracuda reputation blocklist
	{"sorbs", ReasonBlocked, decisive},                                 // SORBS blocklists
	{"abuseat.org", ReasonBlocked, decisive},                           // CBL
	{"dnsbl", ReasonBlocked, decisive},                                 // generic DNS blocklist
	{"rbl", ReasonBlocked, hint},                                       // "RBL", "URIBL" (hint: also "uribl" content)
	{"blacklisted", ReasonBlocked, decisive},                           // "IP address blacklisted by recipient"
	{"black listed", ReasonBlocked, decisive},                          // GMX "554-IP address is black listed."
	{"black-listed", ReasonBlocked, decisive},                          // variants
	{"will not accept delivery of this message", ReasonBlocked, hint},  // AOL "521 5.2.1 : AOL will not accept delivery of this message": our host refused (not a disabled mailbox)
	{"blacklist", ReasonBlocked, decisive},                             // "on our blacklist"
	{"blocklist", ReasonBlocked, decisive},                             // inclusive wording
	{"block list", ReasonBlocked, decisive},                            // inclusive wording
	{"denylist", ReasonBlocked, decisive},                              // inclusive wording
	{"banned sending ip", ReasonBlocked, decisive},                     // Exchange Online 5.7.606
	{"bloquee", ReasonBlocked, decisive},                               // Orange "adresse IP source bloquee"
	{"client host blocked", ReasonBlocked, decisive},                   // Orange English half
	{"client host rejected", ReasonBlocked, hint},                      // Postfix smtpd_client_restrictions
	{"helo command rejected", ReasonBlocked, decisive},                 // Postfix smtpd_helo_restrictions
	{"may not be mail exchanger", ReasonBlocked, decisive},             // Postfix check for MX hosts as clients
	{"refused to talk to me", ReasonBlocked, decisive},                 // Postfix: the server turned us away at connect
	{"not accepting connections", ReasonBlocked, hint},                 // iCloud "ESMTP not accepting connections"
	{"connection refused due to abuse", ReasonBlocked, decisive},       // various
	{"bad ip profile", ReasonBlocked, decisive},                        // various "extreme bad IP profile"
	{"dynamic-ip", ReasonBlocked, decisive},                            // "dial-up or dynamic-ip denied"
	{"not allowed access from your location", ReasonBlocked, decisive}, // various
	{"permanently deferred", ReasonBlocked, decisive},                  // Yahoo PH01 "permanently deferred"
	{"sc-00", ReasonBlocked, decisive},                                 // QUIRK: Outlook.com SC-001..004: our IP refused for policy or reputation
	{"ou-00", ReasonBlocked, decisive},                                 // QUIRK: Outlook.com OU-001/002: our IP is on their block list
	{"dy-00", ReasonBlocked, decisive},                                 // QUIRK: Outlook.com DY-001/002: mail from a dynamic IP
	{"ips blocked", ReasonBlocked, hint},                               // various
	{"blocked - see", ReasonBlocked, decisive},                         // Proofpoint "Blocked - see https://..."
	{"host network not allowed", ReasonPolicyViolation, decisive},      // Mimecast 554
	{"dynamic ip", ReasonBlocked, decisive},                            // "mail from dynamic IPs"
	{"dynamic/zombied", ReasonBlocked, decisive},                       // various
	{"open proxy", ReasonBlocked, decisive},                            // Sendmail
	{"your ip", ReasonBlocked, hint},                                   // "your IP ... has been blocked"
	{"ip address is blocked", ReasonBlocked, decisive},                 // various
	{"blocked ip", ReasonBlocked, hint},                                // various
	{"was blocked by", ReasonBlocked, hint},                            // various
	{"blocked by", ReasonBlocked, hint},                                // various
	{"not allowed to connect", ReasonBlocked, decisive},                // various
	{"connection refused by", ReasonBlocked, hint},                     // connection refused by a named host
	{"access denied, banned recipient", ReasonFiltered, decisive},      // Exchange Online 5.7.505: the recipient is refused by Microsoft's policy ("isn't valid"), not our IP; counted, not hard on one bounce
	{"access denied, banned", ReasonBlocked, decisive},                 // Exchange Online 5.7.606 wording
	{"service refused", ReasonBlocked, hint},                           // Orange "Service refused, please try later"
	{"(bl)", ReasonBlocked, hint},                                      // Sendmail-based filters tagging a blocklist hit

	// After sisimai's blocked list.
	{"no access from mail server", ReasonBlocked, decisive},   // various
	{"server requires confirmation", ReasonBlocked, decisive}, // "your server requires confirmation"
	{"confirm this mail server", ReasonBlocked, hint},         // various
	{"suspiciously like spammer", ReasonBlocked, decisive},    // qmail rblsmtpd "your remotehost looks suspiciously like spammer"

	// --- rate limits (before spam: "too many spam" is a complaint rate) ---
	{"sent to too many recipients", ReasonSpeeding, decisive},          // GoDaddy IB607 "has sent to too many recipients this hour"
	{"too many connections", ReasonTooManyConn, decisive},              // most
	{"too many concurrent", ReasonTooManyConn, decisive},               // "too many concurrent SMTP connections"
	{"too many simultaneous", ReasonTooManyConn, decisive},             // various
	{"connection rate limit", ReasonTooManyConn, decisive},             // Postfix anvil
	{"connection frequency limited", ReasonTooManyConn, decisive},      // Tencent QQ
	{"ip frequency limited", ReasonTooManyConn, decisive},              // Tencent QQ
	{"frequency limited", ReasonSpeeding, decisive},                    // Tencent QQ "550 Sender frequency limited", NetEase "MI:DMC frequency limited": our sending rate
	{"mailbox unavailable or access denied", ReasonSpeeding, decisive}, // Tencent QQ: the recipient got too much mail in a short time and is closed to senders for a while (documented meaning), not a dead mailbox
	{"too many recipients", ReasonTooManyConn, decisive},               // RFC 3463 5.5.3, Postfix
	{"too many sessions", ReasonTooManyConn, decisive},                 // various
	{"receiving mail at a rate", ReasonSpeeding, decisive},             // Gmail ReceivingRate
	{"receiving email at a rate", ReasonSpeeding, decisive},            // Gmail "550-5.2.1 The user you are trying to contact is receiving email at a rate that prevents ..."
	{"receiving email too quickly", ReasonSpeeding, decisive},          // Gmail "450-4.2.1 ... is receiving email too quickly"
	{"receiving mail too quickly", ReasonSpeeding, decisive},           // Yahoo "450 User is receiving mail too quickly"
	{"relay limit", ReasonSpeeding, decisive},                          // Google Workspace "Peak/Daily SMTP relay limit exceeded": our relay quota
	{"rate limit", ReasonSpeeding, decisive},                           // generic "rate limited"/"rate limit exceeded"
	{"ratelimit", ReasonSpeeding, decisive},                            // various
	{"rate-limit", ReasonSpeeding, decisive},                           // various
	{"sending too fast", ReasonSpeeding, decisive},                     // various
	{"too many messages", ReasonSpeeding, decisive},                    // "too many messages in this connection/hour"
	{"too many emails", ReasonSpeeding, decisive},                      // various
	{"exceeded the limit", ReasonSpeeding, hint},                       // various sending quotas
	{"dt:spm", ReasonSpamDetected, decisive},                           // QUIRK: NetEase (163.com, 126.com) "554 DT:SPM": the message was judged spam
	{"allowable number of posts", ReasonSpeeding, decisive},            // Google Groups "You have exceeded the allowable number of posts without solving a captcha": our sender's posting limit
	{"throttl", ReasonSpeeding, decisive},                              // "throttled", "throttling"

	// After sisimai's toomanyconn list.
	{"connection limit", ReasonTooManyConn, decisive},             // "at maximum connection limit", "exceeds per-domain connection limit"
	{"too many smtp sessions", ReasonTooManyConn, decisive},       // Sendmail daemon.c
	{"too many errors from your ip", ReasonTooManyConn, decisive}, // Free.fr
	{"trop de connexions", ReasonTooManyConn, decisive},           // French "too many connections"
	{"max emails per hour", ReasonSpeeding, decisive},             // "has exceeded the max emails per hour"

	// --- our content: spam, virus, format ---
	{"ofr_506", ReasonSpamDetected, decisive},                       // QUIRK: Orange "Mail rejete. Mail rejected. OFR_506": their code for spam
	{"virus", ReasonVirusDetected, decisive},                        // "virus detected", "infected"
	{"malware", ReasonVirusDetected, decisive},                      // various
	{"infected", ReasonVirusDetected, decisive},                     // various
	{"antispam", ReasonSpamDetected, hint},                          // "failed several antispam checks"
	{"antyspam", ReasonSpamDetected, hint},                          // Polish "system antyspamowy"
	{"declared spam", ReasonSpamDetected, decisive},                 // various "your message was declared spam"
	{"spam", ReasonSpamDetected, hint},                              // any spam verdict (blocklist rows above win)
	{"ube,", ReasonSpamDetected, hint},                              // Barracuda "Message content rejected, UBE, id=..." (unsolicited bulk email)
	{"unsolicited", ReasonSpamDetected, decisive},                   // "appears to be unsolicited"
	{"bulk mail", ReasonSpamDetected, decisive},                     // various
	{"bulk email", ReasonSpamDetected, decisive},                    // various
	{"mail content denied", ReasonSpamDetected, decisive},           // Tencent QQ content filter
	{"message content rejected", ReasonSpamDetected, decisive},      // Barracuda, SES receiving
	{"content rejected", ReasonSpamDetected, hint},                  // various
	{"content filter", ReasonSpamDetected, hint},                    // "content filter rejection"
	{"junk mail", ReasonSpamDetected, decisive},                     // various
	{"phishing", ReasonSpamDetected, hint},                          // various
	{"suspicious", ReasonSpamDetected, hint},                        // "likely suspicious"
	{"suppressed sending", ReasonSuppressed, decisive},              // Amazon SES "has suppressed sending to this address"
	{"suppression list", ReasonSuppressed, decisive},                // SES, SendGrid, Postmark: on the provider's list
	{"messageid header", ReasonNotCompliantRFC, decisive},           // Gmail "Messages missing a valid messageId header"
	{"message-id header", ReasonNotCompliantRFC, hint},              // various
	{"without to: field", ReasonNotCompliantRFC, hint},              // CommuniGate "Messages without To: fields are not accepted here": our header
	{"multiple addresses in from", ReasonNotCompliantRFC, decisive}, // Gmail RFC 5322 check
	{"multiple from addresses", ReasonNotCompliantRFC, decisive},    // Exchange Online 5.1.20 "Multiple From addresses are not allowed": our header, not an address
	{"not rfc 5322 compliant", ReasonNotCompliantRFC, decisive},     // Gmail RfcMessageNonCompliant
	{"rfc 5322", ReasonNotCompliantRFC, hint},                       // various
	{"rfc5322", ReasonNotCompliantRFC, hint},                        // various
	{"duplicate header", ReasonNotCompliantRFC, decisive},           // SES "Duplicate header"
	{"improper use of 8-bit data", ReasonContentError, decisive},    // Sendmail 5.6.9
	{"headers too large", ReasonContentError, decisive},             // Sendmail
	{"header error", ReasonPolicyViolation, hint},                   // Yahoo 5.7.9 "Header error"
	{"header too long", ReasonContentError, decisive},               // various
	{"line too long", ReasonContentError, decisive},                 // various
	{"line limit exceeded", ReasonContentError, hint},               // "500 Line limit exceeded" after end of data: a line of the message over the receiver's limit
	{"message header", ReasonContentError, hint},                    // "invalid message header"
	{"mime ", ReasonContentError, hint},                             // "invalid MIME structure" (the word, not "mimecast.com" in every Mimecast reply's URL)
	{"mime-", ReasonContentError, hint},                             // "MIME-Version header missing"
	{"mime.", ReasonContentError, hint},                             // "... invalid MIME."
	{"attachment", ReasonPolicyViolation, hint},                     // "attachment type not allowed"

	// --- the recipient's own filter ---
	{"550 : user unknown", ReasonFiltered, decisive},                     // QUIRK: au/KDDI answers its recipients' sender filters after DATA with an empty address; unknown users get "550 <addr>: User unknown" at RCPT
	{"550: : user unknown", ReasonFiltered, decisive},                    // QUIRK: the same reply as Yahoo relays it
	{"recipient preferences", ReasonFiltered, decisive},                  // Facebook "refused due to recipient preferences"
	{"message filtered", ReasonFiltered, decisive},                       // SES receiving 5.2.0
	{"user rules", ReasonFiltered, decisive},                             // "rejected due to user rules"
	{"refuses to receive", ReasonFiltered, decisive},                     // "user refuses to receive this mail"
	{"refuse to receive", ReasonFiltered, decisive},                      // various
	{"only accepting mail from", ReasonFiltered, decisive},               // AOL "recipient is only accepting mail from specific"
	{"blocked by the recipient", ReasonFiltered, decisive},               // various
	{"sender is not allowed by the recipient", ReasonFiltered, decisive}, // various
	{"domain filter", ReasonFiltered, hint},                              // Japanese carriers' domain filter

	// After sisimai's filtered list.
	{"is not accepting any mail", ReasonFiltered, decisive},    // various
	{"this account is protected by", ReasonFiltered, decisive}, // challenge-response systems
	{"has restricted sms e-mail", ReasonFiltered, decisive},    // AT&T
	{"resolver.rst.notauthorized", ReasonFiltered, decisive},   // Exchange: the sender may not write to this recipient or group
	{"sendasdenied", ReasonRejected, decisive},                 // Exchange Online "554 5.2.252 SendAsDenied; <sender> not allowed to send as <from>": our sending account, not the recipient
	{"unresolvable rfc.532", ReasonRejected, decisive},         // Yahoo "451 Message temporarily deferred due to unresolvable RFC.5321 from domain" (or RFC.5322, 451 or 554): our envelope or header From domain
	{"user reject", ReasonFiltered, hint},                      // "user reject", "user rejected your mail"
	{"bounced address", ReasonSuppressed, hint},                // SendGrid "Bounced Address": on the provider's list

	// --- DNS and network on the way ---
	{"malformed or unexpected name server reply", ReasonNetworkError, decisive}, // Postfix DNS failure (not NXDOMAIN)
	{"name server reply", ReasonNetworkError, hint},                             // various
	{"host not found, try again", ReasonNetworkError, decisive},                 // Postfix: DNS TRY_AGAIN, not NXDOMAIN
	{"host name lookup failure", ReasonNetworkError, decisive},                  // Sendmail "Name server: ...: host name lookup failure"
	{"network error", ReasonNetworkError, hint},                                 // OpenSMTPD "Network error on destination MXs"
	{"message is looping", ReasonNetworkError, decisive},                        // qmail "This message is looping: it already has my Delivered-To line"
	{"mail loop", ReasonNetworkError, decisive},                                 // "possible mail loop", Postfix/Sendmail "mail loops back to myself"
	{"forwarded more than the maximum", ReasonNetworkError, decisive},           // Exchange hop limit
	{"name service error", ReasonNetworkError, hint},                            // Postfix DNS errors not matched more precisely above or below
	{"can't connect to", ReasonNetworkError, hint},                              // various
	{"too many hops", ReasonNetworkError, decisive},                             // Sendmail 5.4.6
	{"hop count exceeded", ReasonNetworkError, decisive},                        // Domino, Exim "routing loop"
	{"routing loop", ReasonNetworkError, decisive},                              // various
	{"loop detected", ReasonNetworkError, decisive},                             // various
	{"no route to host", ReasonNetworkError, decisive},                          // connect error
	{"network is unreachable", ReasonNetworkError, decisive},                    // connect error
	{"connection refused", ReasonNetworkError, hint},                            // connect error (no host named)
	{"connection dropped", ReasonNetworkError, hint},                            // "Connection dropped due to timeout"
	{"lost connection", ReasonNetworkError, decisive},                           // Postfix "lost connection with ..."
	{"connection reset", ReasonNetworkError, hint},                              // various
	{"connection closed", ReasonNetworkError, hint},                             // various
	{"dns error", ReasonNetworkError, hint},                                     // Gmail "DNS Error: ..." (NXDOMAIN rows below refine)
	{"temporary lookup failure", ReasonNetworkError, decisive},                  // Postfix
	{"servfail", ReasonNetworkError, decisive},                                  // DNS SERVFAIL

	// After sisimai's networkerror list.
	{"host is unreachable", ReasonNetworkError, decisive},                  // EHOSTUNREACH
	{"mail forwarding loop", ReasonNetworkError, decisive},                 // Postfix "mail forwarding loop for x"
	{"forwarding loop count", ReasonNetworkError, decisive},                // "maximum forwarding loop count exceeded"
	{"message looping", ReasonNetworkError, decisive},                      // various
	{"unable to resolve route", ReasonNetworkError, hint},                  // various
	{"could not connect and send", ReasonNetworkError, hint},               // various
	{"dns records for the destination computer", ReasonNetworkError, hint}, // Exchange "DNS records for the destination computer could not be found"

	{"listed as a best-preference mx", ReasonNetworkError, decisive}, // qmail "Although I'm listed as a best-preference MX or A for that host, it isn't in my control/locals file"

	// OpenSMTPD's and Courier's own routing failures (mta.c, esmtpclient.c; as
	// sisimai's modules list them).
	{"destination seem to reject all mails", ReasonBlocked, hint},       // OpenSMTPD: every MX refused the connection; sisimai says notaccept, but a refusal of our host by all MXs looks the same, so not hard
	{"no valid route to", ReasonNetworkError, decisive},                 // OpenSMTPD "No valid route to remote MX", "... to destination"
	{"all routes to destination blocked", ReasonNetworkError, decisive}, // OpenSMTPD
	{"address family mismatch", ReasonNetworkError, decisive},           // OpenSMTPD
	{"temporary failure in mx lookup", ReasonNetworkError, decisive},    // OpenSMTPD
	{"could not retrieve source address", ReasonNetworkError, decisive}, // OpenSMTPD
	{"bad dns lookup error code", ReasonNetworkError, decisive},         // OpenSMTPD
	{"could not retrieve credentials", ReasonSecurityError, decisive},   // OpenSMTPD: our relay credentials
	{"dns violates rfc 1035", ReasonSystemError, decisive},              // Courier "This domain's DNS violates RFC 1035."
	{"dns lookup failed", ReasonNetworkError, hint},                     // Courier "DNS lookup failed."

	// --- delivery gave up ---
	{"dns query failed", ReasonNetworkError, decisive},                  // Exchange Online 5.4.312 "message expired, DNS query failed"
	{"cannot send message for", ReasonExpired, decisive},                // Sendmail "Cannot send message for 5 days"
	{"unable to deliver this message after", ReasonExpired, decisive},   // Messaging Server "unable to deliver this message after 1 day"
	{"still undelivered after", ReasonExpired, decisive},                // Sendmail delay warning "message still undelivered after 4 hours"
	{"unable to connect successfully", ReasonExpired, hint},             // Exchange "due to being unable to connect successfully to the destination"
	{"not yet been delivered", ReasonExpired, hint},                     // delay notices "has not yet been delivered"
	{"delivery attempts will continue", ReasonExpired, hint},            // Exchange/Symantec delay notices
	{"was not delivered within", ReasonExpired, decisive},               // au/KDDI "not delivered within 0 days and 1 hours"
	{"not responding", ReasonExpired, hint},                             // "Remote host is not responding" after the retries
	{"envelope expired", ReasonExpired, decisive},                       // OpenSMTPD
	{"in the queue too long", ReasonExpired, vague},                     // qmail "this message has been in the queue too long"
	{"did not accept our requests to connect", ReasonExpired, decisive}, // Gmail: gave up connecting
	{"retries, giving up", ReasonExpired, decisive},                     // Yahoo "after multiple retries, giving up"
	{"delivery failed * attempts:", ReasonExpired, decisive},            // IMail "Delivery failed 20 attempts"
	{"will be retried", ReasonExpired, hint},                            // Gmail delay notice "will be retried for 2 more day(s)"
	{"not reachable", ReasonExpired, hint},                              // Zoho "Host not reachable" after the retries
	{"could not deliver for", ReasonExpired, decisive},                  // DragonFly dma "Could not deliver for the last N seconds"
	{"failing for a long time", ReasonExpired, decisive},                // Exim "all hosts have been failing for a long time"
	{"message expired", ReasonExpired, decisive},                        // SES, Exchange, most
	{"queue.expired", ReasonExpired, decisive},                          // Exchange QUEUE.Expired
	{"delivery time expired", ReasonExpired, decisive},                  // RFC 3463 4.4.7 wording
	{"retry timeout exceeded", ReasonExpired, decisive},                 // Exim
	{"retry time not reached", ReasonExpired, decisive},                 // Exim
	{"too long in queue", ReasonExpired, decisive},                      // various
	{"has been delayed", ReasonExpired, hint},                           // delay notices
	{"could not be delivered for", ReasonExpired, decisive},             // "could not be delivered for N days"
	{"timed out", ReasonExpired, hint},                                  // "Connection timed out" after the last retry
	{"timeout", ReasonExpired, hint},                                    // various

	// After sisimai's expired list.
	{"it has not been collected after", ReasonExpired, decisive}, // various
	{"could not find a gateway for", ReasonExpired, hint},        // Messaging Server routing gave up
	{"server did not respond", ReasonExpired, hint},              // various
	{"giving up on", ReasonExpired, vague},                       // qmail "Giving up on 192.0.2.1" (a stated cause comes first)

	// --- the envelope sender was refused (before the user rows: "sender ... does not exist") ---
	{"provide a valid from", ReasonRejected, decisive},              // GoDaddy IB506 "From: Domain is invalid. Please provide a valid From:"
	{"domain of sender address", ReasonRejected, decisive},          // Sendmail/Postfix "Domain of sender address ... does not exist"
	{"sender address rejected", ReasonRejected, decisive},           // Postfix smtpd_sender_restrictions
	{"sender rejected", ReasonRejected, decisive},                   // various
	{"sender verify failed", ReasonRejected, decisive},              // Exim callout
	{"verification failed for <@>", ReasonRejected, decisive},       // Exim's first line of a sender-verify refusal, "550-Verification failed for <our sender>" (the "Sender verify failed" line is often cut from Diagnostic-Code; Sendmail then reports its own 5.1.1)
	{"sender verification failed", ReasonRejected, decisive},        // various
	{"invalid sender", ReasonRejected, decisive},                    // various
	{"sender domain", ReasonRejected, hint},                         // "sender domain must exist"
	{"invalid dns mx or a/aaaa", ReasonRejected, decisive},          // GMX, web.de, IONOS "550-Requested action not taken: mailbox unavailable 550 invalid DNS MX or A/AAAA resource record": our envelope sender's domain, not the mailbox
	{"sender address does not exist", ReasonRejected, decisive},     // various: our envelope sender, not the recipient
	{"sender does not exist", ReasonRejected, decisive},             // various
	{"unroutable sender", ReasonRejected, decisive},                 // various
	{"sender was rejected", ReasonRejected, decisive},               // qmail
	{"purported responsible address", ReasonRejected, decisive},     // Courier Sender-ID
	{"mail from not owned", ReasonRejected, decisive},               // various
	{"null sender", ReasonRejected, decisive},                       // "null sender is not allowed"
	{"bounce not accepted", ReasonRejected, decisive},               // various
	{"not a registered gateway user", ReasonRejected, decisive},     // gateway refusing our sender
	{"permission to post", ReasonRejected, decisive},                // Google Groups "you may not have permission to post"
	{"not allowed to post", ReasonRejected, decisive},               // mailing lists
	{"not authorized to post", ReasonRejected, decisive},            // mailing lists
	{"not a member of this list", ReasonRejected, decisive},         // mailing lists: "You are not a member of this list"
	{"not a member of this mailing list", ReasonRejected, decisive}, // fml "You are not a member of this mailing list <list@...>"
	{"not a member of the list", ReasonRejected, decisive},          // variants
	{"not a member of this group", ReasonRejected, decisive},        // Google Groups and the like (not "not a member of this domain", a directory verdict)
	{"duplicated message-id", ReasonSystemError, decisive},          // fml's loop alert: the list refused a Message-ID it had already seen
	{"mail from", ReasonRejected, hint},                             // "MAIL FROM rejected"

	// After sisimai's rejected list.
	{"recipient addresses rejected : access denied", ReasonRejected, decisive}, // Exchange Online "All recipient addresses rejected : Access denied": the tenant refused our sender
	{"batv", ReasonRejected, decisive},                                         // BATV: our bounce address tag failed
	{"backscatter protection", ReasonRejected, decisive},                       // MDaemon
	{"emetteur invalide", ReasonRejected, decisive},                            // French "invalid sender"
	{"empty envelope senders", ReasonRejected, decisive},                       // various
	{"no third-party dsns", ReasonRejected, decisive},                          // SpamWall
	{"returned mail not accepted here", ReasonRejected, decisive},              // various
	{"sender not pre-approved", ReasonRejected, decisive},                      // various
	{"sender is spammer", ReasonRejected, decisive},                            // various: our envelope sender is listed
	{"unsigned dsn", ReasonRejected, decisive},                                 // "transaction failed unsigned DSN for"
	{"rule imposed mailbox access for", ReasonRejected, decisive},              // MailMarshal
	{"fully qualified email address required", ReasonRejected, hint},           // McAfee

	// --- the domain does not exist ---
	{"lookup failure: host * not found", ReasonHostUnknown, decisive}, // DragonFly dma "DNS lookup failure: host x not found"
	{"point to non-existent hosts", ReasonHostUnknown, decisive},      // Exim "all relevant MX records point to non-existent hosts"
	{"couldn't find any host", ReasonHostUnknown, decisive},           // qmail "couldn't find any host named"
	{"illegal host/domain name", ReasonHostUnknown, hint},             // Oracle/Sun Messaging Server "illegal host/domain name found"
	{"unrouteable mail domain", ReasonHostUnknown, decisive},          // Exim
	{"host name is unknown", ReasonHostUnknown, hint},                 // various
	{"hostname is unknown", ReasonHostUnknown, hint},                  // various
	{"no route found to domain", ReasonHostUnknown, hint},             // various
	{"host or domain name not found", ReasonHostUnknown, decisive},    // Postfix
	{"domain name not found", ReasonHostUnknown, decisive},            // Gmail NXDOMAIN
	{"nxdomain", ReasonHostUnknown, decisive},                         // DNS NXDOMAIN
	{"host not found", ReasonHostUnknown, decisive},                   // various
	{"host unknown", ReasonHostUnknown, decisive},                     // Sendmail
	{"unknown host", ReasonHostUnknown, decisive},                     // various
	{"no such domain", ReasonHostUnknown, decisive},                   // Courier, various
	{"domain does not exist", ReasonHostUnknown, hint},                // various (sender-domain rows come first)
	{"domain not found", ReasonHostUnknown, decisive},                 // various
	{"unrouteable address", ReasonHostUnknown, decisive},              // Exim
	{"unroutable address", ReasonHostUnknown, hint},                   // various
	{"domain is not reachable", ReasonHostUnknown, decisive},          // Outlook.com
	{"invalid domain name", ReasonSyntaxError, hint},                  // Exchange "501 5.5.4 Invalid domain name": our EHLO argument, not the recipient's domain
	{"invalid domain", ReasonHostUnknown, hint},                       // SES "Invalid domain"
	{"mx lookup", ReasonHostUnknown, hint},                            // various
	{"unknown domain", ReasonHostUnknown, decisive},                   // various
	{"domain is not hosted", ReasonHostUnknown, hint},                 // various
	{"no valid mx", ReasonHostUnknown, hint},                          // various

	// After sisimai's hostunknown list.
	{"mail domain mentioned in email address is unknown", ReasonHostUnknown, decisive}, // various
	{"recipient domain must exist", ReasonHostUnknown, decisive},                       // various
	{"name or service not known", ReasonHostUnknown, hint},                             // getaddrinfo EAI_NONAME

	{"all host address lookups failed permanently", ReasonHostUnknown, decisive}, // Exim transports/smtp.c

	{"cannot route mail to user", ReasonFiltered, decisive},                    // Domino (sisimai's Domino module)
	{"several matches found in domino directory", ReasonSystemError, decisive}, // Domino: an ambiguous directory entry

	// --- the mailbox does not exist ---
	{"address couldn't be found", ReasonUserUnknown, decisive},                        // Gmail's summary of a 5.1.1 ("wasn't delivered to x because the address couldn't be found")
	{"account that you tried to reach does not exist", ReasonUserUnknown, hint},       // Gmail's 5.1.1 text (Gmail sends it with 5.1.1, the witness)
	{"invalid final delivery userid", ReasonUserUnknown, decisive},                    // IMail's local delivery on the final host: its own user database
	{"check if address is correct", ReasonUserUnknown, hint},                          // InterScan "Unable to deliver message to <x> ... Please check if address is correct"
	{"mail.local: unknown user", ReasonUserUnknown, decisive},                         // Sendmail's local delivery agent: the final host's own user database
	{"no valid recipients for this mm", ReasonUserUnknown, decisive},                  // QUIRK: Verizon's MMS gateway (vtext.com, vzwpix.com): the number has no Verizon messaging account
	{"ディレクトリのリストにありません", ReasonUserUnknown, decisive},                                 // Lotus Notes (Japanese) "not in the directory list"
	{"ディレクトリには見つかりません", ReasonUserUnknown, decisive},                                  // Domino (Japanese) "not found in the Domino Directory"
	{"recipient name is not recognized", ReasonUserUnknown, decisive},                 // Exchange 2003 native NDR: its own directory lookup failed
	{"user unknown", ReasonUserUnknown, hint},                                         // Sendmail, Postfix, most
	{"unknown user", ReasonUserUnknown, hint},                                         // qmail, Courier
	{"unknown recipient", ReasonUserUnknown, hint},                                    // various
	{"recipient unknown", ReasonUserUnknown, hint},                                    // various
	{"unknown or illegal user", ReasonUserUnknown, hint},                              // Exim, older Sendmail
	{"account closed", ReasonUserUnknown, hint},                                       // various
	{"account is unavailable", ReasonUserUnknown, hint},                               // various
	{"account not found", ReasonUserUnknown, hint},                                    // various
	{"address invalid", ReasonUserUnknown, hint},                                      // various
	{"address is unknown", ReasonUserUnknown, hint},                                   // various
	{"address_not_found", ReasonUserUnknown, hint},                                    // Gmail internal code
	{"address not recognized", ReasonUserUnknown, hint},                               // various
	{"address not recognised", ReasonUserUnknown, hint},                               // British spelling ("an address not recognised by our system")
	{"recipient <@> unknown", ReasonUserUnknown, hint},                                // "550-5.7.1 recipient <a@b> unknown" (university gateways)
	{"dd * is no longer valid", ReasonUserUnknown, decisive},                          // QUIRK: Yahoo/AOL "554 delivery error: dd ... a@b is no longer valid. [-20]" (a closed account)
	{"address is not recognized", ReasonUserUnknown, hint},                            // various
	{"bad address", ReasonUserUnknown, hint},                                          // "#5.1.1 bad address"
	{"bad destination mailbox address", ReasonUserUnknown, hint},                      // RFC 3463 5.1.1 wording
	{"bad destination email address", ReasonUserUnknown, hint},                        // various
	{"email address was not found", ReasonUserUnknown, hint},                          // various
	{"no such email address", ReasonUserUnknown, hint},                                // various
	{"no such mail drop", ReasonUserUnknown, hint},                                    // various
	{"no one with that email address", ReasonUserUnknown, hint},                       // various
	{"no mail box available", ReasonUserUnknown, hint},                                // various
	{"not known to this system", ReasonUserUnknown, hint},                             // various
	{"doesn't handle mail for that user", ReasonUserUnknown, hint},                    // various
	{"invalid account", ReasonUserUnknown, hint},                                      // various
	{"invalid-recipient", ReasonUserUnknown, hint},                                    // various
	{"invalid or unknown virtual user", ReasonUserUnknown, hint},                      // vdeliver (vpopmail)
	{"unknown account", ReasonUserUnknown, hint},                                      // various
	{"unknown email address", ReasonUserUnknown, hint},                                // various
	{"user is unknown", ReasonUserUnknown, hint},                                      // various
	{"user not known", ReasonUserUnknown, hint},                                       // various
	{"user invalid", ReasonUserUnknown, hint},                                         // various
	{"recipients are invalid", ReasonUserUnknown, hint},                               // various
	{"incorrectly addressed", ReasonUserUnknown, hint},                                // various
	{"no valid recipients", ReasonUserUnknown, hint},                                  // various
	{"not found in ldap", ReasonUserUnknown, hint},                                    // "was not found in LDAP server"
	{"unable to find alias", ReasonUserUnknown, hint},                                 // various
	{"no longer accepts mail", ReasonUserUnknown, hint},                               // "this address no longer accepts mail"
	{"destinatario errato", ReasonUserUnknown, hint},                                  // Italian "wrong recipient"
	{"destinatario sconosciuto", ReasonUserUnknown, hint},                             // Italian "unknown recipient"
	{"destin. sconosciuto", ReasonUserUnknown, hint},                                  // Italian, abbreviated
	{"indirizzo inesistente", ReasonUserUnknown, hint},                                // Italian "non-existent address"
	{"nie istnieje", ReasonUserUnknown, hint},                                         // Polish "does not exist"
	{"nie ma takiego konta", ReasonUserUnknown, hint},                                 // Polish "no such account"
	{"unknown or illegal alias", ReasonUserUnknown, hint},                             // Sendmail
	{"unknown local part", ReasonUserUnknown, hint},                                   // Exim
	{"unknown address", ReasonUserUnknown, hint},                                      // various
	{"address unknown", ReasonUserUnknown, hint},                                      // various
	{"unknown mailbox", ReasonUserUnknown, hint},                                      // various
	{"no such user", ReasonUserUnknown, hint},                                         // most
	{"no such recipient", ReasonUserUnknown, hint},                                    // various
	{"no such mailbox", ReasonUserUnknown, hint},                                      // various
	{"no such address", ReasonUserUnknown, hint},                                      // various
	{"no such account", ReasonUserUnknown, hint},                                      // various
	{"no such person", ReasonUserUnknown, hint},                                       // various
	{"no mailbox", ReasonUserUnknown, hint},                                           // "no mailbox here by that name" (qmail)
	{"user not found", ReasonUserUnknown, hint},                                       // various
	{"user not exist", ReasonUserUnknown, hint},                                       // various
	{"user does not exist", ReasonUserUnknown, hint},                                  // various
	{"user doesn't exist", ReasonUserUnknown, hint},                                   // various
	{"dd this user doesn't have a", ReasonUserUnknown, decisive},                      // QUIRK: Yahoo's MX refuses an unknown user after DATA, "554 delivery error: dd This user doesn't have a yahoo.com account" (its "dd" tag alone also prefixes "mailbox is disabled")
	{"dd requested mailbox not found", ReasonUserUnknown, decisive},                   // QUIRK: the same Yahoo reply, other wording
	{"dd not a valid recipient", ReasonUserUnknown, decisive},                         // QUIRK: the same Yahoo reply, other wording
	{"requested mail action aborted, mailbox not found", ReasonUserUnknown, decisive}, // QUIRK: Yahoo's older "552 1 Requested mail action aborted, mailbox not found" (a 552 that is no quota)
	{"message was not accepted -- invalid mailbox", ReasonUserUnknown, decisive},      // QUIRK: Yandex refuses a mailbox that does not exist after DATA ("... Local mailbox x is unavailable: user not found")
	{"unknown user account", ReasonUserUnknown, decisive},                             // CommuniGate Pro's reply for an account it does not have ("550 a@b unknown user account")
	{"user doesn't have a", ReasonUserUnknown, hint},                                  // the same sentence in a notice's prose, with no reply: a witness must back it
	{"recipient not found", ReasonUserUnknown, hint},                                  // various
	{"recipient does not exist", ReasonUserUnknown, hint},                             // various
	{"recipient not exist", ReasonUserUnknown, hint},                                  // various
	{"mailbox not found", ReasonUserUnknown, hint},                                    // various
	{"mailbox does not exist", ReasonUserUnknown, hint},                               // various
	{"mailbox unavailable", ReasonUserUnknown, hint},                                  // Exchange/Outlook 550 wording
	{"mailbox is unavailable", ReasonUserUnknown, hint},                               // various
	{"mailbox not available", ReasonUserUnknown, hint},                                // various
	{"address does not exist", ReasonUserUnknown, hint},                               // various
	{"account does not exist", ReasonUserUnknown, hint},                               // Gmail "account ... does not exist"
	{"ip address not found", ReasonBlocked, decisive},                                 // "Client IP address not found in allowed list", "IP address not found in DNS": our host, not a mailbox
	{"address not found", ReasonUserUnknown, decisive},                                // various
	{"addressee unknown", ReasonUserUnknown, hint},                                    // various
	{"invalid recipient", ReasonUserUnknown, hint},                                    // various (also La Poste English half)
	{"invalid mailbox", ReasonUserUnknown, hint},                                      // various
	{"invalid address", ReasonUserUnknown, hint},                                      // various
	{"invalid user", ReasonUserUnknown, hint},                                         // various
	{"not a valid recipient", ReasonUserUnknown, hint},                                // various
	{"not a valid mailbox", ReasonUserUnknown, hint},                                  // various
	{"not a valid user", ReasonUserUnknown, hint},                                     // various
	{"is not a known user", ReasonUserUnknown, hint},                                  // various
	{"no account by that name", ReasonUserUnknown, hint},                              // various
	{"bad recipient", ReasonUserUnknown, hint},                                        // various
	{"badrcptto", ReasonUserUnknown, hint},                                            // qmail badrcptto
	{"not listed in domino directory", ReasonUserUnknown, decisive},                   // Domino
	{"not listed in public name", ReasonUserUnknown, decisive},                        // Domino
	{"resolver.adr.recipientnotfound", ReasonUserUnknown, decisive},                   // Exchange
	{"resolver.adr.recipnotfound", ReasonUserUnknown, decisive},                       // Exchange
	{"recipient address rejected: access denied", ReasonUserUnknown, decisive},        // Exchange Online directory-based edge block
	{"recipient address rejected: user", ReasonUserUnknown, hint},                     // Postfix "...: User unknown in ... table"
	{"recipient address rejected.", ReasonUserUnknown, vague},                         // Postfix/Exchange recipient checks naming no other cause (after sisimai's "recipient address rejected." at RCPT); "rejected: <cause>" is read by its cause
	{"recipient address rejected", ReasonOnHold, vague},                               // "Recipient address rejected: <a cause no row reads>": the recipient was refused, neither our sender (rejected) nor proof the mailbox is gone
	{"recipient rejected", ReasonUserUnknown, vague},                                  // "Recipient rejected" naming no cause; "Recipient rejected: policy" is read by its cause
	{"address rejected.", ReasonUserUnknown, vague},                                   // "550 #5.1.0 Address rejected." (sender rows come first)
	{"destinataire invalide", ReasonUserUnknown, decisive},                            // La Poste (French)
	{"utilisateur inconnu", ReasonUserUnknown, hint},                                  // French
	{"unbekannt", ReasonUserUnknown, hint},                                            // German "Empfaenger unbekannt"
	{"nicht gefunden", ReasonUserUnknown, hint},                                       // German
	{"no existe", ReasonUserUnknown, hint},                                            // Spanish
	{"usuario inexistente", ReasonUserUnknown, hint},                                  // Spanish "non-existent user"
	{"收件人地址不存在", ReasonUserUnknown, hint},                                             // Chinese "recipient address does not exist"
	{"用户不存在", ReasonUserUnknown, hint},                                                // Chinese "user does not exist"
	{"does not exist", ReasonUserUnknown, hint},                                       // "<user> does not exist" (domain rows come first)
	{"not exist", ReasonUserUnknown, hint},                                            // broken English variants

	// After sisimai's userunknown list: words, so a witness must back them.
	{"address not present in directory", ReasonUserUnknown, hint},   // various
	{"can't accept user", ReasonUserUnknown, hint},                  // various
	{"destination addresses were unknown", ReasonUserUnknown, hint}, // various
	{"email address could not be found", ReasonUserUnknown, hint},   // various
	{"not an active address at this host", ReasonUserUnknown, hint}, // various
	{"mailbox invalid", ReasonUserUnknown, hint},                    // various
	{"mailbox not present", ReasonUserUnknown, hint},                // various
	{"recipient not ok", ReasonUserUnknown, hint},                   // various
	{"email name is not found", ReasonUserUnknown, hint},            // "the user's email name is not found"
	{"no one at this address", ReasonUserUnknown, hint},             // "there is no one at this address"
	{"badrecipientto", ReasonUserUnknown, hint},                     // qmail "in my badrecipientto list"
	{"validrcptto list", ReasonUserUnknown, hint},                   // qmail "not in my validrcptto list"
	{"in name directory", ReasonUserUnknown, hint},                  // "no x in name directory"
	{"nonexistent user", ReasonUserUnknown, hint},                   // various
	{"non-existent user", ReasonUserUnknown, hint},                  // various
	{"unknown e-mail address", ReasonUserUnknown, hint},             // various
	{"unknown local-part", ReasonUserUnknown, hint},                 // Exim
	{"user * was not found", ReasonUserUnknown, hint},               // "user x was not found"
	{"user (* unknown", ReasonUserUnknown, hint},                    // "user (x) unknown"
	{"nessun utente simile", ReasonUserUnknown, hint},               // Italian "no such user"
	{"don't exists that user", ReasonUserUnknown, hint},             // Coremail "local server don't exists that user"
	{"not user of this server", ReasonUserUnknown, hint},            // Coremail
	{"does not have an account", ReasonUserUnknown, hint},           // "recipient does not have an account"

	// --- local policy and security ---
	{"policy reasons", ReasonPolicyViolation, decisive},               // Yahoo 5.7.9, various "rejected for policy reasons"
	{"policy violation", ReasonPolicyViolation, decisive},             // various
	{"denied by policy", ReasonPolicyViolation, decisive},             // various
	{"protocol violation", ReasonPolicyViolation, decisive},           // Postfix pre-greeting, various
	{"security policies", ReasonVirusDetected, hint},                  // Mimecast "email rejected due to security policies"
	{"content presents a potential", ReasonPolicyViolation, decisive}, // Gmail "content presents a potential security issue"
	{"message not allowed", ReasonPolicyViolation, hint},              // Yahoo Japan
	{"not accepted for policy", ReasonPolicyViolation, decisive},      // Yahoo
	{"administrative prohibition", ReasonPolicyViolation, hint},       // Exim
	{"local policy", ReasonPolicyViolation, hint},                     // various
	{"policy", ReasonPolicyViolation, hint},                           // anything else naming a policy
	{"requires authentication", ReasonSecurityError, decisive},        // various
	{"authentication required", ReasonSecurityError, decisive},        // Exchange RESOLVER.RST.AuthRequired
	{"unauthenticated senders", ReasonSecurityError, decisive},        // various
	{"smtp authentication", ReasonSecurityError, decisive},            // MessageLabs "turn on SMTP Authentication"
	{"authentication is required", ReasonSecurityError, decisive},     // various
	{"must be authenticated", ReasonSecurityError, decisive},          // various
	{"does not support tls", ReasonFailedSTARTTLS, decisive},          // "Remote server does not support TLS"
	{"tls not available", ReasonFailedSTARTTLS, decisive},             // various
	{"tls negotiation failed", ReasonFailedSTARTTLS, decisive},        // various
	{"tls handshake", ReasonFailedSTARTTLS, hint},                     // various
	{"starttls", ReasonFailedSTARTTLS, decisive},                      // STARTTLS failures, Gmail "must issue a STARTTLS command first"
	{"tls is required", ReasonFailedSTARTTLS, decisive},               // various
	{"encryption required", ReasonFailedSTARTTLS, hint},               // various

	// After sisimai's policyviolation and securityerror lists.
	{"recipient is not accepting mail with", ReasonPolicyViolation, decisive}, // AOL "the recipient is not accepting mail with attachments/links"
	{"members-only list", ReasonPolicyViolation, decisive},                    // Mailman "post by non-member to a members-only list"
	{"closed mailing list", ReasonPolicyViolation, decisive},                  // various
	{"organizational settings", ReasonPolicyViolation, decisive},              // "message bounced due to organizational settings"
	{"not subscribed to this group", ReasonPolicyViolation, decisive},         // Google Groups
	{"mass mailer", ReasonPolicyViolation, hint},                              // "you're using a mass mailer"
	{"authentication credentials invalid", ReasonSecurityError, decisive},     // RFC 4954 535 5.7.8
	{"not subscribed to ses", ReasonSecurityError, decisive},                  // Amazon SES
	{"authentication failure", ReasonSecurityError, hint},                     // various
	{"authentication failed", ReasonSecurityError, decisive},                  // our relay refused our SMTP AUTH ("535 5.7.8 Error: authentication failed: user not found"): no recipient's verdict
	{"tls required", ReasonFailedSTARTTLS, decisive},                          // SendGrid "TLS required but not supported"

	// --- the receiving system ---
	{"insufficient disk space", ReasonSystemFull, decisive},    // Sendmail 4.4.5
	{"mail system full", ReasonSystemFull, decisive},           // RFC 3463 wording
	{"disk full", ReasonSystemFull, decisive},                  // various
	{"no space left", ReasonSystemFull, decisive},              // ENOSPC
	{"queue file write error", ReasonSystemError, decisive},    // Postfix on the receiving side
	{"internal system error", ReasonSystemError, decisive},     // various
	{"too busy", ReasonSystemError, hint},                      // "server too busy", "too busy to accept mail"
	{"system load is too high", ReasonSystemError, decisive},   // various
	{"too much load", ReasonSystemError, hint},                 // various
	{"internal error", ReasonSystemError, hint},                // various
	{"system error", ReasonSystemError, hint},                  // various
	{"system config error", ReasonSystemError, hint},           // Sendmail 5.3.5
	{"configuration error", ReasonSystemError, hint},           // various
	{"service currently unavailable", ReasonSystemError, hint}, // various
	{"service unavailable", ReasonSystemError, hint},           // various
	{"service not available", ReasonSystemError, hint},         // various
	{"temporarily unavailable", ReasonSystemError, hint},       // various
	{"server busy", ReasonSystemError, hint},                   // various
	{"could not load drd", ReasonSystemError, decisive},        // Mimecast-type routing data missing
	{"local error", ReasonSystemError, hint},                   // "local error in processing"
	{"transaction failed", ReasonSystemError, hint},            // various

	// After sisimai's systemerror list.
	{"loop broken", ReasonSystemError, decisive},                   // "aliasing/forwarding loop broken"
	{"can't create user output file", ReasonSystemError, decisive}, // Sendmail
	{"interrupted system call", ReasonSystemError, decisive},       // EINTR
	{"temporary local problem", ReasonSystemError, decisive},       // various
	{"there is no mdb", ReasonSystemError, decisive},               // Exchange "recipient deferred because there is no Mdb"
	{"internal server error", ReasonSystemError, hint},             // various
	{"error while being processed", ReasonSystemError, hint},       // "it encountered an error while being processed"
	{"misconfigured", ReasonSystemError, hint},                     // "remote server is misconfigured"

	// Exim's and qmail-ldap's own failures (sisimai's Exim and qmail modules).
	{"delivery to file forbidden", ReasonSystemError, decisive}, // Exim deliver.c
	{"delivery to pipe forbidden", ReasonSystemError, decisive}, // Exim deliver.c
	{"local delivery failed", ReasonSystemError, hint},          // Exim transports/pipe.c
	{"ldap server", ReasonSystemError, hint},                    // qmail-ldap "Unable to contact LDAP server", "Timeout while performing search on LDAP server"
	{"ldap lookup", ReasonSystemError, hint},                    // qmail-ldap "Temporary failure in LDAP lookup"
	{"ldap attribute", ReasonSystemError, hint},                 // qmail-ldap "Illegal value in LDAP attribute"
	{"homedir creat", ReasonSystemError, hint},                  // qmail-ldap "Automatic homedir creator crashed"
	{"executing qmail-forward", ReasonSystemError, hint},        // qmail-ldap

	// --- local delivery programs ---
	{"procmail", ReasonMailerError, decisive},              // local delivery agent failed
	{"maildrop", ReasonMailerError, decisive},              // Courier maildrop
	{"mailer error", ReasonMailerError, decisive},          // Sendmail "unknown mailer error", various
	{"command died", ReasonMailerError, decisive},          // Postfix pipe
	{"command output", ReasonMailerError, hint},            // Postfix pipe
	{"child process", ReasonMailerError, hint},             // Exim pipe
	{"no such file or directory", ReasonMailerError, hint}, // a local program or file delivery failed (ENOENT), e.g. an Exim autoreply template

	// --- SMTP protocol ---
	{"malformed address", ReasonSyntaxError, hint},                        // Exim "malformed address: ... may not follow"
	{"syntax error", ReasonSyntaxError, hint},                             // most
	{"valid rcpt command must precede data", ReasonSyntaxError, decisive}, // Sendmail/Postfix protocol order
	{"improper sequence", ReasonSyntaxError, decisive},                    // 503
	{"bad sequence", ReasonSyntaxError, decisive},                         // 503
	{"command not implemented", ReasonSyntaxError, decisive},              // 502
	{"command parameter not implemented", ReasonSyntaxError, decisive},    // 504
	{"command unrecognized", ReasonSyntaxError, decisive},                 // 500
	{"unrecognized command", ReasonSyntaxError, decisive},                 // 500

	// Exim's address parser (parser.c).
	{"angle-brackets nested too deep", ReasonSyntaxError, decisive},
	{"expected word or \"<\"", ReasonSyntaxError, decisive},
	{"domain missing in source-routed address", ReasonSyntaxError, decisive},

	// --- generic refusals, last ---
	{"access denied", ReasonSecurityError, vague},                    // "5.7.1 Access denied"
	{"not authorized", ReasonSecurityError, vague},                   // "delivery not authorized"
	{"denied", ReasonRejected, vague},                                // anything denied
	{"refused", ReasonBlocked, vague},                                // anything refused
	{"blocked", ReasonBlocked, vague},                                // anything blocked
	{"following recipients was rejected by", ReasonFiltered, vague},  // au/KDDI "Each of the following recipients was rejected by a remote mail server": the recipient refused, not our sender
	{"following recipients were rejected by", ReasonFiltered, vague}, // the same, plural
	{"rejected", ReasonRejected, vague},                              // anything rejected
}

// maxDiagnostic bounds the diagnostic text read by the text rules; the
// cause is stated in the first lines.
const maxDiagnostic = 2048

// compiledRule is a textRule split at its wildcards.
type compiledRule struct {
	parts    []string
	anywhere bool // a leading "*": the phrase may start inside a word
	reason   Reason
	weight   weight
	sig      []uint16 // bigram hashes every match contains (see bigrams)
}

// compiledRules is textRules compiled and stably sorted by weight, heaviest
// first, keeping table order within a weight.
var compiledRules = compileRules(textRules)

func compileRules(rules []textRule) []compiledRule {
	var out []compiledRule
	for _, w := range []weight{decisive, hint, vague} {
		for _, t := range rules {
			if t.weight != w {
				continue
			}
			p := t.phrase
			// Chinese and Japanese write no spaces between words: a
			// phrase in those scripts may start anywhere.
			c := compiledRule{anywhere: strings.HasPrefix(p, "*") || p[0] >= 0xE3, reason: t.reason, weight: w}
			for _, part := range strings.Split(strings.TrimPrefix(p, "*"), "*") {
				if part != "" {
					c.parts = append(c.parts, part)
					for i := 0; i+1 < len(part); i++ {
						if h := bigramHash(part[i], part[i+1]); !slices.Contains(c.sig, h) {
							c.sig = append(c.sig, h)
						}
					}
				}
			}
			out = append(out, c)
		}
	}
	rarestFirst(out)
	return out
}

// rarestFirst orders each rule's bigrams from the least to the most common
// among all phrases and keeps the four rarest: the first test of a rule is
// then the one most likely to rule it out.
func rarestFirst(rules []compiledRule) {
	var count [1024]int
	for _, c := range rules {
		for _, h := range c.sig {
			count[h]++
		}
	}
	for i := range rules {
		sig := rules[i].sig
		slices.SortStableFunc(sig, func(a, b uint16) int { return count[a] - count[b] })
		rules[i].sig = sig[:min(len(sig), 4)]
	}
}

// matchText returns the Reason and weight of the heaviest row matching
// text, the earliest in table order among equals.
func matchText(text string) (Reason, weight) {
	if text == "" {
		return "", none
	}
	var seen bigrams
	seen.add(text)
	// The candidates are the rules whose rarest pair the text has (and the
	// rules with no pair at all), visited in table order.
	cand := rulesWithoutPairs
	for w, x := range seen {
		for x != 0 {
			h := w<<6 | bits.TrailingZeros64(x)
			x &= x - 1
			for _, i := range rulesByRarestPair[h] {
				cand[i>>6] |= 1 << (i & 63)
			}
		}
	}
	for w, x := range cand {
		for x != 0 {
			i := w<<6 | bits.TrailingZeros64(x)
			x &= x - 1
			if c := &compiledRules[i]; seen.mayContain(c.sig) && c.match(text) {
				return c.reason, c.weight
			}
		}
	}
	return "", none
}

// textSays reports whether any text rule for reason matches text (not only
// the first rule that matches). It walks the whole table: it is for rare
// cases only.
func textSays(text string, reason Reason) bool {
	for i := range compiledRules {
		if c := &compiledRules[i]; c.reason == reason && c.match(text) {
			return true
		}
	}
	return false
}

// ruleSet is a set of compiledRules indexes.
type ruleSet [maxRules / 64]uint64

// maxRules bounds the number of text rules a ruleSet can hold.
const maxRules = 1024

// rulesByRarestPair lists, for each bigram hash, the rules whose rarest
// pair it is, in table order; rulesWithoutPairs are the rules with no pair
// (one-letter parts), always candidates.
var rulesByRarestPair, rulesWithoutPairs = func() (idx [1024][]uint16, none ruleSet) {
	if len(compiledRules) > maxRules {
		panic("dsn: more text rules than maxRules")
	}
	for i, c := range compiledRules {
		if len(c.sig) == 0 {
			none[i>>6] |= 1 << (i & 63)
			continue
		}
		idx[c.sig[0]] = append(idx[c.sig[0]], uint16(i))
	}
	return idx, none
}()

// bigrams is a 1024-bit set of the hashed byte pairs of a text: a rule
// whose phrase has a pair the text lacks cannot match, which spares most
// rows their substring search.
type bigrams [16]uint64

func bigramHash(a, b byte) uint16 { return (uint16(a)*31 + uint16(b)) & 1023 }

func (s *bigrams) add(text string) {
	for i := 0; i+1 < len(text); i++ {
		h := bigramHash(text[i], text[i+1])
		s[h>>6] |= 1 << (h & 63)
	}
}

func (s *bigrams) mayContain(sig []uint16) bool {
	for _, h := range sig {
		if s[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

// match reports whether all parts occur in text in order, the first one at
// the start of a word unless the rule says anywhere.
func (c *compiledRule) match(text string) bool {
	return c.matchAt(text) >= 0
}

// matchAt is match, returning where the phrase starts in text, or -1.
func (c *compiledRule) matchAt(text string) int {
	first := c.parts[0]
	from := 0
	for {
		i := strings.Index(text[from:], first)
		if i < 0 {
			return -1
		}
		i += from
		if c.anywhere || i == 0 || !isWordByte(text[i-1]) || !isWordByte(first[0]) {
			if c.matchRest(text[i+len(first):]) {
				return i
			}
			return -1
		}
		from = i + 1
	}
}

// textVerdict returns where in text the row that gives reason matched:
// the start and end of its first part, or -1, -1 when no row gave it (the
// status code did).
func textVerdict(text string, reason Reason) (start, end int) {
	for i := range compiledRules {
		c := &compiledRules[i]
		if c.reason != reason {
			continue
		}
		if at := c.matchAt(text); at >= 0 {
			return at, at + len(c.parts[0])
		}
	}
	return -1, -1
}

// maxGap is how far apart the parts of a wildcard phrase may be: "*" spans
// a word or an address, not the rest of the diagnostic.
const maxGap = 80

func (c *compiledRule) matchRest(text string) bool {
	for _, p := range c.parts[1:] {
		i := strings.Index(text, p)
		if i < 0 || i > maxGap {
			return false
		}
		text = text[i+len(p):]
	}
	return true
}

// lower lower-cases an ASCII letter; the phrases are ASCII, so other bytes
// are left as they are.
func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// normalizeDiagnostic lower-cases d, collapses white space and drops the
// reply and status codes of continuation lines ("550-5.7.1 ", "554-"), so
// that a phrase folded across lines reads as one.
func normalizeDiagnostic(d string) string {
	if len(d) > maxDiagnostic {
		d = d[:maxDiagnostic]
	}
	var buf [512]byte
	b := buf[:0]
	space := true
	for i := 0; i < len(d); {
		if i == 0 || !isWordByte(lower(d[i-1])) {
			if n := smtpCodeToken(d[i:]); n > 0 {
				i += n
				continue
			}
		}
		switch c := d[i]; c {
		case ' ', '\t', '\r', '\n':
			if !space {
				b = append(b, ' ')
				space = true
			}
		default:
			b = append(b, lower(c))
			space = false
		}
		i++
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// smtpCodeToken returns the length of a reply code token at the start of s:
// "550-", "550-5.7.1", "550 5.7.1"; 0 when there is none.
func smtpCodeToken(s string) int {
	if len(s) < 4 || !isReplyCode(s[:3]) {
		return 0
	}
	switch {
	case s[3] == '-':
		return 4 + statusLen(s[4:])
	case s[3] == ' ':
		if n := statusLen(s[4:]); n > 0 {
			return 4 + n
		}
	}
	return 0
}

func isReplyCode(s string) bool {
	return len(s) == 3 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && isDigit(s[1]) && isDigit(s[2])
}

// statusLen returns the length of an enhanced status code ("5.1.1",
// "4.7.650") at the start of s, not followed by another digit or dot, or 0.
func statusLen(s string) int {
	// class "." subject "." detail; the subjects in use are 0 to 7 (RFC 3463,
	// RFC 5248), which also keeps "Exim 4.92.3" from reading as a status.
	if len(s) < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.' ||
		s[2] < '0' || s[2] > '7' || s[3] != '.' {
		return 0
	}
	i := 4
	for i < len(s) && i < 7 && isDigit(s[i]) {
		i++
	}
	if i == 4 {
		return 0
	}
	if i < len(s) && (isDigit(s[i]) || s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])) {
		return 0
	}
	return i
}

// maskAddresses replaces each mail address in a normalized text by a lone
// "@", so that no phrase row reads a verdict inside an address: a recipient
// at virusfree.example or timeout.example, a local part "dmarc" or
// "sender". It returns text itself when it has no address.
func maskAddresses(text string) string {
	at := strings.IndexByte(text, '@')
	if at < 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for at >= 0 {
		start, end := at, at+1
		for start > last && isAddrByte(text[start-1]) {
			start--
		}
		for end < len(text) && isAddrByte(text[end]) {
			end++
		}
		for end > at+1 && text[end-1] == '.' {
			end-- // the sentence's full stop
		}
		if start < at && end > at+1 {
			if last == 0 {
				b.Grow(len(text))
			}
			b.WriteString(text[last:start])
			b.WriteByte('@')
			last = end
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// isAddrByte reports whether c may be part of a mail address as
// diagnostics write it (not a space or a delimiter around one).
func isAddrByte(c byte) bool {
	switch c {
	case ' ', '<', '>', '(', ')', '[', ']', '"', '\'', ',', ';', ':', '@':
		return false
	}
	return true
}

// statusInText returns the first enhanced status code written in d.
func statusInText(d string) string {
	if len(d) > maxDiagnostic {
		d = d[:maxDiagnostic]
	}
	for i := 0; i+5 <= len(d); i++ {
		if i > 0 && (isDigit(d[i-1]) || d[i-1] == '.') {
			continue
		}
		if n := statusLen(d[i:]); n > 0 {
			return d[i : i+n]
		}
	}
	return ""
}

// effectiveStatus is r.Status, or the code inside the diagnostic when
// Status is empty or X.0.0.
func effectiveStatus(r *Recipient) string {
	s := strings.TrimSpace(r.Status)
	if statusLen(s) != len(s) {
		s = ""
	}
	if s == "" || s[2:] == "0.0" {
		if in := statusInText(r.Diagnostic); in != "" && in[2:] != "0.0" {
			return in
		}
	} else if subject(s) == "1" {
		// An address status over a reply that gave another subject ("Status:
		// 5.1.1" over "550 5.7.1 IP address blacklisted"): the reporting MTA
		// mapped the reply code to an address failure; the remote server's
		// own code says what it refused.
		if in := statusInText(r.Diagnostic); in != "" && in[0] == s[0] && subject(in) != "1" && subject(in) != "0" {
			return in
		}
	}
	return s
}

// replyCode is r.ReplyCode, or the reply code that opens the diagnostic.
func replyCode(r *Recipient) string {
	if isReplyCode(r.ReplyCode) {
		return r.ReplyCode
	}
	d := strings.TrimSpace(r.Diagnostic)
	if len(d) >= 3 && isReplyCode(d[:3]) && (len(d) == 3 || !isDigit(d[3])) {
		return d[:3]
	}
	return ""
}
