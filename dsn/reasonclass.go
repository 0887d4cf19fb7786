package dsn

import (
	"strings"
)

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

	ReasonVacation:    ClassIgnore, // auto-reply
	ReasonDelivered:   ClassIgnore, // success notification
	ReasonFeedback:    ClassComplaint,
	ReasonUnsubscribe: ClassComplaint, // the recipient opted out through the mail client's unsubscribe button
}
