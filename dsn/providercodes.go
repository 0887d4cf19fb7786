package dsn

import "strings"

// Provider codes: a few large receivers append a code of their own to every
// refusal and document what each means. Where a reply carries such a code,
// it names the cause more precisely than the words around it ("sender
// rejected. ... AUP#CDRBL" is Cox's IP block, not a refusal of the sender
// address). The tables follow the providers' published lists, as collected
// by sisimai (rb-sisimai lib/sisimai/rhost/{cox,spectrum,franceptt}.rb,
// BSD-2-Clause). All QUIRKs: each code is one provider's.

// coxCodes are Cox's "AUP#<code>" codes
// (https://www.cox.com/business/support/email-error-codes.html).
var coxCodes = map[string]Reason{
	"cxbl":   ReasonBlocked,       // sending IP blocked for spam-like behaviour
	"cdrbl":  ReasonBlocked,       // sending IP temporarily blocked for spam-like behaviour
	"cxdns":  ReasonRequirePTR,    // reverse DNS of the sending IP fails
	"cxsndr": ReasonAuthFailure,   // SPF/DKIM checks against the sending domain failed
	"cxsmtp": ReasonRejected,      // could not verify a legitimate sender
	"cxcnct": ReasonTooManyConn,   // too many concurrent connections
	"cxmxrt": ReasonTooManyConn,   // too many recipients, wait before sending more
	"cxthrt": ReasonSecurityError, // sending limited for suspicious account activity
	"cxmj":   ReasonSecurityError, // sending blocked for suspicious account activity
}

// spectrumCodes are Spectrum/Charter's "AUP#I-nnnn" / "AUP#O-nnnn" ranges
// (https://www.spectrumbusiness.net/support/internet/understanding-email-error-codes).
var spectrumCodes = []struct {
	from, to int
	reason   Reason
}{
	{1000, 1000, ReasonBlocked},         // IP blocked for suspicious activity
	{1010, 1080, ReasonRejected},        // the sending account is blocked or limited
	{1090, 1090, ReasonSystemError},     // cannot be processed now
	{1100, 1150, ReasonRequirePTR},      // no full-circle DNS for the sending IP
	{1160, 1190, ReasonPolicyViolation}, // against the domain's security policies
	{1200, 1250, ReasonBlocked},         // IP listed by Cloudmark CSI or Spamhaus
	{1260, 1260, ReasonNetworkError},    // IPv6 not accepted
	{1300, 1340, ReasonTooManyConn},     // too many (concurrent) connections
	{1350, 1490, ReasonSpeeding},        // message, recipient or spam-potential limits
	{1500, 1520, ReasonRejected},        // sending as another address or domain
	{1530, 1530, ReasonMesgTooBig},      // larger than 20 MB
	{1540, 1550, ReasonSpeeding},        // too many messages in a session, recipients in a message
	{1560, 1560, ReasonPolicyViolation}, // too many invalid recipients
	{1580, 1580, ReasonSpeeding},        // too many recipients in a short period
}

// orangeCodes are the last three digits of Orange's and La Poste's
// "OFRnnn_nnn" / "LPNnnn_nnn" codes; codes that only say "service refused,
// try later" (105-109, 201, 423, 424, and 505, which the reference calls a
// system error: a refusal of us, not a fault of theirs that should count
// against the recipient) are left to the words.
var orangeCodes = map[string]Reason{
	"101": ReasonBlocked, "102": ReasonBlocked, "103": ReasonBlocked, "104": ReasonTooManyConn,
	"305": ReasonSecurityError, "401": ReasonAuthFailure, "402": ReasonSecurityError,
	"403": ReasonRejected, "405": ReasonRejected, "415": ReasonRejected, "416": ReasonUserUnknown,
	"417": ReasonMailboxFull, "420": ReasonSuspend, "421": ReasonRejected, "426": ReasonSuspend,
	"506": ReasonSpamDetected, "510": ReasonBlocked, "514": ReasonMesgTooBig,
	"517": ReasonAuthFailure, "630": ReasonPolicyViolation, "999": ReasonBlocked,
}

// providerCode returns the Reason a provider's documented code in a
// normalized diagnostic stands for, or "".
func providerCode(text string) Reason {
	if i := strings.Index(text, "aup#"); i >= 0 {
		code := text[i+4:]
		end := 0
		for end < len(code) && (isAlnum(code[end]) || code[end] == '-') {
			end++
		}
		code = code[:end]
		if r, ok := coxCodes[code]; ok {
			return r
		}
		if strings.HasPrefix(code, "ipbl") {
			return ReasonBlocked // Cox: the sending IP is on a DNSBL
		}
		if strings.HasPrefix(code, "urlbl") {
			return ReasonSpamDetected // Cox: a URL in the message is on a blocklist
		}
		if n, ok := spectrumNumber(code); ok {
			for _, s := range spectrumCodes {
				if n >= s.from && n <= s.to {
					return s.reason
				}
			}
		}
	}
	for _, p := range []string{"ofr", "lpn", "ouk"} {
		if r := orangeCode(text, p); r != "" {
			return r
		}
	}
	return ""
}

