package dsn

// systemRows: local policy and security, the receiving system, local
// delivery programs, SMTP protocol errors, and the generic refusals last.
var systemRows = []textRule{
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
