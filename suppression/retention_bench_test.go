package suppression

// History at scale (docs/performance.md, "Retention and history at scale"):
//
//	BOUNCER_BENCH_EVENTS=10000000 go test ./suppression -run '^$' -bench RetentionScale -benchtime 1x -timeout 3h -v
//	BOUNCER_BENCH_EVENTS=2000000 go test ./suppression -run '^$' -bench PruneSQLite -benchtime 1x
//
// Without the variable they run a small history (130,000 events) in a
// minute or two. The history is written straight into the tables; the
// ingest rate is measured through Record on top of it.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
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
// on, spacing apart, shaped like benchBatch's, each naming the sent
// message it came back from and of one of benchStreams streams in turn.
func historyBatch(m, round, n int, at time.Time, spacing time.Duration) []Message {
	msgs := benchBatch(m*1_000_000+round, n)
	for i := range msgs {
		msgs[i].Key = fmt.Sprintf("h-%d-%d-%d", m, round, i)
		msgs[i].ReceivedAt = at.Add(time.Duration(i) * spacing)
		msgs[i].Report.Original.MessageID = fmt.Sprintf("<%d.%d.%d@app.example>", m, round, i)
		msgs[i].Stream = fmt.Sprintf("stream-%d", i%benchStreams)
	}
	return msgs
}

// benchStreams is how many streams report a sent count every hour of
// the history loadHistory writes.
const benchStreams = 20

// sentMonth is a count for each of benchStreams streams for each hour of
// the month from month on.
func sentMonth(month time.Time) *batch {
	var streams []string
	var hours []time.Time
	var counts []int64
	for h := month; h.Before(month.AddDate(0, 1, 0)); h = h.Add(time.Hour) {
		for st := range benchStreams {
			streams = append(streams, fmt.Sprintf("stream-%d", st))
			hours = append(hours, h)
			counts = append(counts, int64(100+st))
		}
	}
	return new(batch).text("stream", streams).time("hour", hours).integer("count", counts)
}

