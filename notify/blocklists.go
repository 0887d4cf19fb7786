package notify

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

// Unnamed is the blocklist label for a block whose diagnostic names no list.
const Unnamed = "(none named)"

// BlocklistOf returns the name of the block list a diagnostic names: one of
// the table's, else "DNSBL zone" for a zone the text names, else Unnamed.
func BlocklistOf(diagnostic string) string {
	for _, b := range blocklists {
		if b.pattern.MatchString(diagnostic) {
			return b.name
		}
	}
	if m := dnsblZone.FindStringSubmatch(diagnostic); m != nil {
		return "DNSBL " + strings.ToLower(m[1])
	}
	return Unnamed
}
