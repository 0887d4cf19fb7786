package storemetrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/metrics"
	"github.com/bouncer-mail/bouncer/suppression"
)

// TestObserverCounts records bounces and a complaint, suppresses and lifts
// by hand, refreshes, and checks every store series moved as it should.
func TestObserverCounts(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		ctx := t.Context()
		counter := map[string]func() float64{
			"events hard/address":     func() float64 { return testutil.ToFloat64(eventsTotal.WithLabelValues("hard", "address")) },
			"events complaint":        func() float64 { return testutil.ToFloat64(eventsTotal.WithLabelValues("complaint", "feedback")) },
			"events block/reputation": func() float64 { return testutil.ToFloat64(eventsTotal.WithLabelValues("block", "reputation")) },
			"events soft/mailbox":     func() float64 { return testutil.ToFloat64(eventsTotal.WithLabelValues("soft", "mailbox")) },
			"messages recorded":       func() float64 { return testutil.ToFloat64(messagesTotal.WithLabelValues(metricRecorded)) },
			"messages duplicate":      func() float64 { return testutil.ToFloat64(messagesTotal.WithLabelValues(metricDuplicate)) },
			"added bounce":            func() float64 { return testutil.ToFloat64(suppressionsAdded.WithLabelValues(suppression.SourceBounce)) },
			"added complaint": func() float64 {
				return testutil.ToFloat64(suppressionsAdded.WithLabelValues(suppression.SourceComplaint))
			},
			"added manual": func() float64 { return testutil.ToFloat64(suppressionsAdded.WithLabelValues(suppression.SourceManual)) },
			"removed manual": func() float64 {
				return testutil.ToFloat64(suppressionsRemoved.WithLabelValues(suppression.SourceManual))
			},
			"removed bounce": func() float64 {
				return testutil.ToFloat64(suppressionsRemoved.WithLabelValues(suppression.SourceBounce))
			},
			"removed complaint": func() float64 {
				return testutil.ToFloat64(suppressionsRemoved.WithLabelValues(suppression.SourceComplaint))
			},
		}
		before := map[string]float64{}
		for k, f := range counter {
			before[k] = f()
		}
		sum0, _ := histogram(t, "bouncer_record_batch_messages")
		_, count0 := histogram(t, "bouncer_record_batch_duration_seconds")
		arf := bounce("c", t0.Add(time.Hour), dsn.Recipient{FinalRecipient: "c@y.test", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback})
		arf.Report.Type = dsn.TypeARF
		mustRecord(t, s, t0, bounce("a", t0, rcpt("a@x.test", dsn.ClassHard, dsn.ReasonUserUnknown)), arf,
			bounce("s", t0.Add(2*time.Hour), rcpt("s@x.test", dsn.ClassSoft, dsn.ReasonMailboxFull)),
			bounce("b", t0, rcpt("b@y.test", dsn.ClassBlock, dsn.ReasonBlocked)))
		if _, err := s.Add(ctx, "m@z.test", suppression.Manual{Reason: "asked"}, t0); err != nil {
			t.Fatal(err)
		}
		for _, addr := range []string{"m@z.test", "a@x.test", "s@x.test"} { // s@x.test was not suppressed
			if _, err := s.Remove(ctx, addr, t0); err != nil {
				t.Fatalf("Remove(%s): %v", addr, err)
			}
		}
		for k, want := range map[string]float64{
			"events hard/address": 1, "events complaint": 1, "events block/reputation": 1, "events soft/mailbox": 1,
			"messages recorded": 4, "messages duplicate": 0,
			"added bounce": 1, "added complaint": 1, "added manual": 1,
			"removed manual": 1, "removed bounce": 1, "removed complaint": 0,
		} {
			if got := counter[k]() - before[k]; got != want {
				t.Errorf("%s rose by %g, want %g", k, got, want)
			}
		}
		if sum, _ := histogram(t, "bouncer_record_batch_messages"); sum-sum0 != 4 {
			t.Errorf("bouncer_record_batch_messages_sum rose by %g, want 4", sum-sum0)
		}
		if _, count := histogram(t, "bouncer_record_batch_duration_seconds"); count-count0 != 1 {
			t.Errorf("bouncer_record_batch_duration_seconds_count rose by %d, want 1", count-count0)
		}
		if err := Refresh(ctx, s, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for src, want := range map[string]float64{suppression.SourceBounce: 0, suppression.SourceComplaint: 1, suppression.SourceManual: 0} {
			if got := testutil.ToFloat64(suppressionsActive.WithLabelValues(src)); got != want {
				t.Errorf(`bouncer_suppressions{source=%q} = %g, want %g`, src, got, want)
			}
		}
	})
}

// histogram returns the sum and count of the unlabelled histogram name in
// metrics.Registry.
func histogram(t *testing.T, name string) (float64, uint64) {
	t.Helper()
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			h := mf.GetMetric()[0].GetHistogram()
			return h.GetSampleSum(), h.GetSampleCount()
		}
	}
	t.Fatalf("no %s in the registry", name)
	return 0, 0
}

// TestObserverRepeatedNoticeIsDuplicate: a copy of a notice already counted
// (the same Message-ID from the same MTA about the same address, other
// bytes) changes nothing: it counts as a duplicate, as the poll summary
// says, not as recorded.
func TestObserverRepeatedNoticeIsDuplicate(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		recorded := func() float64 { return testutil.ToFloat64(messagesTotal.WithLabelValues(metricRecorded)) }
		duplicate := func() float64 { return testutil.ToFloat64(messagesTotal.WithLabelValues(metricDuplicate)) }
		r0, d0 := recorded(), duplicate()
		notice := func(key string) suppression.Message {
			m := bounce(key, t0, rcpt("full@x.test", dsn.ClassSoft, dsn.ReasonMailboxFull))
			m.Report.ReportingMTA, m.Report.Message.MessageID = "mx.x.test", "<n1@mx.x.test>"
			return m
		}
		mustRecord(t, s, t0, notice("first"))
		mustRecord(t, s, t0, notice("relayed-copy"))
		if r, d := recorded()-r0, duplicate()-d0; r != 1 || d != 1 {
			t.Errorf("recorded rose by %g and duplicate by %g, want 1 and 1", r, d)
		}
	})
}

// TestSuppressionCountersHelp: the HELP of the suppression counters says
// what a scrape of the daemon counts, its API's and dashboard's changes,
// and does not promise the command line's, which another process makes
// and nobody scrapes.
func TestSuppressionCountersHelp(t *testing.T) {
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"bouncer_suppressions_added_total": true, "bouncer_suppressions_removed_total": true}
	for _, f := range families {
		if !want[f.GetName()] {
			continue
		}
		delete(want, f.GetName())
		help := f.GetHelp()
		if strings.Contains(help, "CLI") || !strings.Contains(help, "API or dashboard") {
			t.Errorf("%s HELP = %q, want the API and the dashboard named, not the CLI", f.GetName(), help)
		}
	}
	for name := range want {
		t.Errorf("%s not in the registry", name)
	}
}
