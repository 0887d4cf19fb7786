package suppression

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// The tuned Postgres export writes the very bytes of the general one
// (encoding/csv over entries, cells defused), for values that need
// quoting, defusing or neither, NULL and fractional times, and filters.
func TestExportBouncerPGEqualsCSV(t *testing.T) {
	s := openTest(t, "postgres", Options{})
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 20, 30, 123456000, time.UTC)
	for i, v := range []string{"", "plain", "=HYPERLINK(\"x\")", "+1", "-2", "@3", "\tx", "\rx", "a,b", "say \"hi\"",
		"two\nlines", " leading", "\u00a0nbsp", "\u2028sep", `\.`, "'=quoted", "é, ü", "trailing "} {
		email := string(rune('a'+i)) + "@x.test"
		_, err := s.db.ExecContext(ctx, `INSERT INTO suppressions (email, domain, hard_count, soft_count, first_seen, last_seen,
last_class, last_reason, last_status, last_diagnostic, suppressed, suppressed_at, suppressed_reason, expires_at, source, note, cleared_at)
VALUES ($1, 'x.test', $2, 1, $3, $4, 'hard', $5, '5.1.1', $5, $6, $7, $5, $8, 'bounce', $5, $9)`,
			email, i, at, at.Add(time.Duration(i)*time.Hour+time.Duration(i)*time.Millisecond), v, i%2 == 0,
			nullIf(i%3 == 0, at), nullIf(i%4 == 0, at.AddDate(1, 0, 0)), nullIf(i%5 == 0, at.Truncate(time.Second)))
		if err != nil {
			t.Fatalf("insert %q: %v", v, err)
		}
	}
	ft, err := formatNamed(FormatBouncer)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{{State: StateAny}, {State: StateActive}, {State: StateAny, Sort: SortLastSeen, Desc: true, Limit: 5}} {
		var fast, general bytes.Buffer
		nf, err := s.exportBouncerPG(ctx, &fast, f, at)
		if err != nil {
			t.Fatal(err)
		}
		ng, err := s.exportCSV(ctx, &general, ft, f, at)
		if err != nil {
			t.Fatal(err)
		}
		if nf != ng || fast.String() != general.String() {
			t.Errorf("filter %+v: tuned export (%d rows)\n%s\nwant (%d rows)\n%s", f, nf, fast.String(), ng, general.String())
		}
		if ng < 3 {
			t.Errorf("filter %+v: %d rows, too few to compare", f, ng)
		}
	}
}

// nullIf is t, or NULL when null.
func nullIf(null bool, t time.Time) any {
	if null {
		return nil
	}
	return t
}