// spectrumNumber reads the four digits of "in-1310", "o-1000", "i1310".
func spectrumNumber(code string) (int, bool) {
	code = strings.TrimLeft(code, "abcdefghijklmnopqrstuvwxyz-")
	if len(code) != 4 || digitsAt(code, 0, 4) != 4 {
		return 0, false
	}
	n := 0
	for i := range 4 {
		n = n*10 + int(code[i]-'0')
	}
	return n, true
}

// orangeCode finds "<prefix>_nnn" or "<prefix>nnn_nnn" / "<prefix>nnn-nnn"
// as a word in text and maps its last three digits.
func orangeCode(text, prefix string) Reason {
	from := 0
	for {
		i := strings.Index(text[from:], prefix)
		if i < 0 {
			return ""
		}
		i += from
		from = i + 1
		if i > 0 && isWordByte(text[i-1]) {
			continue
		}
		rest := text[i+len(prefix):]
		var last string
		switch {
		case len(rest) >= 4 && rest[0] == '_' && digitsAt(rest, 1, 3) == 3:
			last, rest = rest[1:4], rest[4:]
		case len(rest) >= 7 && digitsAt(rest, 0, 3) == 3 && (rest[3] == '_' || rest[3] == '-') && digitsAt(rest, 4, 3) == 3:
			last, rest = rest[4:7], rest[7:]
		default:
			continue
		}
		if rest != "" && isWordByte(rest[0]) {
			continue
		}
		if r, ok := orangeCodes[last]; ok {
			return r
		}
		return ""
	}
}

// microsoftConsumer reports whether host is one of Microsoft's consumer
// mail hosts (Outlook.com, formerly Hotmail, Live, MSN): its own MTAs
// (BAY004-MC1.hotmail.com, mx1.hotmail.com) or its inbound relays
// (hotmail-com.olc.protection.outlook.com). Exchange Online's business
// hosts (*.mail.protection.outlook.com, *.prod.outlook.com) are not.
func microsoftConsumer(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	for _, d := range []string{"hotmail.com", "live.com", "msn.com", "olc.protection.outlook.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// providerReply returns the Reason a provider's own wording stands for
// when the reply came from that provider, or "". QUIRK: Outlook.com answers
// a mailbox that does not exist (or was closed for good) with RFC 5321's
// generic "550 [5.5.0] Requested action not taken: mailbox unavailable";
// elsewhere the same words are as likely a policy refusal, so they count as
// "user unknown" only from Microsoft's consumer hosts: the Remote-MTA, or
// the Reporting-MTA when no other server answered (a Hotmail relay
// reporting another server's words is not Outlook.com's verdict). Only a
// permanent reply under a status that says nothing else (none, X.0.x,
// X.5.x, X.1.x); words that name a cause (a full mailbox, a blocklist) are
// read before this, by the decisive text rows
// (https://www.spamresource.com/2023/09/microsoft-multiple-types-of-invalid.html).
func providerReply(f *facts) Reason {
	if f.temporary || !strings.Contains(f.words, "requested action not taken: mailbox unavailable") {
		return ""
	}
	if rc := replyCode(f.r); rc != "" && rc[0] != '5' {
		return ""
	}
	switch subject(f.code) {
	case "", "0", "5", "1":
	default:
		return ""
	}
	if f.r.RemoteMTA != "" {
		if microsoftConsumer(f.r.RemoteMTA) {
			return ReasonUserUnknown
		}
		return ""
	}
	if microsoftConsumer(f.reportingMTA) || microsoftConsumerDomain(domainOf(f.r.FinalRecipient)) {
		// No other server is named: the reporter is Microsoft's, or the
		// recipient's mailbox is at Outlook.com, whose MX gave the reply.
		return ReasonUserUnknown
	}
	return ""
}

// microsoftConsumerDomain reports whether domain is one of Outlook.com's
// mail domains: hotmail, outlook, live, msn or windowslive under a public
// suffix of at most two short labels (hotmail.com, hotmail.co.uk,
// outlook.com.br, live.jp).
func microsoftConsumerDomain(domain string) bool {
	labels := strings.Split(strings.ToLower(domain), ".")
	if len(labels) < 2 || len(labels) > 3 {
		return false
	}
	switch labels[0] {
	case "hotmail", "outlook", "live", "msn", "windowslive":
	default:
		return false
	}
	for _, l := range labels[1:] {
		if len(l) < 2 || len(l) > 3 {
			return false
		}
	}
	return true
}

// domainOf returns the part of addr after its last '@', or "".
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
