package suppression

// History at scale (docs/performance.md, "Retention and history at scale"):
//
//	BOUNCER_BENCH_EVENTS=10000000 go test ./suppression -run '^$' -bench RetentionScale -benchtime 1x -timeout 2h
//	BOUNCER_BENCH_EVENTS=2000000 go test ./suppression -run '^$' -bench PruneSQLite -benchtime 1x
//
// Without the variable they run a small history (130,000 events) in a
// few seconds.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchEvents is BOUNCER_BENCH_EVENTS, else def.
func benchEvents(b *testing.B, def int) int {
	if v := os.Getenv("BOUNCER_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 13 {
			b.Fatalf("BOUNCER_BENCH_EVENTS=%q: want a number of events, at least 13", v)
		}
		return n
	}
	return def
}

// historyBatch is n one-recipient messages of month m received from at
// on, a second apart, shaped like benchBatch's, each naming the sent
// message it came back from.
func historyBatch(m, round, n int, at time.Time) []Message {
	msgs := benchBatch(m*1_000_000+round, n)
	for i := range msgs {
		msgs[i].Key = fmt.Sprintf("h-%d-%d-%d", m, round, i)
		msgs[i].ReceivedAt = at.Add(time.Duration(i) * time.Second)
		msgs[i].Report.Original.MessageID = fmt.Sprintf("<%d.%d.%d@app.example>", m, round, i)
	}
	return msgs
}

// ingestHistory records events over 13 months from start in batches of
// 5,000, pruning (with r) at each month's start as the daemon would, and
// returns the time spent in Record, in all and for the last month.
func ingestHistory(b *testing.B, s *Store, start time.Time, events int, r Retention) (all, last time.Duration) {
	ctx := context.Background()
	const batch = 5000
	perMonth := events / 13
	for m := range 13 {
		month := start.AddDate(0, m, 0)
		if _, err := s.Prune(ctx, r, month, false); err != nil {
			b.Fatal(err)
		}
		spacing := 27 * 24 * time.Hour / time.Duration(max(perMonth/batch, 1))
		var took time.Duration
		for round := 0; round*batch < perMonth; round++ {
			msgs := historyBatch(m, round, min(batch, perMonth-round*batch), month.Add(time.Duration(round)*spacing))
			began := time.Now()
			if _, err := s.Record(ctx, msgs, month); err != nil {
				b.Fatal(err)
			}
			took += time.Since(began)
		}
		all += took
		last = took
		fmt.Fprintf(os.Stderr, "month %d of 13: %d events in %s (%.0f events/s)\n", m+1, perMonth, took.Round(time.Millisecond), float64(perMonth)/took.Seconds())
	}
	return all, last
}