// loadHistory writes events over 13 months from start straight into the
// tables (COPY on Postgres, as ingest writes them, without the policy;
// rate_counts as Record keeps it),
// with the ledger rows of the last ledgerMonths months and a sent count
// per stream per hour (sentMonth), creating each month's partitions first
// as the daemon's prune would. Each month's events are evenly spaced over
// its first 27 days and written in time
// order, as the daemon writes them (so the rows of one day are neighbours
// and the BRIN indexes on received_at narrow a day to its pages).
func loadHistory(b *testing.B, s *Store, start time.Time, events, ledgerMonths int) {
	ctx := context.Background()
	const chunk = 50_000
	perMonth := events / 13
	spacing := 27 * 24 * time.Hour / time.Duration(perMonth)
	for m := range 13 {
		month := start.AddDate(0, m, 0)
		if _, err := s.Prune(ctx, Retention{Ledger: 90 * 24 * time.Hour}, month, false); err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		err := s.inTx(ctx, func(tx *sqlx.Tx) error { return s.appendRows(ctx, tx, "sent_counts", sentMonth(month)) })
		if err != nil {
			b.Fatal(err)
		}
		for round := 0; round*chunk < perMonth; round++ {
			n := min(chunk, perMonth-round*chunk)
			msgs := historyBatch(m, round, n, month.Add(time.Duration(round*chunk)*spacing), spacing)
			p := s.planRecord(msgs, month)
			var evs []Event
			for _, l := range p.ledger {
				evs = append(evs, l.events...)
			}
			err := s.inTx(ctx, func(tx *sqlx.Tx) error {
				if m >= 13-ledgerMonths {
					if err := s.appendRows(ctx, tx, "processed_messages", ledgerBatch(p.ledger, month)); err != nil {
						return err
					}
					if err := s.appendRows(ctx, tx, "processed_keys", keyBatch(p.ledger)); err != nil {
						return err
					}
				}
				if err := s.writeRateCounts(ctx, tx, evs); err != nil {
					return err
				}
				return s.appendRows(ctx, tx, "bounce_events", eventBatch(evs))
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		fmt.Fprintf(os.Stderr, "month %d of 13: %d events and %d sent counts loaded in %s\n", m+1, perMonth,
			benchStreams*int(month.AddDate(0, 1, 0).Sub(month)/time.Hour), time.Since(began).Round(time.Millisecond))
	}
}

// ingestSample records batches of 5,000 messages of month 12 (counting
// from 0) through Record and returns the events per second of wall
// clock and per CPU-second (this process and the Postgres backends).
func ingestSample(b *testing.B, s *Store, start time.Time, batches int) (perSec, perCPU float64) {
	month := start.AddDate(0, 12, 0)
	server, self := serverCPU(b, s), selfCPU()
	began := time.Now()
	for round := range batches {
		msgs := historyBatch(99, round, 5000, month.AddDate(0, 0, 9).Add(time.Duration(round)*time.Hour), time.Second/2)
		if _, err := s.Record(context.Background(), msgs, month); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(batches * 5000)
	return n / time.Since(began).Seconds(), n / (server() + selfCPU() - self).Seconds()
}

// BenchmarkRetentionScale builds 13 months of history on Postgres and
// measures what retention promises at that size: the ingest rate, the
// daily report's queries on a day of the last month, the rates of the 30
// days ending that day, the fate of one message, and the prunes that drop
// the oldest month of events and of sent counts.
func BenchmarkRetentionScale(b *testing.B) {
	events := benchEvents(b, 130_000)
	s := openTest(b, "postgres", Options{})
	ctx := context.Background()
	start := monthStart(time.Now()).AddDate(0, 1, 0) // the first monthly partition of a new database
	loadHistory(b, s, start, events, 4)
	perMonth := events / 13
	// What autovacuum does shortly after rows arrive: statistics, and the
	// BRIN summaries of the filled block ranges (autosummarize, which Prune
	// turns on, asks for them as each range fills).
	if _, err := s.db.ExecContext(ctx, `VACUUM (ANALYZE) bounce_events, processed_messages, sent_counts`); err != nil {
		b.Fatal(err)
	}
	perSec, perCPU := ingestSample(b, s, start, 20)
	metrics := map[string]float64{"ingest-events/s": perSec, "ingest-events/cpu-s": perCPU}
	if _, err := s.db.ExecContext(ctx, `VACUUM (ANALYZE) bounce_events, processed_messages, suppressions`); err != nil {
		b.Fatal(err)
	}

	day := start.AddDate(0, 12, 10)
	report := reportQueries(b, s, Window{From: day, To: day.AddDate(0, 0, 1)})
	metrics["report-ms"] = float64(report.Microseconds()) / 1000
	began := time.Now()
	if _, err := s.Rates(ctx, RatesQuery{Last: day}); err != nil {
		b.Fatal(err)
	}
	metrics["rates-ms"] = float64(time.Since(began).Microseconds()) / 1000

	lat := make([]time.Duration, 0, 2000)
	for i := range cap(lat) {
		id := fmt.Sprintf("<%d.%d.%d@app.example>", rand.IntN(13), rand.IntN(max(perMonth/50_000, 1)), rand.IntN(min(perMonth, 50_000)))
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

	// The events and the ledger first (the months ahead of every table
	// created), then the sent counts: their figures apart.
	// The daemon prunes daily: the day before, untimed, as it would have
	// (it deletes the ledger's keys up to then: a day's keys are left for
	// the timed prune, as on the day a month of events goes); its time is
	// reported too (catch-up-prune-ms: months of keys at once).
	r := Retention{Events: 400 * 24 * time.Hour, Ledger: 90 * 24 * time.Hour}
	now := start.AddDate(0, 1, 0).Add(r.Events + time.Hour) // the oldest month is past retention
	before, catchUp := timedPrune(b, s, r, now.AddDate(0, 0, -1))
	metrics["catch-up-prune-ms"] = float64(catchUp.Microseconds()) / 1000
	b.ResetTimer()
	res, took := timedPrune(b, s, r, now)
	b.ReportMetric(float64(took.Microseconds())/1000, "prune-ms")
	sent, took := timedPrune(b, s, Retention{Sent: 400 * 24 * time.Hour}, now)
	b.ReportMetric(float64(took.Microseconds())/1000, "sent-prune-ms")
	for k, v := range metrics { // after ResetTimer, which drops metrics reported before it
		b.ReportMetric(v, k)
	}
	if ev := res.Tables[0]; !slices.Contains(ev.Dropped, "bounce_events_p"+start.Format("2006_01")) {
		b.Errorf("prune did not drop the oldest month: %+v", ev)
	}
	var created []string // by the day's prune or the one before
	for _, t := range append(before.Tables, res.Tables...) {
		if t.Table == "sent_counts" {
			created = append(created, t.Created...)
		}
	}
	if ahead := "sent_counts_p" + monthStart(now).AddDate(0, monthsAhead, 0).Format("2006_01"); !slices.Contains(created, ahead) {
		b.Errorf("prune did not create the months ahead of sent_counts (%s): created %v", ahead, created)
	}
	for _, t := range sent.Tables {
		if t.Table == "sent_counts" && !slices.Contains(t.Dropped, "sent_counts_p"+start.Format("2006_01")) {
			b.Errorf("prune did not drop the oldest month of sent counts: %+v", t)
		}
	}
}

// timedPrune prunes s for r at now, logs what it did and returns it with
// the time it took.
func timedPrune(b *testing.B, s *Store, r Retention, now time.Time) (PruneResult, time.Duration) {
	began := time.Now()
	res, err := s.Prune(context.Background(), r, now, false)
	took := time.Since(began)
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range res.Tables {
		if !t.Before.IsZero() || len(t.Created) > 0 {
			b.Logf("prune %s: dropped %v (%d rows), created %v", t.Table, t.Dropped, t.Rows, t.Created)
		}
	}
	b.Logf("prune of %+v took %s", r, took.Round(time.Microsecond))
	return res, took
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
// the longest delete transaction of events and of sent counts: the
// longest the write lock is held.
func BenchmarkPruneSQLite(b *testing.B) {
	events := benchEvents(b, 130_000)
	s := openTest(b, "sqlite", Options{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	loadHistory(b, s, start, events, 13)
	r := Retention{Events: 400 * 24 * time.Hour, Ledger: 400 * 24 * time.Hour, Sent: 400 * 24 * time.Hour}
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
	for _, t := range res.Tables[1:] {
		b.Logf("prune %s: %d rows in %d batches, longest %s", t.Table, t.Rows, t.Batches, t.MaxBatch.Round(time.Microsecond))
		if t.Table == "sent_counts" {
			b.ReportMetric(float64(t.Rows), "sent-pruned")
			b.ReportMetric(float64(t.MaxBatch.Microseconds())/1000, "sent-max-batch-ms")
		}
	}
}
