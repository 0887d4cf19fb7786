package dsn

import (
	"strings"
	"testing"
	"time"
)

// parseDSNBody parses a message/delivery-status body on its own.
func parseDSNBody(body string) *parser {
	p := newParser((*Options)(nil).withDefaults())
	p.deliveryStatus(body, false)
	return p
}

func TestDeliveryStatusLenient(t *testing.T) {
	tests := []struct {
		name, body string
		want       []Recipient // compared: FinalRecipient, Action, Status, ReplyCode, Diagnostic
	}{
		{
			name: "postfix diagnostic type and folded diagnostic",
			body: "Reporting-MTA: dns; mx.example.com\nArrival-Date: Sat, 21 Jun 2014 18:34:34 +0000 (UTC)\n\n" +
				"Final-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 5.0.0\n" +
				"Diagnostic-Code: X-Postfix; host mx.example.jp[192.0.2.1] said: 550 5.1.1\n    <a@example.jp>: User unknown\n",
			want: []Recipient{{FinalRecipient: "a@example.jp", Action: "failed", Status: "5.1.1", ReplyCode: "550",
				Diagnostic: "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <a@example.jp>: User unknown"}},
		},
		{
			name: "Sun Messaging Server status without comment, no blank line between groups",
			body: "Reporting-MTA: dns;mx.example.org\n\nOriginal-recipient: rfc822;a@example.org\nFinal-recipient: rfc822;a@example.org\n" +
				"Action: failed\nStatus: 5.1.1\nOriginal-recipient: rfc822;b@example.org\nFinal-recipient: rfc822;b@example.org\n" +
				"Action: delayed\nStatus: 4.4.7\n",
			want: []Recipient{
				{FinalRecipient: "a@example.org", Action: "failed", Status: "5.1.1"},
				{FinalRecipient: "b@example.org", Action: "delayed", Status: "4.4.7"},
			},
		},
		{
			name: "exchange X.0.0 takes the code in the diagnostic",
			body: "Final-Recipient: rfc822;a@example.com\nAction: failed\nStatus: 5.0.0\n" +
				"Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found\n",
			want: []Recipient{{FinalRecipient: "a@example.com", Action: "failed", Status: "5.1.10", ReplyCode: "550",
				Diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found"}},
		},
		{
			name: "no final recipient uses the original one, odd status kept as problem",
			body: "Original-Recipient: rfc822;c@example.net\nAction: Failed (permanent)\nStatus: permanent\n",
			want: []Recipient{{FinalRecipient: "c@example.net", Action: "failed"}},
		},
		{
			name: "exit code diagnostic is no reply code",
			body: "Final-Recipient: rfc822; d@example.jp\nAction: failed\nStatus: 5.3.0\nDiagnostic-Code: X-Unix; 255\n",
			want: []Recipient{{FinalRecipient: "d@example.jp", Action: "failed", Status: "5.3.0", Diagnostic: "255"}},
		},
		{
			name: "garbage",
			body: "this is not\na delivery status\n\n: :\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseDSNBody(tt.body)
			got := p.rep.Recipients
			if len(got) != len(tt.want) {
				t.Fatalf("got %d records %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				for _, f := range []struct{ name, got, want string }{
					{"FinalRecipient", g.FinalRecipient, w.FinalRecipient},
					{"Action", g.Action, w.Action},
					{"Status", g.Status, w.Status},
					{"ReplyCode", g.ReplyCode, w.ReplyCode},
				} {
					if f.got != f.want {
						t.Errorf("record %d %s = %q, want %q", i, f.name, f.got, f.want)
					}
				}
				if w.Diagnostic != "" && g.Diagnostic != w.Diagnostic {
					t.Errorf("record %d Diagnostic = %q, want %q", i, g.Diagnostic, w.Diagnostic)
				}
			}
		})
	}
}

func TestDeliveryStatusMessageFields(t *testing.T) {
	p := parseDSNBody("Reporting-MTA: dns; mx.example.com\nArrival-Date: Sat, 21 Jun 2014 18:34:34 +0900\n\n" +
		"Final-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.jp\n" +
		"Last-Attempt-Date: Sun, 22 Jun 2014 01:02:03 -0000\n")
	if got := p.rep.ReportingMTA; got != "mx.example.com" {
		t.Errorf("ReportingMTA = %q, want %q", got, "mx.example.com")
	}
	if want := time.Date(2014, 6, 21, 9, 34, 34, 0, time.UTC); !p.rep.ArrivalDate.Equal(want) {
		t.Errorf("ArrivalDate = %v, want %v", p.rep.ArrivalDate, want)
	}
	rc := p.rep.Recipients[0]
	if rc.RemoteMTA != "mx.example.jp" {
		t.Errorf("RemoteMTA = %q, want %q", rc.RemoteMTA, "mx.example.jp")
	}
	if want := time.Date(2014, 6, 22, 1, 2, 3, 0, time.UTC); !rc.LastAttempt.Equal(want) {
		t.Errorf("LastAttempt = %v, want %v", rc.LastAttempt, want)
	}
}

func TestParseGroups(t *testing.T) {
	in := "A: 1\nB: two\n  folded\n\n\nC: 3\nnot a field\nD:4\n"
	got := parseGroups(in)
	want := [][]field{{{"A", "1"}, {"B", "two folded"}}, {{"C", "3"}, {"D", "4"}}}
	if len(got) != len(want) {
		t.Fatalf("parseGroups = %v, want %v", got, want)
	}
	for i := range want {
		if strings.Join(flat(got[i]), "|") != strings.Join(flat(want[i]), "|") {
			t.Errorf("group %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func flat(fs []field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name+"="+f.value)
	}
	return out
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"Thu, 29 Apr 2010 23:34:45 +0900", time.Date(2010, 4, 29, 14, 34, 45, 0, time.UTC)},
		{"Sat, 21 Jun 2014 18:34:34 +0000 (UTC)", time.Date(2014, 6, 21, 18, 34, 34, 0, time.UTC)},
		{"8 Mar 2005 14:00:00 EDT", time.Date(2005, 3, 8, 18, 0, 0, 0, time.UTC)},
		{"Thu, 9 Apr 2006 23:34:45 JST", time.Date(2006, 4, 9, 14, 34, 45, 0, time.UTC)},
		{"Mon, 1 Jan 99 00:00 GMT", time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Thu, 29 Feb 2024 12:00:00 +0000", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, %v, want %v", tt.in, got.UTC(), ok, tt.want)
		}
	}
	// Impossible calendar dates are rejected, not normalised into the next
	// month.
	for _, bad := range []string{"", "2012-10-31 04-46-42", "yesterday",
		"Tue, 31 Feb 2026 10:00:00 +0000", "29 Feb 2026 10:00 GMT", "Mon, 31 Apr 2026 10:00:00 -0500 (EST)"} {
		if got, ok := parseDate(bad); ok {
			t.Errorf("parseDate(%q) = %v, want failure", bad, got)
		}
	}
}

func TestSESRemoteFirst(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5.1.0 - Unknown address error 550-'5.7.1 <x@y.example>... Access denied' (delivery attempts: 0)",
			"550 5.7.1 <x@y.example>... Access denied (5.1.0 - Unknown address error; delivery attempts: 0)"},
		{"550 5.1.1 user unknown", "550 5.1.1 user unknown"},
		{"5.3.0 - Other mail system problem", "5.3.0 - Other mail system problem"},
	}
	for _, tt := range tests {
		if got := sesRemoteFirst(tt.in); got != tt.want {
			t.Errorf("sesRemoteFirst(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
