package dsn

import (
	"strings"
	"testing"
)

// FuzzFindCommand checks findCommand's byte-set prefilter against trying
// every marker at every position.
func FuzzFindCommand(f *testing.F) {
	for _, s := range []string{"", "550 5.1.1 (in reply to RCPT TO command)", "MAIL FROM", "after END OF DATA", ">>> DATA",
		"(state 14)", "x(STATE 18)", "EHLO and HELO", "rcpt_to mail_from", "r", "Does Not Like Recipient"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		want := ""
	scan:
		for i := range len(d) {
			for _, m := range commandMarkers {
				if len(d)-i >= len(m.phrase) && strings.EqualFold(d[i:i+len(m.phrase)], m.phrase) {
					want = m.cmd
					break scan
				}
			}
		}
		if got := findCommand(d); got != want {
			t.Fatalf("findCommand(%q) = %q, want %q", d, got, want)
		}
	})
}