// BenchmarkRetentionScale builds 13 months of history on Postgres and
// measures what retention promises at that size: the ingest rate, the
// daily report's queries on a day of the last month, the fate of one
// message, and the prune that drops the oldest month.
func BenchmarkRetentionScale(b *testing.B) {
	events := benchEvents(b, 130_000)
	s := openTest(b, "postgres", Options{})
	ctx := context.Background()
	start := monthStart(time.Now()).AddDate(0, 1, 0) // the first monthly partition of a new database
	ingest, last := ingestHistory(b, s, start, events, Retention{Ledger: 90 * 24 * time.Hour})
	perMonth := events / 13
	metrics := map[string]float64{"ingest-events/s": float64(perMonth*13) / ingest.Seconds(), "last-month-events/s": float64(perMonth) / last.Seconds()}
	if _, err := s.db.ExecContext(ctx, `ANALYZE bounce_events; ANALYZE processed_messages; ANALYZE suppressions`); err != nil {
		b.Fatal(err)
	}

	day := start.AddDate(0, 12, 10)
	report := reportQueries(b, s, Window{From: day, To: day.AddDate(0, 0, 1)})
	metrics["report-ms"] = float64(report.Microseconds()) / 1000

	lat := make([]time.Duration, 0, 2000)
	for i := range cap(lat) {
		id := fmt.Sprintf("<%d.%d.%d@app.example>", rand.IntN(13), rand.IntN(max(perMonth/5000, 1)), rand.IntN(5000))
		if i%10 == 0 {
			id = fmt.Sprintf("<never-%d@app.example>", i)
		}
		began := time.Now()
		if _, err := s.MessageStatus(ctx, id); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(began))
	}
	slices.Sort(lat)
	metrics["lookup-p99-ms"] = float64(lat[len(lat)*99/100].Microseconds()) / 1000
	metrics["lookup-p50-ms"] = float64(lat[len(lat)/2].Microseconds()) / 1000

	r := Retention{Events: 400 * 24 * time.Hour, Ledger: 90 * 24 * time.Hour}
	now := start.AddDate(0, 1, 0).Add(r.Events + time.Hour) // the oldest month is past retention
	b.ResetTimer()
	began := time.Now()
	res, err := s.Prune(ctx, r, now, false)
	took := time.Since(began)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(took.Microseconds())/1000, "prune-ms")
	for k, v := range metrics { // after ResetTimer, which drops metrics reported before it
		b.ReportMetric(v, k)
	}
	for _, t := range res.Tables {
		b.Logf("prune %s: dropped %v (%d rows), created %v", t.Table, t.Dropped, t.Rows, t.Created)
	}
	if ev := res.Tables[0]; !slices.Contains(ev.Dropped, "bounce_events_p"+start.Format("2006_01")) {
		b.Errorf("prune did not drop the oldest month: %+v", ev)
	}
}

// reportQueries runs the queries of the daily report (notify.Figures)
// over w and returns their total time; each one's is logged.
func reportQueries(b *testing.B, s *Store, w Window) time.Duration {
	ctx := context.Background()
	var total time.Duration
	run := func(name string, f func() error) {
		began := time.Now()
		if err := f(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		took := time.Since(began)
		total += took
		b.Logf("report query %s: %s", name, took.Round(time.Microsecond))
	}
	run("Totals", func() error { _, err := s.Totals(ctx, w); return err })
	run("NewSuppressions", func() error { _, err := s.NewSuppressions(ctx, w, 20); return err })
	for _, d := range []Dimension{ByReason, ByDomain, ByRemoteMTA} {
		run("Top "+string(d), func() error { _, err := s.Top(ctx, w, d, 10); return err })
	}
	run("BlockDiagnostics", func() error { _, err := s.BlockDiagnostics(ctx, w, 10); return err })
	run("ReceiverBounces", func() error { _, err := s.ReceiverBounces(ctx, w); return err })
	run("Complaints", func() error { _, err := s.Complaints(ctx, w, 10); return err })
	run("UnparsedMessages", func() error { _, err := s.UnparsedMessages(ctx, w, 10); return err })
	run("MailboxHealth", func() error { _, err := s.MailboxHealth(ctx); return err })
	return total
}

// BenchmarkPruneSQLite prunes the oldest month of 13 on SQLite and prints
// the longest delete transaction: the longest the write lock is held.
func BenchmarkPruneSQLite(b *testing.B) {
	events := benchEvents(b, 130_000)
	s := openTest(b, "sqlite", Options{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ingestHistory(b, s, start, events, Retention{})
	r := Retention{Events: 400 * 24 * time.Hour, Ledger: 400 * 24 * time.Hour}
	b.ResetTimer()
	res, err := s.Prune(context.Background(), r, start.AddDate(0, 1, 0).Add(r.Events), false)
	if err != nil {
		b.Fatal(err)
	}
	ev := res.Tables[0]
	b.ReportMetric(float64(ev.Rows), "events-pruned")
	b.ReportMetric(float64(ev.Batches), "batches")
	b.ReportMetric(float64(ev.MaxBatch.Microseconds())/1000, "max-batch-ms")
	if ev.Rows < int64(events/13) {
		b.Errorf("pruned %d events, want the first month's %d", ev.Rows, events/13)
	}
}
