package dsn

import (
	"strings"
	"testing"
)

type classifyCase struct {
	name   string
	typ    Type
	r      Recipient
	reason Reason
	class  Class
}

// failed is a failed DSN record with a status, a command and a diagnostic.
func failed(status, cmd, diag string) Recipient {
	return Recipient{Action: "failed", Status: status, Command: cmd, Diagnostic: diag, FinalRecipient: "x@example.com"}
}

// providerWordings are replies of large providers as they write them.
var providerWordings = []classifyCase{
	{"gmail no such user", TypeDSN, failed("5.1.1", "RCPT", "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address"), ReasonUserUnknown, ClassHard},
	{"gmail over quota", TypeDSN, failed("4.2.2", "RCPT", "452-4.2.2 The email account that you tried to reach is over quota."), ReasonMailboxFull, ClassSoft},
	{"gmail unsolicited rate", TypeDSN, failed("5.7.1", "DATA", "550-5.7.1 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address."), ReasonSpamDetected, ClassBlock},
	{"gmail unauthenticated", TypeDSN, failed("5.7.26", "DATA", "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users"), ReasonAuthFailure, ClassBlock},
	{"outlook block list", TypeDSN, failed("5.7.1", "MAIL", "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."), ReasonBlocked, ClassBlock},
	{"outlook dbeb", TypeDSN, failed("5.4.1", "RCPT", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)"), ReasonUserUnknown, ClassHard},
	{"outlook ip reputation", TypeDSN, failed("4.7.650", "RCPT", "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation."), ReasonBadReputation, ClassBlock},
	{"yahoo spamhaus", TypeBounce, failed("", "CONN", "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list"), ReasonBlocked, ClassBlock},
	{"yahoo policy", TypeDSN, failed("5.7.9", "DATA", "554 5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes"), ReasonPolicyViolation, ClassBlock},
	{"mail.ru user not found", TypeBounce, failed("", "RCPT", "550 Message was not accepted -- invalid mailbox.  Local mailbox x@mail.ru is unavailable: user not found"), ReasonUserUnknown, ClassHard},
	{"qq content filter", TypeBounce, failed("", "DATA", "550 Mail content denied. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000726"), ReasonSpamDetected, ClassBlock},
	{"user suspended", TypeBounce, failed("", "RCPT", "550 User suspended:x"), ReasonSuspend, ClassSoft},
	{"postfix reverse hostname", TypeBounce, failed("", "RCPT", "450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.1]"), ReasonRequirePTR, ClassBlock},
	{"spf violation", TypeBounce, failed("", "DATA", "550 5.7.23 The message was rejected because of Sender Policy Framework violation"), ReasonAuthFailure, ClassBlock},
	{"connection dropped", TypeBounce, failed("", "", "421 4.4.2 Connection dropped due to timeout"), ReasonNetworkError, ClassSoft},
	{"cpanel account or domain", TypeBounce, failed("", "", "The mail server could not deliver mail to a@example.net. The account or domain may not exist, they may be blacklisted, or missing the proper dns entries."), ReasonHostUnknown, ClassHard},
	{"unverifiable sending ip", TypeBounce, failed("", "MAIL", "450 service permits 2 unverifyable sending IPs - example.com is not 192.0.2.1"), ReasonRequirePTR, ClassBlock},
	{"postfix bare recipient rejection", TypeDSN, failed("5.0.0", "RCPT", "550 <a@example.jp>: Recipient address rejected."), ReasonUserUnknown, ClassHard},
	{"postfix recipient rejection with an unread cause", TypeDSN, failed("5.0.0", "RCPT", "550 5.0.0 <a@example.jp>: Recipient address rejected: On hold"), ReasonOnHold, ClassSoft},
	{"postfix recipient rejection, user unknown", TypeDSN, failed("", "RCPT", "550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown in local recipient table"), ReasonUserUnknown, ClassHard},
	{"exchange address rejected", TypeBounce, failed("", "RCPT", "550 #5.1.0 Address rejected."), ReasonUserUnknown, ClassHard},
	{"yahoo dd mailbox not found", TypeDSN, failed("5.0.0", "DATA", "554 delivery error: dd Requested mailbox not found - mta1.mail.example.com"), ReasonUserUnknown, ClassHard},
	{"yahoo dd disabled is not unknown", TypeDSN, failed("5.0.0", "DATA", "554 delivery error: dd Sorry your message to a@yahoo.com cannot be delivered. This mailbox is disabled (554.30)"), ReasonSuspend, ClassSoft},
	{"yahoo dd other cause", TypeDSN, failed("5.0.0", "DATA", "554 delivery error: dd Sorry, something odd - mta1.mail.example.com"), ReasonOnHold, ClassSoft},
	{"yahoo sentence in prose, no reply", TypeBounce, failed("", "", "This user doesn't have a example.com account (a@example.com) [0]"), ReasonFiltered, ClassSoft},
	{"yahoo sentence at RCPT", TypeBounce, failed("", "RCPT", "550 This user doesn't have a example.com account"), ReasonUserUnknown, ClassHard},
	{"quota behind mailbox unavailable", TypeBounce, failed("", "RCPT", "550 Requested action not taken: mailbox unavailable. Reason: Mailbox quota exceeded"), ReasonMailboxFull, ClassSoft},
}

// borrowedPhrases are wordings from sisimai's reason lists (rb-sisimai,
// BSD-2-Clause) that the table reads, in replies as servers write them.
var borrowedPhrases = []classifyCase{
	{"ses throttling is our quota", TypeDSN, failed("5.0.0", "DATA", "554 Throttling failure: Daily message quota exceeded."), ReasonSpeeding, ClassBlock},
	{"disk space limit", TypeDSN, failed("5.0.0", "RCPT", "552 The recipient mailbox has exceeded its disk space limit"), ReasonMailboxFull, ClassSoft},
	{"docomo too much mail data", TypeBounce, failed("", "DATA", "552 too much mail data"), ReasonMailboxFull, ClassSoft},
	{"temporarily inactive", TypeDSN, failed("5.0.0", "RCPT", "550 5.0.0 <a@example.jp>: Recipient rejected: Temporarily inactive"), ReasonSuspend, ClassSoft},
	{"address replaced", TypeBounce, failed("", "RCPT", "550 Address a@example.jp has been replaced by b@example.jp"), ReasonHasMoved, ClassHard},
	{"attachment replaced is no move", TypeBounce, failed("", "DATA", "554 The attachment has been replaced by a warning"), ReasonPolicyViolation, ClassBlock},
	{"relay through this machine", TypeBounce, failed("", "RCPT", "550 5.7.1 we are not allowed to relay through this machine"), ReasonNoRelaying, ClassBlock},
	{"spam or virus, not virus", TypeDSN, failed("5.0.0", "DATA", "554 Message contains spam or virus"), ReasonSpamDetected, ClassBlock},
	{"spamassassin", TypeBounce, failed("", "DATA", "550 Blocked by SpamAssassin"), ReasonSpamDetected, ClassBlock},
	{"uribl is content", TypeBounce, failed("", "DATA", "554 5.7.1 Your email breaches local URIBL policy"), ReasonSpamDetected, ClassBlock},
	{"cloudmark rpd", TypeBounce, failed("", "DATA", "550 This message was rejected by Recurrent Pattern Detection System"), ReasonSpamDetected, ClassBlock},
	{"rblsmtpd", TypeBounce, failed("", "CONN", "451 Blocked - sorry, your remotehost looks suspiciously like spammer"), ReasonBlocked, ClassBlock},
	{"per-domain connection limit", TypeDSN, failed("4.0.0", "CONN", "421 Exceeds per-domain connection limit for example.org"), ReasonTooManyConn, ClassBlock},
	{"sendmail smtp sessions", TypeBounce, failed("", "CONN", "421 4.3.2 Too many SMTP sessions for this host"), ReasonTooManyConn, ClassBlock},
	{"resolver.rst.notauthorized", TypeDSN, failed("5.7.1", "RCPT", "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized"), ReasonFiltered, ClassSoft},
	{"sendgrid bounced address", TypeBounce, failed("", "", "Bounced Address"), ReasonSuppressed, ClassSoft},
	{"postfix forwarding loop", TypeDSN, failed("5.4.6", "", "mail forwarding loop for a@example.org"), ReasonNetworkError, ClassSoft},
	{"gave up, routing", TypeBounce, failed("", "", "Routing: Could not find a gateway for a@example.co.jp"), ReasonExpired, ClassSoft},
	{"qmail giving up keeps the cause", TypeBounce, failed("", "", "192.0.2.1 does not like recipient. Remote host said: 550 5.2.2 <a@example.jp>... Mailbox Full Giving up on 192.0.2.1."), ReasonMailboxFull, ClassSoft},
	{"exchange online tenant refuses sender", TypeDSN, failed("5.4.1", "", "550 5.4.1 All recipient addresses rejected : Access denied [x.prod.protection.outlook.com]"), ReasonRejected, ClassBlock},
	{"batv", TypeBounce, failed("", "RCPT", "553 5.7.1 BATV failed to verify"), ReasonRejected, ClassBlock},
	{"exim recipient domain must exist", TypeBounce, failed("", "RCPT", "550 Recipient domain must exist"), ReasonHostUnknown, ClassHard},
	{"sender domain must exist stays ours", TypeBounce, failed("", "MAIL", "550 Sender domain must exist"), ReasonRejected, ClassBlock},
	{"qmail validrcptto at RCPT", TypeBounce, failed("", "RCPT", "553 sorry, this recipient is not in my validrcptto list (#5.7.1)"), ReasonUserUnknown, ClassHard},
	{"nonexistent user after DATA needs a witness", TypeBounce, failed("", "DATA", "550 Nonexistent user"), ReasonFiltered, ClassSoft},
	{"exim unknown local-part", TypeBounce, failed("", "RCPT", "550 Unknown local-part \"a\" in domain \"example.org\""), ReasonUserUnknown, ClassHard},
	{"aol attachments", TypeBounce, failed("", "DATA", "554 the recipient is not accepting mail with attachments"), ReasonPolicyViolation, ClassBlock},
	{"mailman members-only", TypeBounce, failed("", "", "Post by non-member to a members-only list"), ReasonPolicyViolation, ClassBlock},
	{"auth credentials", TypeBounce, failed("", "MAIL", "535 5.7.8 Authentication credentials invalid"), ReasonSecurityError, ClassBlock},
	{"sendgrid tls required", TypeBounce, failed("", "", "TLS required but not supported"), ReasonFailedSTARTTLS, ClassBlock},
	{"sendmail output file", TypeDSN, failed("5.0.0", "", "Can't create user output file"), ReasonSystemError, ClassSoft},
	{"qmail-ldap disabled", TypeBounce, failed("", "", "Mailaddress is administrativly disabled. (#5.2.1)"), ReasonSuspend, ClassSoft},
	{"qmail not enough free space", TypeBounce, failed("", "RCPT", "552 Requested action not taken: mailbox unavailable (not enough free space)"), ReasonSystemFull, ClassSoft},
	{"qmail best-preference mx", TypeBounce, failed("", "", "Sorry. Although I'm listed as a best-preference MX or A for that host, it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)"), ReasonNetworkError, ClassSoft},
	{"qmail-ldap lookup", TypeBounce, failed("4.4.3", "", "Temporary failure in LDAP lookup. (#4.4.3)"), ReasonSystemError, ClassSoft},
	{"exim address lookups", TypeBounce, failed("", "", "all host address lookups failed permanently"), ReasonHostUnknown, ClassHard},
	{"exim pipe forbidden", TypeBounce, failed("", "", "delivery to pipe forbidden"), ReasonSystemError, ClassSoft},
	{"exim parser", TypeBounce, failed("", "", "malformed address: angle-brackets nested too deep"), ReasonSyntaxError, ClassBlock},
	{"exchange nonexistent domain", TypeDSN, failed("5.4.4", "", "554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain"), ReasonHostUnknown, ClassHard},
	{"exchange mx loopback", TypeDSN, failed("5.4.4", "", "554 5.4.4 SMTPSEND.DNS.MxLoopback; DNS records for the destination domain are configured in a loop"), ReasonNetworkError, ClassSoft},
	{"exchange ex recip not found", TypeDSN, failed("5.1.1", "", "550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found"), ReasonUserUnknown, ClassHard},
	{"exchange auth required", TypeDSN, failed("5.7.1", "", "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required"), ReasonSecurityError, ClassBlock},
	{"exchange 2003 unknown recipient", TypeBounce, failed("", "", "MSEXCH:IMS:EXAMPLE:SITE:SERVER 0 (000C05A6) Unknown Recipient"), ReasonUserUnknown, ClassHard},
	{"opensmtpd no valid route", TypeBounce, failed("", "", "No valid route to remote MX"), ReasonNetworkError, ClassSoft},
	{"opensmtpd rejects all is not hard", TypeBounce, failed("", "", "Destination seem to reject all mails"), ReasonBlocked, ClassBlock},
	{"courier dns lookup failed", TypeBounce, failed("", "", "DNS lookup failed."), ReasonNetworkError, ClassSoft},
	{"domino cannot route", TypeBounce, failed("", "", "Cannot route mail to user (a@example.org)"), ReasonFiltered, ClassSoft},
	{"exchange no mdb", TypeDSN, failed("4.0.0", "", "451 4.3.2 Recipient deferred because there is no Mdb"), ReasonSystemError, ClassSoft},
}

// providerCodeCases are replies carrying a provider's documented code.
var providerCodeCases = []classifyCase{
	{"cox CDRBL beats sender rejected", TypeDSN, failed("5.1.0", "MAIL", "550 5.1.0 <b@example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/residential/support/email-error-codes.html for more information. AUP#CDRBL"), ReasonBlocked, ClassBlock},
	{"cox IPBL", TypeBounce, failed("", "CONN", "554 cox.net 192.0.2.1 rejected. IP in Spamhaus Zen. AUP#IPBL0001"), ReasonBlocked, ClassBlock},
	{"cox CXDNS", TypeBounce, failed("", "CONN", "554 192.0.2.1 rejected - no rDNS. AUP#CXDNS"), ReasonRequirePTR, ClassBlock},
	{"cox URLBL", TypeBounce, failed("", "DATA", "552 URL in message is blocklisted. AUP#URLBL1001"), ReasonSpamDetected, ClassBlock},
	{"spectrum connections", TypeDSN, failed("5.1.0", "MAIL", "550 5.1.0 <b@example.com> sender rejected. Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1310"), ReasonTooManyConn, ClassBlock},
	{"spectrum outgoing IP block", TypeBounce, failed("", "CONN", "554 5.7.1 Blocked. AUP#O-1000"), ReasonBlocked, ClassBlock},
	{"spectrum size", TypeBounce, failed("", "DATA", "552 Message too large AUP#I-1530"), ReasonMesgTooBig, ClassBlock},
	{"orange service refused 505 stays a refusal of us", TypeDSN, failed("4.2.0", "DATA", "421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505]"), ReasonBlocked, ClassBlock},
	{"la poste client host 630", TypeDSN, failed("5.7.1", "RCPT", "554 5.7.1 <x[192.0.2.1]:49309>: Client host rejected: #216 lpn LPN000_630"), ReasonPolicyViolation, ClassBlock},
	{"la poste invalid recipient 416", TypeDSN, failed("5.5.0", "RCPT", "550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416"), ReasonUserUnknown, ClassHard},
	{"orange code without a meaning leaves the words", TypeDSN, failed("5.5.0", "DATA", "550 5.5.0 Service refuse. Veuillez essayer plus tard. service refused, please try later. LPN001_108"), ReasonBlocked, ClassBlock},
	{"no code inside a word", TypeBounce, failed("", "RCPT", "550 user unknown in coffre_416"), ReasonUserUnknown, ClassHard},
	{"unknown aup code leaves the words", TypeBounce, failed("", "RCPT", "550 Mailbox full AUP#XYZ"), ReasonMailboxFull, ClassSoft},
}

// notHard are refusals whose words look like a dead address but are not
// one: a temporary reply, a verdict on our envelope sender or host, a
// per-sender refusal. Each was hard once.
var notHard = []classifyCase{
	// Postfix reject_unverified_recipient before its probe has a verdict: the 4.1.1 is no verdict.
	{"postfix verification in progress", TypeDSN, failed("4.1.1", "RCPT", "450 4.1.1 <x@example.com>: Recipient address rejected: unverified address: Address verification in progress"), ReasonOnHold, ClassSoft},
	{"postfix unverified after the queue lifetime", TypeDSN, failed("4.1.1", "", "450 4.1.1 <x@example.com>: Recipient address rejected: unverified address: connect to mx.example.com[192.0.2.1]:25: Connection timed out"), ReasonOnHold, ClassSoft},
	{"postfix unverified sender is ours", TypeDSN, failed("4.1.7", "RCPT", "450 4.1.7 <b@example.net>: Sender address rejected: unverified address: host mx.example.net[192.0.2.2] said: 450 4.7.1 try later"), ReasonRejected, ClassBlock},
	{"postfix undeliverable address stays hard", TypeDSN, failed("5.1.1", "RCPT", "550 5.1.1 <x@example.com>: Recipient address rejected: undeliverable address: unknown user: \"x\""), ReasonUserUnknown, ClassHard},
	// RFC 5321's 450 text: a busy or temporarily blocked mailbox, not an unknown one.
	{"450 mailbox unavailable", TypeBounce, failed("", "RCPT", "450 Requested mail action not taken: mailbox unavailable"), ReasonUserUnknown, ClassSoft},
	{"450 4.2.1 mailbox unavailable", TypeDSN, failed("4.2.1", "RCPT", "450 4.2.1 Requested mail action not taken: mailbox unavailable"), ReasonUserUnknown, ClassSoft},
	{"451 4.1.1 temporarily unavailable", TypeDSN, failed("4.1.1", "RCPT", "451 4.1.1 <x@example.com>: Recipient temporarily unavailable, try again later"), ReasonUserUnknown, ClassSoft},
	{"450 4.1.1 user unknown after retries stays hard", TypeDSN, failed("4.1.1", "RCPT", "450 4.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual alias table"), ReasonUserUnknown, ClassHard},
	{"yahoo excessive unknown recipients", TypeBounce, failed("", "RCPT", "451 VS1-MF Excessive unknown recipients - possible Open Relay (#4.4.5)"), ReasonBadReputation, ClassBlock},
	// A verdict on our envelope sender or host, at RCPT (Postfix, Exim and others check the sender there).
	{"sender domain not found with 5.1.8", TypeDSN, failed("5.1.8", "RCPT", "553 5.1.8 Sender domain not found"), ReasonRejected, ClassBlock},
	{"sender domain not found at RCPT", TypeBounce, failed("", "RCPT", "550 Sender domain not found"), ReasonRejected, ClassBlock},
	{"from address domain does not exist", TypeBounce, failed("", "DATA", "550 5.7.0 From address domain does not exist"), ReasonRejected, ClassBlock},
	{"sender mx lookup", TypeBounce, failed("", "RCPT", "550 5.7.1 Sender MX lookup failed"), ReasonRejected, ClassBlock},
	{"domain of sender has no mx", TypeBounce, failed("", "RCPT", "550 5.7.1 Domain of sender has no MX record"), ReasonRejected, ClassBlock},
	{"mail from unknown domain", TypeBounce, failed("", "RCPT", "550 Mail from unknown domain example.net not accepted"), ReasonRejected, ClassBlock},
	{"unknown domain in sender address", TypeBounce, failed("", "RCPT", "550 Unknown domain in sender address"), ReasonRejected, ClassBlock},
	{"nxdomain for sender domain", TypeBounce, failed("", "RCPT", "550 5.7.1 Rejected: NXDOMAIN for sender domain example.net"), ReasonRejected, ClassBlock},
	{"sender verification, no such user", TypeBounce, failed("", "RCPT", "550 5.7.1 Sender address verification failed: No such user"), ReasonRejected, ClassBlock},
	{"sender not listed in approved senders", TypeBounce, failed("", "RCPT", "550 5.7.1 Sender address not listed in approved senders list"), ReasonRejected, ClassBlock},
	{"your domain does not exist", TypeBounce, failed("", "RCPT", "550 5.7.1 Your domain name does not exist in DNS"), ReasonRejected, ClassBlock},
	{"helo domain does not exist", TypeBounce, failed("", "RCPT", "550 HELO domain does not exist"), ReasonBlocked, ClassBlock},
	{"unknown host in helo", TypeBounce, failed("", "RCPT", "550 Unknown host in HELO"), ReasonBlocked, ClassBlock},
	{"unknown address in envelope recipient stays hard", TypeBounce, failed("", "RCPT", "550 Unknown address in envelope recipient"), ReasonUserUnknown, ClassHard},
	{"unknown domain in envelope sender", TypeBounce, failed("", "RCPT", "550 Unknown domain in envelope sender"), ReasonRejected, ClassBlock},
	{"exim after rcpt stays hard", TypeBounce, failed("", "", "SMTP error from remote mail server after RCPT TO:<x@example.com>: 550 No Such User Here"), ReasonUserUnknown, ClassHard},
	{"sender named after the verdict stays hard", TypeBounce, failed("", "RCPT", "550 5.1.1 User unknown; please let the sender know"), ReasonUserUnknown, ClassHard},
	{"return-path of a quoted original is no sender verdict", TypeDSN, failed("5.1.1", "", "550 5.1.1 <x@example.com>... User unknown Reporting-MTA: dns; mx.example.jp Action: failed Status: 5.1.1 Return-Path: <b@example.net> Received: from mx.example.org"), ReasonUserUnknown, ClassHard},
	// Exchange Online's X.1.x codes about our side: the status alone would say "bad address".
	{"exchange 5.1.0 sender denied", TypeDSN, failed("5.1.0", "RCPT", "550 5.1.0 Sender denied"), ReasonRejected, ClassBlock},
	{"exchange 5.1.90 daily recipient limit", TypeDSN, failed("5.1.90", "", "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients"), ReasonSpeeding, ClassBlock},
	{"exchange 5.1.20 multiple from addresses", TypeBounce, failed("", "", "550 5.1.20 Multiple From addresses are not allowed. Provide a Sender address."), ReasonNotCompliantRFC, ClassBlock},
	{"5.1.2 about the sender's domain", TypeBounce, failed("", "", "550 5.1.2 The domain example.net of the sender is not resolvable"), ReasonRejected, ClassBlock},
	{"5.1.1 about the sender's address", TypeBounce, failed("", "", "550 5.1.1 Rejected: your sender address is invalid"), ReasonRejected, ClassBlock},
	{"exchange invalid EHLO domain", TypeBounce, failed("", "", "501 5.5.4 Invalid domain name"), ReasonSyntaxError, ClassBlock},
	{"exchange 5.1.0 recipient echo stays hard", TypeBounce, failed("", "", "550 5.1.0 <x@example.com>: Address rejected"), ReasonUserUnknown, ClassHard},
	// GMX/web.de/IONOS answer our sender domain's missing MX with RFC 5321's mailbox text.
	{"gmx invalid dns mx of our domain", TypeBounce, failed("", "RCPT", "550-Requested action not taken: mailbox unavailable 550 invalid DNS MX or A/AAAA resource record"), ReasonRejected, ClassBlock},
	{"web.de mailbox unavailable stays hard", TypeBounce, failed("", "RCPT", "550 Requested action not taken: mailbox unavailable"), ReasonUserUnknown, ClassHard},
	// "Recipient rejected" is read by its cause when one is given.
	{"recipient rejected: policy", TypeBounce, failed("", "RCPT", "550 5.7.1 Recipient rejected: policy"), ReasonPolicyViolation, ClassBlock},
	{"recipient rejected by policy", TypeBounce, failed("", "RCPT", "554 Recipient rejected by policy"), ReasonPolicyViolation, ClassBlock},
	{"bare recipient rejected at RCPT", TypeBounce, failed("", "RCPT", "550 Recipient rejected"), ReasonUserUnknown, ClassHard},
	// Our relay refusing our SMTP AUTH names no recipient.
	{"smarthost auth failed, user not found", TypeBounce, failed("", "", "SASL authentication failed; server smtp.relay.example[192.0.2.9] said: 535 5.7.8 Error: authentication failed: user not found"), ReasonSecurityError, ClassBlock},
	// "address not found" of our IP or in an allow-list is no directory verdict.
	{"client ip not found in allowed list", TypeBounce, failed("", "RCPT", "550 5.7.1 Client IP address not found in allowed list"), ReasonBlocked, ClassBlock},
	{"ip address not found in dns", TypeBounce, failed("", "", "550 5.7.1 Connection rejected: IP address not found in DNS"), ReasonBlocked, ClassBlock},
	{"address not found in allowed senders", TypeBounce, failed("", "RCPT", "550 5.7.1 Email address not found in allowed senders list"), ReasonFiltered, ClassSoft},
	{"gmail address not found stays hard", TypeBounce, failed("", "", "Address not found: Your message wasn't delivered to x@example.com because the address couldn't be found, or is unable to receive mail."), ReasonUserUnknown, ClassHard},
	// Refusals of us that read as nothing (soft, counted towards suppression) before.
	{"gmx black listed", TypeBounce, failed("", "RCPT", "554 IP address is black listed."), ReasonBlocked, ClassBlock},
	{"aol will not accept delivery", TypeBounce, failed("", "", "521 5.2.1 : AOL will not accept delivery of this message."), ReasonBlocked, ClassBlock},
	{"exchange online sendasdenied", TypeDSN, failed("5.2.252", "", "554 5.2.252 SendAsDenied; b@example.net not allowed to send as c@example.net; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"), ReasonRejected, ClassBlock},
	{"yahoo unresolvable header from domain", TypeBounce, failed("", "DATA", "554 5.7.9 Message not accepted for policy reasons: unresolvable RFC.5322 from domain"), ReasonRejected, ClassBlock},
	{"yahoo unresolvable from domain", TypeBounce, failed("", "RCPT", "451 Message temporarily deferred due to unresolvable RFC.5321 from domain"), ReasonRejected, ClassBlock},
	// Our sender or host in other words and languages.
	{"sending host not listed in dns", TypeBounce, failed("", "RCPT", "550 5.7.1 Sending host not listed in DNS"), ReasonBlocked, ClassBlock},
	{"german sender not found", TypeBounce, failed("", "RCPT", "550 5.1.0 Absenderadresse nicht gefunden"), ReasonRejected, ClassBlock},
	{"spanish sender domain does not exist", TypeBounce, failed("", "RCPT", "550 El dominio del remitente no existe"), ReasonRejected, ClassBlock},
	{"german recipient unknown stays hard", TypeBounce, failed("", "RCPT", "550 Empfaenger unbekannt"), ReasonUserUnknown, ClassHard},
	{"qmail remote host said stays hard", TypeBounce, failed("", "", "192.0.2.1 does not like recipient. Remote host said: 550 5.1.1 <x@example.com>... User Unknown Giving up on 192.0.2.1."), ReasonUserUnknown, ClassHard},
	{"does not accept mail with attachments", TypeBounce, failed("", "RCPT", "550 5.7.1 Recipient does not accept mail with attachments"), ReasonPolicyViolation, ClassBlock},
	// After DATA the recipient's domain has resolved and taken RCPT: an unknown domain is one in the message.
	{"unknown domain in headers after DATA", TypeBounce, failed("", "DATA", "554 5.7.1 Message rejected: unknown domain in message headers"), ReasonRejected, ClassBlock},
	{"header domain not found at end of data", TypeBounce, failed("", "", "host mx.example.com[192.0.2.1] said: 550 5.7.0 Header domain not found (in reply to end of DATA command)"), ReasonRejected, ClassBlock},
	{"5.1.2 after DATA stays hard", TypeDSN, failed("5.1.2", "DATA", "550 5.1.2 Host unknown"), ReasonHostUnknown, ClassHard},
	// Tencent QQ and NetEase documented replies.
	{"qq mailbox unavailable or access denied is a rate limit", TypeBounce, failed("", "RCPT", "550 Mailbox unavailable or access denied"), ReasonSpeeding, ClassBlock},
	{"qq sender frequency limited", TypeBounce, failed("", "RCPT", "550 Sender frequency limited. http://service.exmail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000723"), ReasonSpeeding, ClassBlock},
	{"qq mailbox not found stays hard", TypeBounce, failed("", "RCPT", "550 Mailbox not found. http://service.exmail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728"), ReasonUserUnknown, ClassHard},
	{"netease over flow", TypeBounce, failed("", "RCPT", "550 User is over flow"), ReasonMailboxFull, ClassSoft},
	{"coremail no such user", TypeBounce, failed("", "RCPT", "550 local server don't exists that user"), ReasonUserUnknown, ClassHard},
	// Mimecast's URL in every reply is not the word MIME.
	{"mimecast invalid recipient", TypeBounce, failed("", "RCPT", "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [abc.us123]"), ReasonUserUnknown, ClassHard},
	{"mimecast anti-spoofing", TypeBounce, failed("", "RCPT", "550 Rejected by header based Anti-Spoofing policy: x@example.com - https://community.mimecast.com/docs/DOC-1369#550"), ReasonPolicyViolation, ClassBlock},
	{"invalid mime structure stays content", TypeBounce, failed("", "DATA", "554 Invalid MIME structure"), ReasonContentError, ClassBlock},
	{"missing mime-version stays content", TypeBounce, failed("", "DATA", "554 MIME-Version header missing"), ReasonContentError, ClassBlock},
	// A reporting MTA's X.1.x over a reply that says 5.7.x: the reply's own code decides.
	{"5.1.1 over a 5.7.1 refusal", TypeDSN, failed("5.1.1", "", "550 5.7.1 Message refused"), ReasonSecurityError, ClassBlock},
	{"5.1.1 over a 5.7.1 policy refusal", TypeDSN, failed("5.1.1", "RCPT", "550 5.7.1 Blocked by local policy"), ReasonBlocked, ClassBlock},
	{"5.1.1 over a 5.1.1 reply stays hard", TypeDSN, failed("5.1.1", "", "550 5.1.1 <x@example.com>... User unknown"), ReasonUserUnknown, ClassHard},
	{"5.1.1 over a reply without a code stays hard", TypeDSN, failed("5.1.1", "", "550 Access denied"), ReasonUserUnknown, ClassHard},
	// "not a member of" is a list's refusal of our sender only for a list or group.
	{"not a member of this domain is no list refusal", TypeBounce, failed("", "RCPT", "550 5.1.1 alice is not a member of this domain"), ReasonUserUnknown, ClassHard},
	{"not a member of this mailing list", TypeBounce, failed("", "", "You are not a member of this mailing list <list@example.org>."), ReasonRejected, ClassBlock},
	// Words inside an address are no verdict.
	{"recipient domain with a virus word", TypeBounce, failed("", "RCPT", "550 5.1.1 <x@virusfree.example>: Recipient address rejected: User unknown"), ReasonUserUnknown, ClassHard},
	{"recipient local part dmarc", TypeBounce, failed("", "RCPT", "550 <dmarc@example.com>: Recipient address rejected: User unknown in local recipient table"), ReasonUserUnknown, ClassHard},
	{"recipient domain with a timeout word", TypeBounce, failed("", "RCPT", "550 user x@timeout.example was not found"), ReasonUserUnknown, ClassHard},
	{"recipient named sender", TypeBounce, failed("", "RCPT", "550 <sender@example.com>: User unknown"), ReasonUserUnknown, ClassHard},
	// Exchange Online's DNS verdict on the recipient's domain names the domain in the middle.
	{"exchange online 5.4.310", TypeDSN, failed("5.4.310", "", "550 5.4.310 DNS domain example.org does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=example.org] [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]"), ReasonHostUnknown, ClassHard},
	// A flooded recipient is live: a receiving-rate refusal is no disabled mailbox.
	{"gmail receiving email at a rate", TypeDSN, failed("5.2.1", "RCPT", "550-5.2.1 The user you are trying to contact is receiving email at a rate that prevents additional messages from being delivered. - gsmtp"), ReasonSpeeding, ClassBlock},
	{"yahoo receiving mail too quickly", TypeBounce, failed("", "RCPT", "450 User is receiving mail too quickly"), ReasonSpeeding, ClassBlock},
	{"google relay limit", TypeDSN, failed("5.4.5", "RCPT", "550-5.4.5 Daily SMTP relay limit exceeded for user. - gsmtp"), ReasonSpeeding, ClassBlock},
	// Exchange Online's documented codes for our quota and a flooded recipient.
	{"exchange online submission quota", TypeDSN, failed("5.2.2", "RCPT", "550 5.2.2 Submission quota exceeded"), ReasonSpeeding, ClassBlock},
	{"exchange online submission quota exception", TypeBounce, failed("", "", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; The message can't be submitted because the sender's submission quota was exceeded"), ReasonSpeeding, ClassBlock},
	{"exchange online receive limit", TypeBounce, failed("", "RCPT", "550 5.2.122 Recipient's per hour message receive limit exceeded"), ReasonSpeeding, ClassBlock},
	{"exchange online banned recipient", TypeBounce, failed("", "RCPT", "550 5.7.505 Access denied, banned recipient"), ReasonFiltered, ClassSoft},
	{"exchange online banned sending ip stays blocked", TypeBounce, failed("", "RCPT", "550 5.7.606 Access denied, banned sending IP [192.0.2.1]"), ReasonBlocked, ClassBlock},
	// A per-sender refusal is the recipient's filter, not a domain that takes no mail.
	{"does not accept mail from your domain", TypeBounce, failed("", "RCPT", "550 5.7.1 This user does not accept mail from your domain"), ReasonFiltered, ClassSoft},
	{"does not accept mail from your ip", TypeBounce, failed("", "RCPT", "550 5.7.1 Our server does not accept mail from your IP address"), ReasonBlocked, ClassBlock},
	{"null mx words stay notaccept", TypeBounce, failed("", "RCPT", "556 5.1.10 Domain does not accept mail"), ReasonNotAccept, ClassHard},
}

func TestClassify(t *testing.T) {
	tests := []classifyCase{
		// report type and action
		{"vacation", TypeAutoreply, Recipient{}, ReasonVacation, ClassIgnore},
		{"arf abuse", TypeARF, Recipient{FeedbackType: "abuse"}, ReasonFeedback, ClassComplaint},
		{"arf fraud", TypeARF, Recipient{FeedbackType: "Fraud"}, ReasonFeedback, ClassComplaint},
		{"arf jmrp without type", TypeARF, Recipient{}, ReasonFeedback, ClassComplaint},
		{"arf not-spam", TypeARF, Recipient{FeedbackType: "not-spam"}, ReasonFeedback, ClassIgnore},
		{"arf auth-failure", TypeARF, Recipient{FeedbackType: "auth-failure"}, ReasonFeedback, ClassIgnore},
		{"delivered", TypeDSN, Recipient{Action: "delivered", Status: "2.0.0"}, ReasonDelivered, ClassIgnore},
		{"relayed", TypeDSN, Recipient{Action: "relayed"}, ReasonDelivered, ClassIgnore},
		{"2.x status", TypeDSN, Recipient{Status: "2.6.0"}, ReasonDelivered, ClassIgnore},
		{"2.x status on a failed record", TypeDSN, Recipient{Action: "failed", Status: "2.0.0", Command: "RCPT", Diagnostic: "550 User unknown"}, ReasonUserUnknown, ClassHard},
		{"delayed bare", TypeDSN, Recipient{Action: "delayed", Status: "4.4.0"}, ReasonExpired, ClassIgnore},
		{"delayed full mailbox", TypeDSN, Recipient{Action: "delayed", Status: "4.2.2", Diagnostic: "452 4.2.2 Mailbox full"}, ReasonMailboxFull, ClassIgnore},

		// status codes
		{"5.1.1", TypeDSN, Recipient{Action: "failed", Status: "5.1.1"}, ReasonUserUnknown, ClassHard},
		{"5.1.2", TypeDSN, Recipient{Action: "failed", Status: "5.1.2"}, ReasonHostUnknown, ClassHard},
		{"5.1.6", TypeDSN, Recipient{Action: "failed", Status: "5.1.6"}, ReasonHasMoved, ClassHard},
		{"5.1.10 null mx", TypeDSN, Recipient{Action: "failed", Status: "5.1.10"}, ReasonNotAccept, ClassHard},
		{"5.2.2 full is soft", TypeDSN, Recipient{Action: "failed", Status: "5.2.2"}, ReasonMailboxFull, ClassSoft},
		{"5.2.1 disabled", TypeDSN, Recipient{Action: "failed", Status: "5.2.1"}, ReasonSuspend, ClassSoft},
		{"5.3.4 too big", TypeDSN, Recipient{Action: "failed", Status: "5.3.4"}, ReasonMesgTooBig, ClassBlock},
		{"5.4.7 expired", TypeDSN, Recipient{Action: "failed", Status: "5.4.7"}, ReasonExpired, ClassSoft},
		{"5.7.26 dmarc", TypeDSN, Recipient{Action: "failed", Status: "5.7.26"}, ReasonAuthFailure, ClassBlock},
		{"5.7.25 ptr", TypeDSN, Recipient{Action: "failed", Status: "5.7.25"}, ReasonRequirePTR, ClassBlock},
		{"5.7.1 bare", TypeDSN, Recipient{Action: "failed", Status: "5.7.1"}, ReasonSecurityError, ClassBlock},
		{"5.6.0 content", TypeDSN, Recipient{Action: "failed", Status: "5.6.0"}, ReasonContentError, ClassBlock},
		{"exchange banned ip range", TypeDSN, Recipient{Action: "failed", Status: "5.7.606"}, ReasonBlocked, ClassBlock},
		{"4.3.0 alone says nothing", TypeDSN, Recipient{Action: "failed", Status: "4.3.0", Diagnostic: "451 4.3.0 This message could not be delivered due to a recipient error. Please try again later."}, ReasonOnHold, ClassSoft},
		{"5.3.0 is a system error", TypeDSN, Recipient{Action: "failed", Status: "5.3.0", Diagnostic: "554 5.3.0 something odd"}, ReasonSystemError, ClassSoft},
		{"4.3.0 with words", TypeDSN, Recipient{Action: "failed", Status: "4.3.0", Diagnostic: "451 4.3.0 Error: queue file write error"}, ReasonSystemError, ClassSoft},
		{"4.x.x hostunknown is networkerror", TypeDSN, Recipient{Action: "failed", Status: "4.4.4"}, ReasonNetworkError, ClassSoft},

		// the code inside the diagnostic when Status is X.0.0 or missing
		{"exchange 5.0.0 with 5.1.1 inside", TypeDSN, Recipient{Action: "failed", Status: "5.0.0",
			Diagnostic: "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"}, ReasonUserUnknown, ClassHard},
		{"no status, code inside", TypeBounce, Recipient{Diagnostic: "552-5.2.2 The email account that you tried to reach is over quota"}, ReasonMailboxFull, ClassSoft},
		{"ip is not a status", TypeBounce, Recipient{Diagnostic: "host 192.0.2.1 said: 550 go away"}, ReasonOnHold, ClassSoft},

		// text beats a generic status; a decisive text beats a specific one
		{"5.0.0 spamhaus", TypeDSN, Recipient{Action: "failed", Status: "5.0.0",
			Diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"}, ReasonBlocked, ClassBlock},
		{"5.7.1 relay", TypeDSN, Recipient{Action: "failed", Status: "5.7.1", Diagnostic: "554 5.7.1 <a@example.org>: Relay access denied"}, ReasonNoRelaying, ClassBlock},
		{"5.7.1 dmarc", TypeDSN, Recipient{Action: "failed", Status: "5.7.1",
			Diagnostic: "550 5.7.1 Email rejected per DMARC policy for example.org"}, ReasonAuthFailure, ClassBlock},
		{"5.7.1 user unknown", TypeDSN, Recipient{Action: "failed", Status: "5.7.1",
			Diagnostic: "553 Invalid recipient a@example.org (Mode: normal)", Command: "RCPT"}, ReasonUserUnknown, ClassHard},
		{"5.1.1 but full", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 Mailbox full"}, ReasonMailboxFull, ClassSoft},
		{"5.1.1 recipient preferences", TypeDSN, Recipient{Action: "failed", Status: "5.1.1",
			Diagnostic: "550 5.1.1 RCP-P2 Refused due to recipient preferences"}, ReasonFiltered, ClassSoft},
		{"folded gmail text", TypeDSN, Recipient{Action: "failed", Status: "5.7.1",
			Diagnostic: "550-5.7.1 [192.0.2.1 13] Messages with multiple 550 5.7.1 addresses in From: header are not accepted."}, ReasonNotCompliantRFC, ClassBlock},
		{"gmail spf hard fail", TypeDSN, Recipient{Action: "failed", Status: "5.7.26",
			Diagnostic: "550-5.7.26 The MAIL FROM domain has an SPF record with a hard fail policy. To best protect our users from spam, the message has been blocked."}, ReasonAuthFailure, ClassBlock},
		{"rate limit", TypeDSN, Recipient{Action: "failed", Status: "4.7.0", Diagnostic: "421 4.7.0 Try again later, rate limited"}, ReasonSpeeding, ClassBlock},
		{"connection rate", TypeDSN, Recipient{Action: "failed", Status: "4.3.2", Diagnostic: "452 4.3.2 Connection rate limit exceeded."}, ReasonTooManyConn, ClassBlock},
		{"reverse dns", TypeDSN, Recipient{Action: "failed", Status: "5.7.1",
			Diagnostic: "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 192.0.2.2"}, ReasonRequirePTR, ClassBlock},
		{"virus", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "550 Virus Detected; Content Rejected"}, ReasonVirusDetected, ClassBlock},
		{"spam score", TypeDSN, Recipient{Action: "failed", Status: "5.6.0",
			Diagnostic: "554 5.6.0 This message has been scored as spam with a probability of more than 90%"}, ReasonSpamDetected, ClassBlock},
		{"sender domain missing", TypeDSN, Recipient{Action: "failed", Status: "5.1.8",
			Diagnostic: "553 5.1.8 <a@example.net>... Domain of sender address a@example.net does not exist"}, ReasonRejected, ClassBlock},
		{"gmail disabled", TypeDSN, Recipient{Action: "failed", Status: "5.2.1",
			Diagnostic: "550 5.2.1 The email account that you tried to reach is disabled."}, ReasonSuspend, ClassSoft},
		{"postfix nxdomain", TypeDSN, Recipient{Action: "failed", Status: "5.4.4",
			Diagnostic: "Host or domain name not found. Name service error for name=example.jp type=A: Host not found"}, ReasonHostUnknown, ClassHard},
		{"postfix dns malformed", TypeDSN, Recipient{Action: "failed", Status: "5.4.4",
			Diagnostic: "Name service error for name=example.org type=MX: Malformed or unexpected name server reply"}, ReasonNetworkError, ClassSoft},
		{"gmail nxdomain as 4.0.0", TypeDSN, Recipient{Action: "failed", Status: "4.0.0",
			Diagnostic: "DNS Error: DNS type 'mx' lookup of example.jp responded with code NXDOMAIN Domain name not found: example.jp"}, ReasonNetworkError, ClassSoft},
		{"null mx as 4.0.0 is soft", TypeDSN, Recipient{Action: "failed", Status: "4.0.0",
			Diagnostic: "The domain example.org doesn't receive email according to the administrator: returned Null MX"}, ReasonNotAccept, ClassSoft},
		{"message expired", TypeDSN, Recipient{Action: "failed", Status: "4.4.2",
			Diagnostic: "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>"}, ReasonExpired, ClassSoft},

		// the SMTP command
		{"user unknown after DATA", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "550 : User unknown", Command: "DATA"}, ReasonFiltered, ClassSoft},
		{"user unknown at RCPT", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "550 <a@example.jp>: User unknown", Command: "RCPT"}, ReasonUserUnknown, ClassHard},
		{"5.1.1 after DATA", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 User unknown", Command: "DATA"}, ReasonUserUnknown, ClassHard},
		{"user unknown, no witness", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "550 kijitora@example.com... No such user"}, ReasonFiltered, ClassSoft},
		{"user unknown, recipient echoed", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "550 <a@example.jp>: User unknown"}, ReasonUserUnknown, ClassHard},
		{"echo does not beat a mailbox status", TypeDSN, Recipient{Action: "failed", Status: "5.2.1", Diagnostic: "550 5.2.1 <a@example.jp>... User Unknown"}, ReasonFiltered, ClassSoft},
		{"5.2.1 user unknown at RCPT", TypeDSN, Recipient{Action: "failed", Status: "5.2.1", Diagnostic: "550 5.2.1 <a@example.jp>... User Unknown", Command: "RCPT"}, ReasonUserUnknown, ClassHard},
		{"kddi empty address", TypeDSN, Recipient{Action: "failed", Status: "5.1.351", Diagnostic: "550 5.1.351 Remote server returned unknown recipient -> 550 : User unknown"}, ReasonFiltered, ClassSoft},
		{"gmail no such user", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "** Address not found **"}, ReasonUserUnknown, ClassHard},
		{"yahoo dd after DATA", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Command: "DATA",
			Diagnostic: "554 delivery error: dd This user doesn't have a yahoo.com account (a@yahoo.com) [0]"}, ReasonUserUnknown, ClassHard},
		{"unknown sender domain at MAIL", TypeDSN, Recipient{Action: "failed", Status: "5.1.7", Command: "MAIL",
			Diagnostic: "550 5.1.7 No such domain example.com."}, ReasonRejected, ClassBlock},
		{"qmail queue too long keeps the cause", TypeBounce, Recipient{Status: "4.4.3",
			Diagnostic: "Unable to contact LDAP server. (#4.4.3)I'm not going to try again; this message has been in the queue too long."}, ReasonSystemError, ClassSoft},
		{"gmail sending quota is ours", TypeDSN, Recipient{Action: "failed", Status: "5.4.5", Diagnostic: "550 5.4.5 Daily user sending quota exceeded."}, ReasonSpeeding, ClassBlock},
		{"quota at connect is ours", TypeBounce, Recipient{Command: "CONN", Diagnostic: "554 You've reached your daily relay quota"}, ReasonBlocked, ClassBlock},
		{"sender domain not found", TypeDSN, Recipient{Action: "failed", Status: "4.1.8",
			Diagnostic: "450 4.1.8 <a@example.net>: Sender address rejected: Domain not found"}, ReasonRejected, ClassBlock},
		{"helo rejected", TypeDSN, Recipient{Action: "failed", Status: "5.7.1",
			Diagnostic: "504 5.5.2 <localhost>: Helo command rejected: Host not found"}, ReasonBlocked, ClassBlock},
		{"postfix mailbox size limit", TypeDSN, Recipient{Action: "failed", Status: "5.2.2",
			Diagnostic: "cannot update mailbox /var/mail/a for user a. error writing message: File too large", DiagnosticType: "x-postfix"}, ReasonMailboxFull, ClassSoft},
		{"size exceeds with 5.3.4", TypeDSN, Recipient{Action: "failed", Status: "5.3.4", Diagnostic: "552 5.3.4 Message size exceeds fixed limit"}, ReasonMesgTooBig, ClassBlock},
		{"ses suppression list", TypeDSN, Recipient{Action: "failed", Status: "5.1.1",
			Diagnostic: "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address."}, ReasonSuppressed, ClassSoft},
		{"outlook.com SC-001", TypeBounce, Recipient{Diagnostic: "550 SC-001 (BAY004-MC1F44) Unfortunately, messages from 192.0.2.1 weren't sent."}, ReasonBlocked, ClassBlock},
		{"barracuda UBE, not uber", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "550 uber.example.com: user unknown", Command: "RCPT"}, ReasonUserUnknown, ClassHard},
		{"polish unknown user", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 Konto nie istnieje"}, ReasonUserUnknown, ClassHard},
		{"echo of another address is no witness", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "a@example.jp",
			Diagnostic: "550 <bounce@mailer.example.com>... User unknown"}, ReasonFiltered, ClassSoft},
		{"echo of the recipient is a witness", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "A@example.jp",
			Diagnostic: "550 <a@example.jp>... User unknown"}, ReasonUserUnknown, ClassHard},
		{"unknown user: the recipient", TypeBounce, Recipient{FinalRecipient: "a@example.jp", Diagnostic: "Unknown user: A@example.jp"}, ReasonUserUnknown, ClassHard},
		{"unknown user: another address", TypeBounce, Recipient{FinalRecipient: "a@example.jp", Diagnostic: "Unknown user: bounce@mailer.example.com"}, ReasonFiltered, ClassSoft},
		{"unknown user: the recipient under 5.7.1", TypeBounce, Recipient{FinalRecipient: "a@example.jp", Status: "5.7.1",
			Diagnostic: "550 5.7.1 550 User Unknown: a@example.jp"}, ReasonFiltered, ClassSoft},
		{"barracuda no such user (the recipient)", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "a@example.jp",
			Diagnostic: "550 No such user (a@example.jp)"}, ReasonUserUnknown, ClassHard},
		{"no such user (another address)", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "a@example.jp",
			Diagnostic: "550 No such user (bounce@mailer.example.com)"}, ReasonFiltered, ClassSoft},
		{"unknown user without the address", TypeBounce, Recipient{FinalRecipient: "a@example.jp", Diagnostic: "550 Unknown user"}, ReasonFiltered, ClassSoft},
		{"verizon mms no valid recipients", TypeBounce, Recipient{FinalRecipient: "5550100@vzwpix.com",
			Diagnostic: "Message could not be delivered to mobile. Error: No valid recipients for this MM"}, ReasonUserUnknown, ClassHard},
		{"recipients rejected by a remote server", TypeBounce, Recipient{Diagnostic: "Each of the following recipients was rejected by a remote mail server."}, ReasonFiltered, ClassSoft},
		{"ses label is not the receiver's words", TypeDSN, Recipient{Action: "failed", Status: "5.7.1", FinalRecipient: "a@example.jp",
			Diagnostic: "550 5.7.1 <b@bounces.example.com>... Access denied (5.1.0 - Unknown address error; delivery attempts: 0)"}, ReasonSecurityError, ClassBlock},
		{"ses label over a user unknown reply", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.jp",
			Diagnostic: "550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown (5.1.1 - Bad destination mailbox address; delivery attempts: 0)"}, ReasonUserUnknown, ClassHard},
		{"exim sender verify, first line only", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550-Verification failed for <bounces+x@example.com>"}, ReasonRejected, ClassBlock},
		{"communigate unknown user account", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "a@example.lv",
			Diagnostic: "550 a@example.lv unknown user account"}, ReasonUserUnknown, ClassHard},
		{"yahoo dd not a valid recipient", TypeBounce, Recipient{FinalRecipient: "a@yahoo.com", Diagnostic: "554: delivery error: dd Not a valid recipient"}, ReasonUserUnknown, ClassHard},
		{"yahoo 552 mailbox not found", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "552 1 Requested mail action aborted, mailbox not found"}, ReasonUserUnknown, ClassHard},
		{"yandex invalid mailbox after DATA", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "a@yandex.ru",
			Diagnostic: "550 Message was not accepted -- invalid mailbox. Local mailbox a@yandex.ru is unavailable: user not found"}, ReasonUserUnknown, ClassHard},
		{"unknown e-mail address at RCPT shape", TypeDSN, Recipient{Action: "failed", Status: "5.3.0", FinalRecipient: "a@example.com",
			Diagnostic: "553 5.3.0 <a@example.com>... Unknown E-Mail Address"}, ReasonUserUnknown, ClassHard},
		{"google groups posting limit", TypeBounce, Recipient{Diagnostic: "You have exceeded the the allowable number of posts without solving a captcha."}, ReasonSpeeding, ClassBlock},
		{"no To: header", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "Messages without To: fields are not accepted here"}, ReasonNotCompliantRFC, ClassBlock},
		{"sendmail's 5.1.1 over a bare spam refusal", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 Rejected: message looks like spam"}, ReasonSpamDetected, ClassBlock},
		{"sendmail's 5.1.1 over a bare user unknown", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 unknown user"}, ReasonUserUnknown, ClassHard},
		{"sendmail's 5.1.1 over words it cannot read", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 go away"}, ReasonUserUnknown, ClassHard},
		{"sendmail's 5.1.1, user unknown and spam words", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 Mailbox not found; http://example.net/antispam/"}, ReasonUserUnknown, ClassHard},
		{"sendmail's 5.1.1, no such user and header words", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 No such user (check message header for correct address)"}, ReasonUserUnknown, ClassHard},
		{"ses's 5.1.1 over a content refusal", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 Message rejected due to spam content (5.1.1 - Bad destination mailbox address; delivery attempts: 0)"}, ReasonSpamDetected, ClassBlock},
		{"all recipients rejected names no cause of the recipient", TypeBounce, Recipient{Diagnostic: "All recipients were rejected: 550 Go away"}, ReasonRejected, ClassBlock},
		{"the receiver's own 5.1.1 beats a hint", TypeDSN, Recipient{Action: "failed", Status: "5.1.1", FinalRecipient: "a@example.net",
			Diagnostic: "550 5.1.1 <a@example.net>: mailbox not found, spam trap"}, ReasonUserUnknown, ClassHard},
		{"netease DT:SPM", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "554 DT:SPM 163 smtp12,EMCowACnzwc_BjhcKMZmAQ--.20 1547171455, please see http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.1"}, ReasonSpamDetected, ClassBlock},
		{"chinese phrase inside a sentence", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "收件方服务器反馈收件人地址不存在的信息给我们服务器"}, ReasonFiltered, ClassSoft},
		{"chinese phrase at RCPT", TypeBounce, Recipient{Command: "RCPT", Diagnostic: "550 收件人地址不存在"}, ReasonUserUnknown, ClassHard},
		{"spanish non-existent user", TypeBounce, Recipient{Command: "RCPT", Diagnostic: "550 Usuario inexistente"}, ReasonUserUnknown, ClassHard},
		{"postfix recipient restriction answers RCPT", TypeBounce, Recipient{Status: "5.7.1", FinalRecipient: "a@example.com",
			Diagnostic: "The response from the remote server was: 550 5.7.1 : Recipient address rejected: Recipient not found"}, ReasonUserUnknown, ClassHard},
		{"british not recognised", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Command: "RCPT",
			Diagnostic: "551 You have sent an email to an address not recognised by our system. The email has been refused."}, ReasonUserUnknown, ClassHard},
		{"yahoo dd no longer valid", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", FinalRecipient: "a@example.com",
			Diagnostic: "554 delivery error: dd a@example.com is no longer valid. [-20] - mta1234.mail.example.yahoo.com"}, ReasonUserUnknown, ClassHard},
		{"DATA named in the text", TypeBounce, Recipient{Status: "5.0.0",
			Diagnostic: "host mx.example.jp said: 550 <a@example.jp>: User unknown (in reply to end of DATA command)"}, ReasonFiltered, ClassSoft},
		{"RCPT named in the text", TypeBounce, Recipient{Status: "5.3.0",
			Diagnostic: "Technical details: SMTP:RCPT host 192.0.2.8: 553 5.3.0 <a@example.com>... No such user here"}, ReasonUserUnknown, ClassHard},
		{"refused at MAIL", TypeDSN, Recipient{Action: "failed", Status: "5.7.1", Diagnostic: "550 5.7.1 Access denied", Command: "MAIL"}, ReasonRejected, ClassBlock},
		{"server failure at MAIL stays its own", TypeDSN, Recipient{Action: "failed", Status: "5.0.0", Diagnostic: "554 Transaction failed", Command: "MAIL"}, ReasonSystemError, ClassSoft},
		{"internal error at MAIL", TypeBounce, Recipient{Diagnostic: "451 4.3.0 Internal error, try again later", Command: "MAIL"}, ReasonSystemError, ClassSoft},
		{"refused at HELO", TypeBounce, Recipient{Diagnostic: "550 go away", Command: "HELO"}, ReasonBlocked, ClassBlock},
		{"x-unix exit status", TypeDSN, Recipient{Action: "failed", Status: "5.3.0", Diagnostic: "255", DiagnosticType: "x-unix"}, ReasonMailerError, ClassSoft},
		{"x-unix quota", TypeDSN, Recipient{Action: "failed", Status: "4.3.0", Diagnostic: "Disk quota exceeded", DiagnosticType: "X-Unix"}, ReasonMailboxFull, ClassSoft},
		// The RFC 3464-era example MimeKit tests: the reporting MTA's own
		// directory answer (X-LOCAL), not an SMTP 500 syntax error.
		{"x-local no such user", TypeDSN, Recipient{Action: "failed", ReplyCode: "500", Diagnostic: "500 (err.nosuchuser)", DiagnosticType: "x-local", FinalRecipient: "a@example.com"}, ReasonUserUnknown, ClassHard},
		{"smtp 500 no such user is no local verdict", TypeDSN, Recipient{Action: "failed", ReplyCode: "500", Diagnostic: "500 (err.nosuchuser)", DiagnosticType: "smtp", RemoteMTA: "mx.example.com", FinalRecipient: "a@example.com"}, ReasonFiltered, ClassSoft},

		// reply codes and nothing
		{"551 alone", TypeBounce, Recipient{ReplyCode: "551", Diagnostic: "551 not here"}, ReasonHasMoved, ClassHard},
		{"521 alone", TypeBounce, Recipient{ReplyCode: "521"}, ReasonNotAccept, ClassHard},
		{"unreadable", TypeBounce, Recipient{Diagnostic: "something odd happened"}, ReasonOnHold, ClassSoft},
		{"nothing", TypeBounce, Recipient{}, ReasonUndefined, ClassSoft},
		{"postfix sign-off only", TypeBounce, Recipient{Diagnostic: "The mail system"}, ReasonUndefined, ClassSoft},
		{"postfix intro only", TypeBounce, Recipient{Diagnostic: "This is the mail system at host mx.example.net. I'm sorry to have to inform you that your message could not be delivered to one or more recipients. It's attached below."}, ReasonUndefined, ClassSoft},
		{"exchange intro only", TypeBounce, Recipient{Diagnostic: "This is an automatically generated Delivery Status Notification."}, ReasonUndefined, ClassSoft},
		{"intro and a cause", TypeBounce, Recipient{Diagnostic: "This is an automatically generated Delivery Status Notification. Something odd happened."}, ReasonOnHold, ClassSoft},
	}
	tests = append(tests, providerWordings...)
	tests = append(tests, borrowedPhrases...)
	tests = append(tests, providerCodeCases...)
	tests = append(tests, notHard...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			classify(tt.typ, &r)
			if r.Reason != tt.reason || r.Class != tt.class {
				t.Errorf("classify(%s, %+v) = %q/%q, want %q/%q", tt.typ, tt.r, r.Reason, r.Class, tt.reason, tt.class)
			}
		})
	}
}

