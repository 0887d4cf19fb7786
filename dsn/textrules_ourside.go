package dsn

// ourSideRows say the receiver held something of ours against the message:
// the host we reached, spam verdicts, authentication, reverse DNS,
// reputation, blocklists, rates and content.
var ourSideRows = []textRule{
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
}
