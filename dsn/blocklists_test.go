package dsn

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestBlocklistOf(t *testing.T) {
	tests := []struct{ diag, want string }{
		// from the reference corpus (sisimai)
		{"553 http://www.spamhaus.org/query/bl?ip=192.0.2.222", "Spamhaus"},
		{"521-5.7.1 Service unavailable; client [203.0.113.225] blocked using dnsbl.sorbs.net", "SORBS"},
		{"550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request removal from this list please visit https://sender.office.com/", "Microsoft"},
		{"554 Host network not allowed - https://community.mimecast.com/docs/DOC-1369#554", "Mimecast"},
		{"554 5.7.1 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.225", "Proofpoint"},
		{"550 http://csi.cloudmark.com/reset-request/?ip=10.0.0.1 [102]", "Cloudmark"},
		{"550-See http://lookup.uribl.com. - Blacklisted Link", "URIBL/SURBL"},
		// common texts of other receivers
		{"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using Spamhaus", "Spamhaus"},
		{"550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).", "Microsoft"},
		{"554 Service unavailable; Client host [192.0.2.1] blocked using b.barracudacentral.org", "Barracuda"},
		{"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.spamcop.net", "SpamCop"},
		{"550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using dnsbl-1.uceprotect.net", "UCEProtect"},
		{"550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail. https://support.google.com/mail/?p=UnsolicitedMessage gsmtp", "Google"},
		{"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints", "Yahoo"},
		{"550 5.7.1 blocked using combined.mail.abusix.zone", "Abusix"},
		{"550 5.7.1 Rejected: see https://ers.trendmicro.com/", "Trend Micro"},
		{"554 5.7.1 rejected by SenderBase reputation", "Cisco Talos"},
		{"550-5.7.1 [192.0.2.22 18] Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address.", "Google"},
		{"554 5.7.1 <a8-95.smtp-out.amazonses.com[203.0.113.22]>: Client host rejected: blocked using mail.neko.example.org; Please see http://mail.neko.example.org/rbl/", "DNSBL mail.neko.example.org"},
		{"550 5.7.1 Your IP 192.0.2.1 is listed in BL.Example.NET.", "DNSBL bl.example.net"},
		{"550 5.7.1 IP address blacklisted by recipient", UnnamedBlocklist},
		{"550 5.1.1 user unknown", UnnamedBlocklist},
		{"", UnnamedBlocklist},
	}
	for _, tt := range tests {
		if got := BlocklistOf(tt.diag); got != tt.want {
			t.Errorf("BlocklistOf(%q) = %q, want %q", tt.diag, got, tt.want)
		}
	}
}

// The hints only skip patterns that cannot match: BlocklistOf names the
// same list as running every pattern would, for the table's texts, every
// hint in random case amid other text, and non-ASCII lookalikes.
func TestBlocklistHintsAgree(t *testing.T) {
	every := func(diag string) string {
		for _, b := range blocklists {
			if b.pattern.MatchString(diag) {
				return b.name
			}
		}
		if m := dnsblZone.FindStringSubmatch(diag); m != nil {
			return "DNSBL " + strings.ToLower(m[1])
		}
		return UnnamedBlocklist
	}
	texts := []string{"550 5.7.1 blocked using \u212abl.example.net", "554 \u017fpamhaus", "550 5.7.1 listed on zen.example.org",
		"554 5.7.1 Message rejected: https://support.google.com/mail/?p=BlockedMessage", "421 [TS01] deferred", "550 brbl", "4.7.1 gsmtp x blocked"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, hints := range blocklistHints {
		for _, h := range append(hints, dnsblZoneHints...) {
			texts = append(texts, "550 5.7.1 x "+randomCase(rng, h)+" bl.example.com y", randomCase(rng, h)+"blocked"+randomCase(rng, h)+"example.org")
		}
	}
	for _, b := range blocklists {
		if len(blocklistHints[b.name]) == 0 {
			t.Errorf("blocklist %q has no hints", b.name)
		}
	}
	for _, s := range texts {
		if got, want := BlocklistOf(s), every(s); got != want {
			t.Errorf("BlocklistOf(%q) = %q, want %q (every pattern)", s, got, want)
		}
	}
}

func randomCase(rng *rand.Rand, s string) string {
	b := []byte(s)
	for i := range b {
		if rng.IntN(2) == 0 {
			b[i] = strings.ToUpper(string(b[i]))[0]
		}
	}
	return string(b)
}
