package suppression

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// hostileAddr is a valid address a spreadsheet would evaluate.
const hostileAddr = "=1+2@evil.test"

// seedHostile records a hard bounce for hostileAddr whose diagnostic is a
// formula, and a manual entry whose reason and note are formulas.
func seedHostile(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	msg := figMessage("h1", t0, figRcpt(hostileAddr, dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.evil.test", `=cmd|'/C calc'!A0`))
	if _, err := s.Record(ctx, []Message{msg}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, "-2+3@evil.test", Manual{Reason: `=HYPERLINK("http://evil.test","x")`, Note: "+1"}, t0); err != nil {
		t.Fatal(err)
	}
}

// TestExportDefusesFormulas checks every CSV format Export writes (export
// and list --format csv) prefixes each cell a spreadsheet would run with a
// quote, and that Import reads such an export back to the same addresses.
func TestExportDefusesFormulas(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedHostile(t, s)
		for _, f := range Formats {
			var buf bytes.Buffer
			if _, err := s.Export(context.Background(), &buf, f, Filter{All: true}, t0.Add(time.Hour)); err != nil {
				t.Fatalf("Export(%s): %v", f, err)
			}
			recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
			if err != nil {
				t.Fatalf("Export(%s) is not CSV: %v", f, err)
			}
			quoted := 0
			for _, rec := range recs[1:] {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune(csvTriggers, rune(cell[0])) {
						t.Errorf("Export(%s): cell %q would run as a formula", f, cell)
					}
					if strings.HasPrefix(cell, "'=") || strings.HasPrefix(cell, "'-") || strings.HasPrefix(cell, "'+") {
						quoted++
					}
				}
			}
			if !strings.Contains(buf.String(), "'"+hostileAddr) || quoted < 2 {
				t.Errorf("Export(%s) does not hold the defused address %q (%d defused cells):\n%s", f, "'"+hostileAddr, quoted, buf.String())
			}
			other := openTest(t, "sqlite", Options{})
			if _, err := other.Import(context.Background(), &buf, ImportOptions{}, t0); err != nil {
				t.Fatalf("re-Import(%s): %v", f, err)
			}
			for _, a := range []string{hostileAddr, "-2+3@evil.test"} {
				if d, err := other.Get(context.Background(), a); err != nil || !d.Entry.Suppressed {
					t.Errorf("re-Import(%s): %s not suppressed (%v): the quote was kept", f, a, err)
				}
			}
		}
	})
}

func TestDefuseCSV(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+1": "'+1", "-1": "'-1", "@SUM(1)": "'@SUM(1)", "\tx": "'\tx", "\rx": "'\rx",
		"a@b.test": "a@b.test", "": "", "'quoted": "'quoted", "5.1.1": "5.1.1",
	} {
		if got := DefuseCSV(in); got != want {
			t.Errorf("DefuseCSV(%q) = %q, want %q", in, got, want)
		}
		if got := undefuseCSV(DefuseCSV(in)); got != in {
			t.Errorf("undefuseCSV(DefuseCSV(%q)) = %q, want it back", in, got)
		}
	}
}
