package dsn

// mailboxRows say the mailbox or its domain cannot take the message: full,
// too big, disabled, gone, or a domain that takes no mail.
var mailboxRows = []textRule{
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
	{"no longer valid", ReasonUserUnknown, hint},
	{"no longer a valid address", ReasonUserUnknown, hint}, // directory notices: "The address a@b is no longer a valid address here."              // "this address is no longer valid"

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
}
