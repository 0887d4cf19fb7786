package suppression

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// seedRates records, around t0 (2026-03-01 12:00 UTC), sent counts and
// events of the streams news and receipts (and an event of ghost, which
// sent nothing): in Berlin's time (UTC+1) the hours 2026-02-28 23:00 UTC
// and after belong to 1 March.
func seedRates(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	at := func(h, m int) time.Time { return time.Date(2026, 2, 28, h, m, 0, 0, time.UTC) } // h >= 24: 1 March
	if _, err := s.AddSent(ctx, []Sent{
		{Stream: "news", Count: 2000, At: at(34, 0)},
		{Stream: "news", Count: 500, At: at(23, 30)}, // 1 March 00:30 in Berlin
		{Stream: "news", Count: 100, At: at(22, 59)}, // 28 February
		{Stream: "receipts", Count: 10, At: at(30, 0)},
		{Stream: "news", Count: 7, At: at(47, 0)}, // 2 March 00:00 in Berlin: after the last day
	}, t0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ev := func(key, stream string, when time.Time, class dsn.Class, reason dsn.Reason) Message {
		m := bounce(key, when, rcpt(key+"@x.test", class, reason))
		m.Stream = stream
		return m
	}
	mustRecord(t, s, t0,
		ev("h1", "news", at(33, 0), dsn.ClassHard, dsn.ReasonUserUnknown),
		ev("h2", "news", at(23, 0), dsn.ClassHard, dsn.ReasonUserUnknown),
		ev("h3", "news", at(22, 30), dsn.ClassHard, dsn.ReasonUserUnknown), // 28 February
		ev("s1", "news", at(33, 0), dsn.ClassSoft, dsn.ReasonMailboxFull),
		ev("b1", "news", at(33, 0), dsn.ClassBlock, dsn.ReasonBlocked),
		ev("c1", "news", at(33, 0), dsn.ClassComplaint, dsn.ReasonFeedback),
		ev("i1", "news", at(33, 0), dsn.ClassIgnore, dsn.ReasonVacation),
		ev("r1", "receipts", at(30, 0), dsn.ClassHard, dsn.ReasonUserUnknown),
		ev("g1", "ghost", at(30, 0), dsn.ClassHard, dsn.ReasonUserUnknown),
	)
}

// figs formats figures for comparison: counts, and the rates or "-".
func figs(f RateFigures) string {
	rate := func(r *float64) string {
		if r == nil {
			return "-"
		}
		return fmt.Sprintf("%.5f", *r)
	}
	return fmt.Sprintf("sent %d hard %d soft %d block %d complaint %d bounce %s complaints %s",
		f.Sent, f.Hard, f.Soft, f.Block, f.Complaint, rate(f.BounceRate), rate(f.ComplaintRate))
}

// Rates per stream and day in the query's zone, over 7 and 30 days, and
// overall; a rate under the minimum volume is nil, never a percentage.
func TestRates(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedRates(t, s)
		r, err := s.Rates(context.Background(), RatesQuery{Days: 2, Last: t0, Location: berlin})
		if err != nil {
			t.Fatal(err)
		}
		if r.LastDay != "2026-03-01" || r.MinVolume != DefaultMinVolume || r.TimeZone != "Europe/Berlin" {
			t.Errorf("last day %s, min volume %d, zone %s", r.LastDay, r.MinVolume, r.TimeZone)
		}
		got := map[string]string{}
		for _, sr := range append(r.Streams, *r.Overall) {
			for _, d := range sr.Days {
				got[sr.Stream+" "+d.Day] = figs(d.RateFigures)
			}
			got[sr.Stream+" 7"], got[sr.Stream+" 30"] = figs(sr.Last7), figs(sr.Last30)
		}
		want := map[string]string{
			"news 2026-02-28":     "sent 100 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			"news 2026-03-01":     "sent 2500 hard 2 soft 1 block 1 complaint 1 bounce 0.00080 complaints 0.00040",
			"news 7":              "sent 2600 hard 3 soft 1 block 1 complaint 1 bounce 0.00115 complaints 0.00038",
			"news 30":             "sent 2600 hard 3 soft 1 block 1 complaint 1 bounce 0.00115 complaints 0.00038",
			"receipts 2026-02-28": "sent 0 hard 0 soft 0 block 0 complaint 0 bounce - complaints -",
			"receipts 2026-03-01": "sent 10 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			"receipts 7":          "sent 10 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			"receipts 30":         "sent 10 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			"ghost 2026-02-28":    "sent 0 hard 0 soft 0 block 0 complaint 0 bounce - complaints -",
			"ghost 2026-03-01":    "sent 0 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			"ghost 7":             "sent 0 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			"ghost 30":            "sent 0 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			" 2026-02-28":         "sent 100 hard 1 soft 0 block 0 complaint 0 bounce - complaints -",
			" 2026-03-01":         "sent 2510 hard 4 soft 1 block 1 complaint 1 bounce 0.00159 complaints 0.00040",
			" 7":                  "sent 2610 hard 5 soft 1 block 1 complaint 1 bounce 0.00192 complaints 0.00038",
			" 30":                 "sent 2610 hard 5 soft 1 block 1 complaint 1 bounce 0.00192 complaints 0.00038",
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s\n want %s", k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("got %d figures, want %d: %v", len(got), len(want), got)
		}
		one, err := s.Rates(context.Background(), RatesQuery{Stream: "receipts", Last: t0, Location: berlin, MinVolume: 10})
		if err != nil {
			t.Fatal(err)
		}
		if one.Overall != nil || len(one.Streams) != 1 || len(one.Streams[0].Days) != 7 ||
			figs(one.Streams[0].Last7) != "sent 10 hard 1 soft 0 block 0 complaint 0 bounce 0.10000 complaints 0.00000" {
			t.Errorf("receipts alone with min volume 10: %+v", one)
		}
	})
}

