package dsn

// routeRows: the recipient's own filter, the network on the way, delivery
// giving up, our envelope sender refused, a domain that does not exist.
var routeRows = []textRule{
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
}
