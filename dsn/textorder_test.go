package dsn

import (
	"strings"
	"testing"
)

// weightOverlaps are the pairs of text rows where a text that matches the
// later row always matches the earlier one too, the later row is heavier and
// the two give different reasons: the later row wins by its weight, not by
// its place (see textRules). Each pair carries a diagnostic that shows it.
var weightOverlaps = []struct {
	lighter, heavier string // the earlier, lighter row and the later, heavier one
	diagnostic       string
	want             Reason
}{
	{"your ip", "too many errors from your ip", "421 4.7.0 Too many errors from your IP (192.0.2.1), please try later", ReasonTooManyConn},
	{"blocked by", "blocked by the recipient", "550 5.7.1 Message blocked by the recipient's filter", ReasonFiltered},
	{"spam", "sender is spammer", "554 5.7.1 Sender is spammer", ReasonRejected},
	{"not reachable", "domain is not reachable", "550 5.4.1 Recipient address rejected: the domain is not reachable", ReasonHostUnknown},
	{"listed in", "not listed in domino directory", "User kijitora@example.jp is not listed in Domino Directory", ReasonUserUnknown},
	{"listed in", "not listed in public name", "kijitora@example.jp is not listed in public Name & Address Book", ReasonUserUnknown},
}

// rowByPhrase returns the text row with phrase and its place in textRules.
func rowByPhrase(t *testing.T, phrase string) (textRule, int) {
	t.Helper()
	for i, r := range textRules {
		if r.phrase == phrase {
			return r, i
		}
	}
	t.Fatalf("no text row %q", phrase)
	return textRule{}, -1
}

// TestTextRowsHeavierWins pins the overlapping rows: both rows match the
// diagnostic, and the heavier, later row decides.
func TestTextRowsHeavierWins(t *testing.T) {
	for _, o := range weightOverlaps {
		light, li := rowByPhrase(t, o.lighter)
		heavy, hi := rowByPhrase(t, o.heavier)
		text := maskAddresses(normalizeDiagnostic(o.diagnostic))
		for _, r := range []textRule{light, heavy} {
			if c := compileRules([]textRule{r}); !c[0].match(text) {
				t.Errorf("row %q does not match %q: the pair no longer overlaps on it", r.phrase, o.diagnostic)
			}
		}
		if li > hi || light.weight >= heavy.weight {
			t.Errorf("rows %q (%d) and %q (%d): the pair is no longer earlier-lighter, later-heavier", o.lighter, li, o.heavier, hi)
		}
		if got, _ := matchText(text); got != o.want {
			t.Errorf("matchText(%q) = %q, want %q (row %q, heavier than row %q before it)", o.diagnostic, got, o.want, o.heavier, o.lighter)
		}
	}
}

// TestTextRowsOverlapsListed fails when a new pair of rows overlaps the way
// weightOverlaps lists (a text of the later, heavier row matches the
// earlier, lighter row of another reason) without being listed there with a
// diagnostic that shows which row wins.
func TestTextRowsOverlapsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, o := range weightOverlaps {
		listed[o.lighter+"\x00"+o.heavier] = true
	}
	for j, later := range textRules {
		text := strings.ReplaceAll(strings.TrimPrefix(later.phrase, "*"), "*", " x ")
		for _, earlier := range textRules[:j] {
			if earlier.weight >= later.weight || earlier.reason == later.reason {
				continue
			}
			if c := compileRules([]textRule{earlier}); !c[0].match(text) {
				continue
			}
			if !listed[earlier.phrase+"\x00"+later.phrase] {
				t.Errorf("text row %q (%s) overlaps the earlier, lighter row %q (%s): the later row wins by weight; "+
					"add the pair to weightOverlaps with a diagnostic", later.phrase, later.reason, earlier.phrase, earlier.reason)
			}
		}
	}
}
