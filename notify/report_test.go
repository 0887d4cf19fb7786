package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

func TestDayWindowAcrossDST(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	tests := []struct {
		at    time.Time
		day   string
		hours float64
	}{
		{time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), "2026-03-29", 23},   // clocks go forward
		{time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC), "2026-10-25", 25},  // clocks go back
		{time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC), "2026-11-25", 24}, // already the next day in Paris
	}
	for _, tt := range tests {
		day := DayOf(tt.at, paris)
		w := dayWindow(day, 1, paris)
		if got := day.Format(time.DateOnly); got != tt.day || w.To.Sub(w.From).Hours() != tt.hours {
			t.Errorf("DayOf(%v) = %s lasting %vh, want %s lasting %vh", tt.at, got, w.To.Sub(w.From).Hours(), tt.day, tt.hours)
		}
	}
}

// BenchmarkBuild measures building one report over a day of 100,000 events
// (a quarter of them blocks, 2,000 receiver domains) on Postgres.
func BenchmarkBuild(b *testing.B) {
	s := openURL(b, testenv.PostgresURL(b))
	ctx := context.Background()
	const events, perMessage = 100_000, 100
	for m := range events / perMessage {
		at := reportDay.Add(time.Duration(m) * 50 * time.Second)
		var recs []dsn.Recipient
		for i := range perMessage {
			n := m*perMessage + i
			rec := dsn.Recipient{FinalRecipient: fmt.Sprintf("u%d@d%d.example", n, n%2000), Status: "5.1.1", RemoteMTA: fmt.Sprintf("mx.d%d.example", n%2000),
				Diagnostic: "550 5.1.1 user unknown", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}
			if n%4 == 0 {
				rec.Class, rec.Reason, rec.Status, rec.Diagnostic = dsn.ClassBlock, dsn.ReasonBlocked, "5.7.1", fmt.Sprintf("554 5.7.1 Client host [192.0.2.%d] blocked using zen.spamhaus.org", n%250)
			}
			recs = append(recs, rec)
		}
		msg := suppression.Message{Key: fmt.Sprintf("k%d", m), Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN, Recipients: recs}}
		if _, err := s.Record(ctx, []suppression.Message{msg}, at); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := Build(ctx, s, reportDay, dueAt, ReportOptions{Location: time.UTC})
		if err != nil {
			b.Fatal(err)
		}
		if got := r.Metric("block").Day; got != events/4 {
			b.Fatalf("blocks = %d, want %d", got, events/4)
		}
	}
}
