package suppression

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// rollDay is the first day of the rollup tests' random traffic (UTC).
var rollDay = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// randomTraffic returns n messages over 20 days: random classes, reasons,
// domains, receiving MTAs (some empty) and diagnostics (naming three block
// lists, or none), a few of them repeated (the same key twice).
func randomTraffic(rng *rand.Rand, n int) []Message {
	classes := []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassSoft, dsn.ClassBlock, dsn.ClassComplaint, dsn.ClassIgnore}
	reasons := []dsn.Reason{dsn.ReasonUserUnknown, dsn.ReasonMailboxFull, dsn.ReasonBlocked, dsn.ReasonRejected}
	mtas := []string{"", "mx1.a.test", "mx2.a.test", "mx.b.test", "mx.c.test"}
	diags := []string{"", "554 5.7.1 blocked using zen.spamhaus.org", "550 5.7.1 listed at b.barracudacentral.org",
		"550 " + strings.Repeat("é", 600) + " spamcop"}
	var out []Message
	for i := range n {
		at := rollDay.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
		var recs []dsn.Recipient
		for range 1 + rng.IntN(3) {
			recs = append(recs, figRcpt(fmt.Sprintf("u%d@d%d.test", rng.IntN(40), rng.IntN(8)), classes[rng.IntN(len(classes))],
				reasons[rng.IntN(len(reasons))], "5.0.0", mtas[rng.IntN(len(mtas))], diags[rng.IntN(len(diags))]))
		}
		out = append(out, figMessage(fmt.Sprintf("r%d", i), at, recs...))
		if i%17 == 0 {
			out = append(out, out[len(out)-1]) // the same message again: counted once
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// suppressedAt reads when each suppressed address's suppression started.
func suppressedAt(t *testing.T, s *Store) map[string]time.Time {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT email, suppressed_at FROM suppressions WHERE suppressed AND suppressed_at IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var email string
		var at dbTime
		if err := rows.Scan(&email, &at); err != nil {
			t.Fatal(err)
		}
		out[email] = at.Time
	}
	return out
}

// recount counts the stored events as the overview shows them, straight
// from bounce_events: by day and class, and ranked by dimension.
func recount(t *testing.T, s *Store) (classes []DayCount, tops map[Dimension][]Count) {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT received_at, class, reason, domain, remote_mta, diagnostic FROM bounce_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byDay := map[[2]string]int{}
	sums := map[Dimension]map[string]int{ByReason: {}, ByDomain: {}, ByRemoteMTA: {}, ByBlocklist: {}}
	for rows.Next() {
		var at dbTime
		var class, reason, domain, mta, diag string
		if err := rows.Scan(&at, &class, &reason, &domain, &mta, &diag); err != nil {
			t.Fatal(err)
		}
		byDay[[2]string{at.Time.UTC().Format(time.DateOnly), class}]++
		if class == "hard" || class == "soft" || class == "block" {
			for by, v := range map[Dimension]string{ByReason: reason, ByDomain: domain, ByRemoteMTA: mta} {
				if v != "" {
					sums[by][v]++
				}
			}
		}
		if class == "block" {
			sums[ByBlocklist][dsn.BlocklistOf(diag)]++
		}
	}
	for k, n := range byDay {
		classes = append(classes, DayCount{Day: k[0], Key: k[1], N: n})
	}
	slices.SortFunc(classes, func(a, b DayCount) int { return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Key, b.Key)) })
	tops = map[Dimension][]Count{}
	for by, m := range sums {
		for k, n := range m {
			tops[by] = append(tops[by], Count{Key: k, N: n})
		}
		slices.SortFunc(tops[by], func(a, b Count) int { return cmp.Or(b.N-a.N, cmp.Compare(a.Key, b.Key)) })
	}
	return classes, tops
}

// The overview's figures from daily_counts equal a recount of the events
// and of the suppressions started, on random traffic recorded in random
// batches and order with manual suppressions between them; deleting old
// events (retention) changes none of them.
func TestDailyCountsEqualRecount(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 8))
		msgs := randomTraffic(rng, 300)
		now := rollDay.AddDate(0, 0, 21)
		starts := map[string]int{} // day -> suppressions started, from the table before and after each change
		change := func(fn func() error) {
			before := suppressedAt(t, s)
			if err := fn(); err != nil {
				t.Fatal(err)
			}
			for email, at := range suppressedAt(t, s) {
				if b, ok := before[email]; !ok || !b.Equal(at) {
					starts[at.UTC().Format(time.DateOnly)]++
				}
			}
		}
		for len(msgs) > 0 {
			n := min(len(msgs), 1+rng.IntN(20))
			change(func() error { _, err := s.Record(ctx, msgs[:n], now); return err })
			msgs = msgs[n:]
			if rng.IntN(5) == 0 {
				addr := fmt.Sprintf("u%d@d%d.test", rng.IntN(40), rng.IntN(8))
				at := rollDay.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
				change(func() error { _, err := s.Add(ctx, addr, Manual{At: at}, now); return err })
			}
		}
		w := Window{From: rollDay, To: rollDay.AddDate(0, 0, 20)}
		wantClasses, wantTops := recount(t, s)
		var wantStarts []DayCount
		for _, d := range sortedKeys(starts) {
			wantStarts = append(wantStarts, DayCount{Day: d, Key: "suppressed", N: starts[d]})
		}
		check := func(when string) {
			t.Helper()
			if got, err := s.DailyClasses(ctx, w); err != nil || !reflect.DeepEqual(got, wantClasses) {
				t.Errorf("%s: DailyClasses = %v, %v; want %v", when, got, err, wantClasses)
			}
			if got, err := s.DailySuppressed(ctx, w); err != nil || !reflect.DeepEqual(got, wantStarts) {
				t.Errorf("%s: DailySuppressed = %v, %v; want %v", when, got, err, wantStarts)
			}
			for by, want := range wantTops {
				if got, err := s.TopDaily(ctx, w, by, 1000); err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("%s: TopDaily(%s) = %v, %v; want %v", when, by, got, err, want)
				}
				if got, err := s.TopDaily(ctx, w, by, 2); err != nil || !reflect.DeepEqual(got, want[:min(2, len(want))]) {
					t.Errorf("%s: TopDaily(%s, 2) = %v, %v; want %v", when, by, got, err, want[:min(2, len(want))])
				}
			}
		}
		if len(wantStarts) == 0 || len(wantTops[ByBlocklist]) < 3 {
			t.Fatalf("the traffic started %v suppressions and names block lists %v: too little to test", wantStarts, wantTops[ByBlocklist])
		}
		check("recorded")
		if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM bounce_events WHERE received_at < ?`), s.tv(rollDay.AddDate(0, 0, 10))); err != nil {
			t.Fatal(err)
		}
		check("after pruning half the events")
	})
}