// TestMicrosoftConsumerMailboxUnavailable: Outlook.com's "mailbox
// unavailable" is its answer for a mailbox that does not exist, so from its
// hosts (the remote MTA or the reporting MTA) it is hard; from anyone else,
// or as a 4xx, the same RFC 5321 words stay a soft refusal.
func TestMicrosoftConsumerMailboxUnavailable(t *testing.T) {
	const diag = "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)."
	for _, c := range []struct {
		name, remote, reporting, status, diag string
		reason                                Reason
		class                                 Class
	}{
		{"outlook.com inbound relay", "hotmail-com.olc.protection.outlook.com", "mx.example.org", "5.5.0", diag, ReasonUserUnknown, ClassHard},
		{"hotmail reporting its own user", "", "BAY004-MC1F22.hotmail.com", "5.5.0", diag, ReasonUserUnknown, ClassHard},
		{"live.com", "mx4.live.com.", "", "5.0.0", diag, ReasonUserUnknown, ClassHard},
		{"exchange online business", "example-com.mail.protection.outlook.com", "", "5.5.0", diag, ReasonFiltered, ClassSoft},
		{"another provider", "mx.example.net", "mx.example.org", "5.5.0", diag, ReasonFiltered, ClassSoft},
		{"not-hotmail.com lookalike", "mx.nothotmail.com", "", "5.5.0", diag, ReasonFiltered, ClassSoft},
		{"temporary at outlook.com", "hotmail-com.olc.protection.outlook.com", "", "4.5.0",
			"450 4.5.0 Requested action not taken: mailbox unavailable", ReasonFiltered, ClassSoft},
		{"hotmail relaying another server's words", "mx.example.net", "BAY004-OMC2S5.hotmail.com", "5.0.0", "550 Requested action not taken: mailbox unavailable", ReasonFiltered, ClassSoft},
		{"no server named, recipient at hotmail.com", "", "mx.example.org", "5.5.0", diag, ReasonUserUnknown, ClassHard},
		{"outlook.com quota keeps its reason", "hotmail-com.olc.protection.outlook.com", "", "5.2.2",
			"550 5.2.2 Requested action not taken: mailbox unavailable. Reason: Mailbox quota exceeded", ReasonMailboxFull, ClassSoft},
		{"outlook.com spamhaus keeps its reason", "hotmail-com.olc.protection.outlook.com", "", "5.7.1",
			"550 5.7.1 Requested action not taken: mailbox unavailable. Client host [192.0.2.1] blocked using Spamhaus", ReasonBlocked, ClassBlock},
		{"a 4xx inside a final report", "hotmail-com.olc.protection.outlook.com", "", "5.0.0",
			"retry timeout exceeded; last error: 450 4.5.0 Requested action not taken: mailbox unavailable", ReasonExpired, ClassSoft},
		{"outlook.com block list keeps its reason", "hotmail-com.olc.protection.outlook.com", "", "5.7.1",
			"550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).", ReasonBlocked, ClassBlock},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Recipient{Action: "failed", Status: c.status, Diagnostic: c.diag, RemoteMTA: c.remote, FinalRecipient: "a@hotmail.com"}
			classifyReported(TypeDSN, &r, c.reporting)
			if r.Reason != c.reason || r.Class != c.class {
				t.Errorf("classify = %q/%q, want %q/%q", r.Reason, r.Class, c.reason, c.class)
			}
		})
	}
}

