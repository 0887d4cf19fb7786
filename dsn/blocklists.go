package dsn

import (
	"regexp"
	"strings"
)

// blocklist names a public or vendor block list and how its rejections read.
type blocklist struct {
	name    string
	pattern *regexp.Regexp
}

// blocklists is read top to bottom and the first match wins. Public lists
// come before the receivers that quote them: Outlook's "blocked using
// Spamhaus" is a Spamhaus listing, not a Microsoft one.
var blocklists = []blocklist{
	// "blocked using zen.spamhaus.org", "http://www.spamhaus.org/query/bl?ip=…"
	{"Spamhaus", regexp.MustCompile(`(?i)spamhaus`)},
	// "blocked using b.barracudacentral.org", Barracuda Reputation Block List
	{"Barracuda", regexp.MustCompile(`(?i)barracuda|\bBRBL\b`)},
	// "blocked using bl.spamcop.net"
	{"SpamCop", regexp.MustCompile(`(?i)spamcop`)},
	// "blocked using dnsbl.sorbs.net"
	{"SORBS", regexp.MustCompile(`(?i)\bsorbs\b|sorbs\.net`)},
	// "blocked using dnsbl-1.uceprotect.net"
	{"UCEProtect", regexp.MustCompile(`(?i)uceprotect`)},
	// "https://support.proofpoint.com/dnsbl-lookup.cgi?ip=…", ipcheck.proofpoint.com
	{"Proofpoint", regexp.MustCompile(`(?i)proofpoint|pphosted`)},
	// "http://csi.cloudmark.com/reset-request/?ip=…" (Cloudmark Sender Intelligence)
	{"Cloudmark", regexp.MustCompile(`(?i)cloudmark`)},
	// "https://community.mimecast.com/docs/DOC-1369#554"
	{"Mimecast", regexp.MustCompile(`(?i)mimecast`)},
	// Microsoft 365 / Outlook.com: "5.7.606 Access denied, banned sending IP",
	// "5.7.511", "part of their network is on our block list (S3150)", sender.office.com
	{"Microsoft", regexp.MustCompile(`(?i)banned sending ip|\b5\.7\.(?:606|511)\b|\(S3\d{3}\)|on our block list|sender\.office\.com|olcsupport|postmaster\.live\.com`)},
	// Gmail: "support.google.com/mail/?p=UnsolicitedIPError", "…?p=BlockedMessage",
	// "likely suspicious due to the very low reputation of the sending IP address"
	{"Google", regexp.MustCompile(`(?i)\?p=(?:Unsolicited|Blocked)\w*|gsmtp.*(?:unsolicited|blocked)|very low reputation of the sending`)},
	// Yahoo: "[TSS04] Messages from … temporarily deferred", postmaster.yahooinc.com
	{"Yahoo", regexp.MustCompile(`(?i)\[TSS?\d{2}\]|postmaster\.yahoo`)},
	// Trend Micro Email Reputation Services: mail-abuse.com, ers.trendmicro.com
	{"Trend Micro", regexp.MustCompile(`(?i)trendmicro|mail-abuse\.com`)},
	// Cisco Talos / SenderBase reputation
	{"Cisco Talos", regexp.MustCompile(`(?i)senderbase|talosintelligence`)},
	// Abusix Mail Intelligence: "blocked using combined.mail.abusix.zone"
	{"Abusix", regexp.MustCompile(`(?i)abusix`)},
	// Invaluement: "blocked using ivmSIP"
	{"Invaluement", regexp.MustCompile(`(?i)invaluement|\bivmSIP`)},
	// URI lists: "Blacklisted URL in message", lookup.uribl.com, multi.surbl.org
	{"URIBL/SURBL", regexp.MustCompile(`(?i)uribl|surbl`)},
	// Passive Spam Block List: psbl.surriel.com
	{"PSBL", regexp.MustCompile(`(?i)psbl`)},
	// Spam Rats: "blocked using dyna.spamrats.com"
	{"SpamRATS", regexp.MustCompile(`(?i)spamrats`)},
}

// dnsblZone finds a DNS block list the table does not know by the zone the
// rejection names: Postfix's "blocked using ZONE", "listed in/at/on ZONE".
var dnsblZone = regexp.MustCompile(`(?i)(?:blocked using|listed (?:in|at|on)) ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})`)

// UnnamedBlocklist is the block list label for a block whose diagnostic
// names no list.
const UnnamedBlocklist = "(none named)"

// blocklistHints are, for each row of blocklists, texts one of which an
// ASCII diagnostic holds (lower-cased) whenever the row's pattern matches
// it: BlocklistOf runs a pattern only when one is there (the patterns
// cost microseconds each, and Record names every block event it stores).
var blocklistHints = map[string][]string{
	"Spamhaus":    {"spamhaus"},
	"Barracuda":   {"barracuda", "brbl"},
	"SpamCop":     {"spamcop"},
	"SORBS":       {"sorbs"},
	"UCEProtect":  {"uceprotect"},
	"Proofpoint":  {"proofpoint", "pphosted"},
	"Cloudmark":   {"cloudmark"},
	"Mimecast":    {"mimecast"},
	"Microsoft":   {"banned sending ip", "5.7.606", "5.7.511", "(s3", "on our block list", "sender.office.com", "olcsupport", "postmaster.live.com"},
	"Google":      {"?p=", "gsmtp", "very low reputation of the sending"},
	"Yahoo":       {"[ts", "postmaster.yahoo"},
	"Trend Micro": {"trendmicro", "mail-abuse.com"},
	"Cisco Talos": {"senderbase", "talosintelligence"},
	"Abusix":      {"abusix"},
	"Invaluement": {"invaluement", "ivmsip"},
	"URIBL/SURBL": {"uribl", "surbl"},
	"PSBL":        {"psbl"},
	"SpamRATS":    {"spamrats"},
}

// dnsblZoneHints are blocklistHints for dnsblZone.
var dnsblZoneHints = []string{"blocked using", "listed "}

// BlocklistOf returns the name of the block list a diagnostic names: one of
// the table's, else "DNSBL zone" for a zone the text names, else
// UnnamedBlocklist.
func BlocklistOf(diagnostic string) string {
	lower, ascii := foldableASCII(diagnostic)
	for _, b := range blocklists {
		if ascii && !containsAny(lower, blocklistHints[b.name]) {
			continue
		}
		if b.pattern.MatchString(diagnostic) {
			return b.name
		}
	}
	if ascii && !containsAny(lower, dnsblZoneHints) {
		return UnnamedBlocklist
	}
	if m := dnsblZone.FindStringSubmatch(diagnostic); m != nil {
		return "DNSBL " + strings.ToLower(m[1])
	}
	return UnnamedBlocklist
}

// foldableASCII returns s lower-cased and true when s is ASCII; otherwise
// false (case-insensitive patterns also fold some non-ASCII letters, such
// as the Kelvin sign, to ASCII ones, which lower-casing does not).
func foldableASCII(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
