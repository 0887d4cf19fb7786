package dsn

import (
	"strings"
)

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
