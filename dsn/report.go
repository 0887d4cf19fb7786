// Package dsn turns the bytes of a bounce or feedback message into a typed
// Report and classifies every recipient record.
//
// It owns RFC 3464/6533 delivery status notifications, RFC 5965 feedback
// reports (ARF, and Microsoft JMRP-style complaints), the non-standard bounce
// texts of common mail servers, RFC 3834 auto-replies, and the classification
// table that maps status codes and diagnostics to a Reason and a Class.
//
// The package is pure: it reads only the io.Reader it is given and knows
// nothing of mailboxes, databases, clocks or loggers.
package dsn

import "time"

// Type says what kind of message was parsed.
type Type string

// Message types.
const (
	TypeDSN       Type = "dsn"       // RFC 3464 / RFC 6533 delivery status notification
	TypeARF       Type = "arf"       // RFC 5965 feedback report or a JMRP-style complaint
	TypeBounce    Type = "bounce"    // a non-standard bounce, read from its text
	TypeAutoreply Type = "autoreply" // RFC 3834 auto-reply or vacation notice
	TypeOther     Type = "other"     // not a report
)

// Class is what a recipient record means for the suppression policy.
type Class string

// Classes.
const (
	ClassHard      Class = "hard"      // the address is dead: suppress
	ClassSoft      Class = "soft"      // temporary trouble at the recipient: count
	ClassBlock     Class = "block"     // the receiver refused the sender, not the address
	ClassComplaint Class = "complaint" // the recipient complained (ARF abuse, fraud, virus)
	ClassIgnore    Class = "ignore"    // informational: auto-reply, delayed, delivered, ...
)

// Reason explains a classification, in the vocabulary of the reference corpus.
type Reason string

// Reasons.
const (
	ReasonUserUnknown     Reason = "userunknown"
	ReasonHostUnknown     Reason = "hostunknown"
	ReasonHasMoved        Reason = "hasmoved"
	ReasonNotAccept       Reason = "notaccept"
	ReasonMailboxFull     Reason = "mailboxfull"
	ReasonSuspend         Reason = "suspend"
	ReasonFiltered        Reason = "filtered"
	ReasonRejected        Reason = "rejected"
	ReasonBlocked         Reason = "blocked"
	ReasonSpamDetected    Reason = "spamdetected"
	ReasonVirusDetected   Reason = "virusdetected"
	ReasonPolicyViolation Reason = "policyviolation"
	ReasonAuthFailure     Reason = "authfailure"
	ReasonRequirePTR      Reason = "requireptr"
	ReasonBadReputation   Reason = "badreputation"
	ReasonSecurityError   Reason = "securityerror"
	ReasonTooManyConn     Reason = "toomanyconn"
	ReasonSpeeding        Reason = "speeding"
	ReasonExpired         Reason = "expired"
	ReasonNetworkError    Reason = "networkerror"
	ReasonSystemError     Reason = "systemerror"
	ReasonSystemFull      Reason = "systemfull"
	ReasonMailerError     Reason = "mailererror"
	ReasonMesgTooBig      Reason = "mesgtoobig"
	ReasonExceedLimit     Reason = "exceedlimit"
	ReasonContentError    Reason = "contenterror"
	ReasonNoRelaying      Reason = "norelaying"
	ReasonSyntaxError     Reason = "syntaxerror"
	ReasonNotCompliantRFC Reason = "notcompliantrfc"
	ReasonFailedSTARTTLS  Reason = "failedstarttls"
	ReasonSuppressed      Reason = "suppressed"
	ReasonOnHold          Reason = "onhold"
	ReasonUndefined       Reason = "undefined"
	ReasonVacation        Reason = "vacation"
	ReasonFeedback        Reason = "feedback"
	ReasonUnsubscribe     Reason = "unsubscribe" // an automatic unsubscribe request (Gmail, Apple Mail)
	ReasonDelivered       Reason = "delivered"
)

