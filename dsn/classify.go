package dsn

import (
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
		if r.Action == "unsubscribe" {
			r.Reason = ReasonUnsubscribe
		}
		return
	}
	f := newFacts(r)
	f.reportingMTA = reportingMTA
	classifyFacts(t, &f)
}

// classifyFacts sets the Reason and Class of f's record, of a report of
// type t.
func classifyFacts(t Type, f *facts) {
	r := f.r
	switch t {
	case TypeAutoreply, TypeARF:
		classifyReported(t, r, f.reportingMTA)
		return
	}
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
	localHost    string // the host that wrote the notice (Reporting-MTA, else From's domain), lower case
}

func newFacts(r *Recipient) facts {
	f := facts{r: r, action: strings.ToLower(r.Action), cmd: strings.ToUpper(r.Command)}
	f.code = effectiveStatus(r)
	f.text = normalizeDiagnostic(withoutRelayLabel(statusComment(r.ReportedStatus) + r.Diagnostic))
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
			(sub == "" || sub == "0") && namesUnknownRecipient(f.text, f.r) || f.localRefusal() || f.localVerdict()
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

// statusComment returns the reporting MTA's own words after the code of a
// Status field with a space after them, or "": "5.2.1 (mailbox disabled,
// not accepting messages)" (QUIRK: PowerMTA explains every status so).
// Comments on an X.0.0 code ("Remote SMTP server has rejected address")
// and those that only restate the class ("permanent failure") say nothing
// more than the code and are left out.
func statusComment(reported string) string {
	i := strings.IndexByte(reported, '(')
	j := strings.LastIndexByte(reported, ')')
	if i < 0 || j < i+2 {
		return ""
	}
	c := reported[i+1 : j]
	if code := parseStatus(reported[:i]); code == "" || strings.HasSuffix(code, ".0.0") || hasAnyLower(c, []string{"permanent", "temporary", "transient", "failure", "failed", "error", "success"}) {
		return ""
	}
	return c + " "
}