func TestWithoutRelayLabel(t *testing.T) {
	for in, want := range map[string]string{
		"550 5.7.1 <a@b>... Access denied (5.1.0 - Unknown address error; delivery attempts: 0)": "550 5.7.1 <a@b>... Access denied",
		"550 5.1.1 <a@b>: User unknown (in reply to RCPT TO command)":                            "550 5.1.1 <a@b>: User unknown (in reply to RCPT TO command)",
		"Unknown address error (5.1.0 - x)":                                                      "Unknown address error (5.1.0 - x)", // no reply first: the label is all there is
		"550 mailbox full (5.2.2)":                                                               "550 mailbox full (5.2.2)",
	} {
		if got := withoutRelayLabel(in); got != want {
			t.Errorf("withoutRelayLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMicrosoftConsumerDomain(t *testing.T) {
	for d, want := range map[string]bool{
		"hotmail.com": true, "hotmail.co.uk": true, "outlook.com.br": true, "live.jp": true, "msn.com": true,
		"hotmail.example.com": false, "outlook.mycompany.com": false, "live.com.example": false, "example.com": false, "": false,
	} {
		if got := microsoftConsumerDomain(d); got != want {
			t.Errorf("microsoftConsumerDomain(%q) = %v, want %v", d, got, want)
		}
	}
}

func TestMaskAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<a@virusfree.example>: user unknown", "<@>: user unknown"},
		{"user a@timeout.example was not found.", "user @ was not found."},
		{"mail to <a@b.example>, <c@d.example>.", "mail to <@>, <@>."},
		{"no address here", "no address here"},
		{"a lone @ sign", "a lone @ sign"},
	}
	for _, tt := range tests {
		if got := maskAddresses(tt.in); got != tt.want {
			t.Errorf("maskAddresses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeDiagnostic(t *testing.T) {
	tests := []struct{ in, want string }{
		{"550-5.7.1 This is\r\n  folded 550-5.7.1 text", "this is folded text"},
		{"554-No SMTP service 554-Bad DNS PTR resource record.", "no smtp service bad dns ptr resource record."},
		{"Send 550 messages", "send 550 messages"},
		{"  Mailbox   FULL ", "mailbox full"},
	}
	for _, tt := range tests {
		if got := normalizeDiagnostic(tt.in); got != tt.want {
			t.Errorf("normalizeDiagnostic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStatusInText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"550 5.1.1 <a@example.org>: unknown", "5.1.1"},
		{"451 4.7.650 The mail server [192.0.2.25] has been", "4.7.650"},
		{"host 192.0.2.1 said no", ""},
		{"see 4.16.55.1 for details", ""},
		{"version 5.2.10.4", ""},
		{"by Exim 4.92.3 with esmtp", ""},
		{"550 5.7.606 Access denied", "5.7.606"},
		{"550 #5.1.0 Address rejected.", "5.1.0"},
	}
	for _, tt := range tests {
		if got := statusInText(tt.in); got != tt.want {
			t.Errorf("statusInText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextRulesAreLowerCase(t *testing.T) {
	for _, r := range textRules {
		for i := 0; i < len(r.phrase); i++ {
			if c := r.phrase[i]; c >= 'A' && c <= 'Z' || c == '\t' || c == '\n' {
				t.Errorf("text rule %q is not lower case on single spaces", r.phrase)
				break
			}
		}
		if _, ok := reasonClass[r.reason]; !ok {
			t.Errorf("text rule %q: reason %q has no class", r.phrase, r.reason)
		}
	}
	seen := map[string]bool{}
	for _, r := range textRules {
		if seen[r.phrase] {
			t.Errorf("text rule %q appears twice", r.phrase)
		}
		seen[r.phrase] = true
	}
	codes := map[string]bool{}
	for _, s := range statusRules {
		if codes[s.code] {
			t.Errorf("status rule %q appears twice", s.code)
		}
		codes[s.code] = true
	}
	for _, s := range statusRules {
		if _, ok := reasonClass[s.reason]; !ok {
			t.Errorf("status rule %q: reason %q has no class", s.code, s.reason)
		}
	}
}

// TestTextRulesReachable fails when a row can never decide because an
// earlier row (in weight-then-table order) matches every text it matches.
func TestTextRulesReachable(t *testing.T) {
	for j, later := range compiledRules {
		for _, earlier := range compiledRules[:j] {
			if len(earlier.parts) == 1 && strings.Contains(strings.Join(later.parts, " "), earlier.parts[0]) {
				t.Errorf("text rule %q is shadowed by the earlier rule %q", strings.Join(later.parts, "*"), earlier.parts[0])
				break
			}
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	rs := []Recipient{
		{Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 <kijitora@example.jp>... User Unknown"},
		{Action: "failed", Status: "5.0.0", Diagnostic: "550 : User unknown"},
		{Action: "failed", Status: "5.7.1", Diagnostic: "550-5.7.1 [192.0.2.22 18] Our system has detected that this message is 550-5.7.1 likely suspicious due to the very low reputation of the sending IP address."},
		{Action: "failed", Diagnostic: "DNS Error: 80335577 DNS type 'mx' lookup of example.jp responded with code NXDOMAIN Domain name not found: example.jp"},
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := rs[i%len(rs)]
		classify(TypeDSN, &r)
	}
}

// naiveMatch is matchText without the bigram filter.
func naiveMatch(text string) Reason {
	for i := range compiledRules {
		if text != "" && compiledRules[i].match(text) {
			return compiledRules[i].reason
		}
	}
	return ""
}

func TestBigramFilterKeepsMatches(t *testing.T) {
	for _, r := range textRules {
		text := strings.ReplaceAll(strings.TrimPrefix(r.phrase, "*"), "*", " x ")
		if got, want := func() Reason { g, _ := matchText(text); return g }(), naiveMatch(text); got != want {
			t.Errorf("matchText(%q) = %q, want %q", text, got, want)
		}
	}
}

// FuzzClassify checks that any record gets a known reason and a class
// consistent with it, and that classify never panics.
func FuzzClassify(f *testing.F) {
	f.Add("5.1.1", "550", "550 5.1.1 <a@example.org>... User unknown", "failed", "RCPT")
	f.Add("", "", "550-5.7.1 folded 550 5.7.1 text", "", "")
	f.Add("4.0.0", "421", "DNS Error: NXDOMAIN", "delayed", "CONN")
	f.Add("5.", "5", "550 <", "", "DATA")
	f.Fuzz(func(t *testing.T, status, reply, diag, action, cmd string) {
		text := normalizeDiagnostic(diag)
		if gr, gw := matchText(text); gr != naiveMatch(text) || gr == "" && gw != none {
			t.Fatalf("matchText(%q) = %q, want %q (the bigram filter lost a match)", text, gr, naiveMatch(text))
		}
		r := Recipient{Status: status, ReplyCode: reply, Diagnostic: diag, Action: action, Command: cmd}
		classify(TypeDSN, &r)
		want, ok := reasonClass[r.Reason]
		if !ok {
			t.Fatalf("classify(%q, %q, %q) = unknown reason %q", status, reply, diag, r.Reason)
		}
		if r.Class != want && r.Class != ClassIgnore && !(want == ClassHard && r.Class == ClassSoft) {
			t.Errorf("classify(%q, %q, %q) = %q/%q, want class %q", status, reply, diag, r.Reason, r.Class, want)
		}
	})
}