// Report is everything read from one message. A Report is returned for every
// readable message; a message that is not a report has Type TypeOther and no
// Recipients.
type Report struct {
	Type         Type
	ReportingMTA string    // Reporting-MTA without its type prefix ("mx.example.com")
	ArrivalDate  time.Time // zero when absent or unparseable

	// Recipients holds one record per recipient, in the order they appear.
	Recipients []Recipient

	// Feedback is set for TypeARF.
	Feedback *Feedback

	// Message identifies the bounce message itself (its outer headers):
	// the poller reads signed return-path tokens from DeliveredTo.
	Message Envelope

	// Original identifies the returned original message, when the report
	// carries it (message/rfc822, text/rfc822-headers, or quoted text).
	Original Original

	// Problems lists what could not be parsed. Parsing goes on past them.
	Problems []string
}

// Recipient is one per-recipient record with its classification.
type Recipient struct {
	FinalRecipient    string    // address only, no "rfc822;" prefix
	OriginalRecipient string    // address only; empty when absent
	Action            string    // failed, delayed, delivered, relayed, expanded (lower case); autoreply, unsubscribe for those messages
	Status            string    // enhanced status code, "5.1.1"; from the diagnostic when Status is absent or X.0.0
	ReportedStatus    string    // the Status field as written ("5.0.0 (permanent failure)"); empty when absent
	ReplyCode         string    // SMTP reply code, "550"; empty when none was given
	Diagnostic        string    // diagnostic text, unfolded, without the "smtp;" type
	DiagnosticType    string    // the Diagnostic-Code type, lower case: "smtp", "x-unix", "x-postfix"; empty when none
	Command           string    // SMTP command the reply answered: CONN, HELO, EHLO, MAIL, RCPT, DATA; empty when unknown
	RemoteMTA         string    // remote MTA host name or address
	LastAttempt       time.Time // zero when absent
	FeedbackType      string    // ARF feedback type for complaint records; empty otherwise
	Reason            Reason
	Class             Class

	// mailedOriginal is set when the parser reads the Original-Recipient
	// as the address the sender mailed: an alias or a directory name of
	// the mailed domain resolved to a mailbox under that domain (see
	// Address and markMailed).
	mailedOriginal bool
}

// Address is the address the record is about for the sender, the one
// bouncer counts and suppresses and `bouncer parse --json` prints as
// "recipient": the Final-Recipient, except after an alias inside the
// mailed domain, where it is the Original-Recipient (the address the
// sender wrote; see markMailed for when the parser reads it so); the
// Original-Recipient when there is no Final-Recipient.
//
// A Recipient built by hand (not by Parse) names its Final-Recipient.
func (r *Recipient) Address() string {
	if r.mailedOriginal && r.OriginalRecipient != "" || r.FinalRecipient == "" {
		return r.OriginalRecipient
	}
	return r.FinalRecipient
}

// Feedback holds the fields of an RFC 5965 feedback report.
type Feedback struct {
	Type             string // abuse, fraud, virus, other, not-spam, auth-failure, ...
	UserAgent        string
	Version          string
	SourceIP         string
	OriginalMailFrom string
	OriginalRcptTo   []string // repeated legally
	ReportedDomains  []string
	ReportedURIs     []string
	ArrivalDate      time.Time
	Incidents        int // 0 when absent (meaning one)

	// RFC 5965 / RFC 6591 fields, as written; empty when absent.
	OriginalEnvelopeID    string
	SourcePort            string
	AuthenticationResults []string
	AuthFailure           string // RFC 6591: adsp, bodyhash, revoked, signature, spf, dmarc
	DeliveryResult        string // RFC 6591: delivered, spam, policy, reject, other
	DKIMDomain            string
	DKIMIdentity          string
	DKIMSelector          string
	SPFDNS                string
	IdentityAlignment     string
}

// Envelope holds identifying headers of the bounce message itself.
type Envelope struct {
	MessageID   string
	From        string
	Subject     string
	Date        time.Time
	To          []string
	DeliveredTo []string // Delivered-To and X-Original-To, in order of appearance
}

// Original holds identifiers of the returned original message.
type Original struct {
	MessageID  string
	From       string
	To         string
	Subject    string
	ReturnPath string
	// Headers holds the values of the extra header names requested in
	// Options.Headers, keyed by canonical header name.
	Headers map[string]string
}