// A rate is cut to two decimals, never rounded up to a threshold it has not
// reached; exact hundredths of a percent keep their value.
func TestFormatRate(t *testing.T) {
	for _, tt := range []struct {
		r    float64
		want string
	}{
		{0, "0.00%"}, {2.0 / 2046, "0.09%"}, {0.000999, "0.09%"}, {0.001, "0.10%"}, {2.0 / 1000, "0.20%"},
		{0.0008, "0.08%"}, {0.00079, "0.07%"}, {0.0499, "4.99%"}, {0.05, "5.00%"}, {0.06, "6.00%"}, {0.0122, "1.22%"}, {1, "100.00%"},
	} {
		if got := FormatRate(&tt.r); got != tt.want {
			t.Errorf("FormatRate(%v) = %q, want %q", tt.r, got, tt.want)
		}
	}
	if got := FormatRate(nil); got != "not enough volume" {
		t.Errorf("FormatRate(nil) = %q", got)
	}
}

// The rates' counts (rate_counts, kept by Record) equal a recount of the
// events and sent counts per stream and day of a zone west of UTC, on
// random traffic of three streams recorded in random batches, for every
// stream and for one; deleting old events (retention) changes none of them.
func TestRatesEqualRecount(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(16, 54))
		msgs := randomTraffic(rng, 300)
		for i := range msgs {
			msgs[i].Stream = []string{"", "news", "receipts"}[rng.IntN(3)]
		}
		now := rollDay.AddDate(0, 0, 21)
		var sent []Sent
		for h := 0; h < 20*24; h += 1 + rng.IntN(12) {
			sent = append(sent, Sent{Stream: []string{"news", "receipts", "quiet"}[rng.IntN(3)], Count: 1 + rng.Int64N(500), At: rollDay.Add(time.Duration(h) * time.Hour)})
		}
		if _, err := s.AddSent(ctx, sent, now); err != nil {
			t.Fatal(err)
		}
		for len(msgs) > 0 {
			n := min(len(msgs), 1+rng.IntN(20))
			if _, err := s.Record(ctx, msgs[:n], now); err != nil {
				t.Fatal(err)
			}
			msgs = msgs[n:]
		}
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		q := RatesQuery{Days: 30, Location: ny}.withDefaults()
		from, to := rollDay.Add(4*time.Hour), rollDay.AddDate(0, 0, 18).Add(4*time.Hour) // New York's midnights (EDT, UTC-4)
		want := recountRates(t, s, from, to, ny)
		if len(want) != 4 || len(want["news"]) < 15 {
			t.Fatalf("recount %v: want 4 streams over 18 days", want)
		}
		check := func(when string) {
			t.Helper()
			if got, err := s.rateCounts(ctx, from, to, q); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: rate counts = %v, %v; want the recount %v", when, got, err, want)
			}
			q := q
			q.Stream = "news"
			if got, err := s.rateCounts(ctx, from, to, q); err != nil || !reflect.DeepEqual(got, map[string]map[string]RateCounts{"news": want["news"]}) {
				t.Errorf("%s: rate counts of news = %v, %v; want the recount %v", when, got, err, want["news"])
			}
		}
		check("recorded")
		if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM bounce_events WHERE received_at < ?`), s.tv(rollDay.AddDate(0, 0, 10))); err != nil {
			t.Fatal(err)
		}
		check("after pruning half the events")
	})
}

// recountRates counts the events rates count and the messages sent in
// [from, to) per stream and day in loc, straight from bounce_events and
// sent_counts.
func recountRates(t *testing.T, s *Store, from, to time.Time, loc *time.Location) map[string]map[string]RateCounts {
	t.Helper()
	out := map[string]map[string]RateCounts{}
	for _, query := range []string{`SELECT stream, received_at, class, 1 FROM bounce_events`, `SELECT stream, hour, 'sent', count FROM sent_counts`} {
		rows, err := s.db.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var stream, class string
			var at dbTime
			var n int64
			if err := rows.Scan(&stream, &at, &class, &n); err != nil {
				t.Fatal(err)
			}
			if at.Before(from) || !at.Before(to) || !slices.Contains([]string{"sent", "hard", "soft", "block", "complaint"}, class) {
				continue
			}
			if out[stream] == nil {
				out[stream] = map[string]RateCounts{}
			}
			d := at.In(loc).Format(time.DateOnly)
			c := out[stream][d]
			*c.class(class) += n
			out[stream][d] = c
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
