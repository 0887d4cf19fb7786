package dsn

// userRows say the mailbox does not exist.
var userRows = []textRule{
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
	{"nosuchuser", ReasonUserUnknown, hint},                                           // MMDF-style error token "500 (err.nosuchuser)" (RFC 3464 era examples)
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
}
