package storemetrics

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// seedStreams gives news 2,000 sent, 3 hard bounces and a complaint, and
// receipts 10 sent and 1 hard bounce, on t0's day.
func seedStreams(t *testing.T, s *suppression.Store) {
	t.Helper()
	if _, err := s.AddSent(context.Background(), []suppression.Sent{{Stream: "news", Count: 2000, At: t0}, {Stream: "receipts", Count: 10, At: t0}}, t0); err != nil {
		t.Fatal(err)
	}
	news := bounce("n", t0, rcpt("a@x.test", dsn.ClassHard, dsn.ReasonUserUnknown), rcpt("b@x.test", dsn.ClassHard, dsn.ReasonUserUnknown),
		rcpt("c@x.test", dsn.ClassHard, dsn.ReasonUserUnknown), rcpt("d@x.test", dsn.ClassComplaint, dsn.ReasonFeedback))
	news.Stream = "news"
	receipts := bounce("r", t0, rcpt("e@x.test", dsn.ClassHard, dsn.ReasonUserUnknown))
	receipts.Stream = "receipts"
	mustRecord(t, s, t0, news, receipts)
}

// series returns the values of v's series by "stream window".
func series(t *testing.T, v *prometheus.GaugeVec) map[string]float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 1000)
	v.Collect(ch)
	close(ch)
	out := map[string]float64{}
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{}
		for _, l := range d.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		out[labels["stream"]+" "+labels["window"]] = d.GetGauge().GetValue()
	}
	return out
}

// The gauges show each stream's trailing sent count and, with enough
// volume, its rates; a stream gone from the window loses its series, and
// the database is read at most every RatesEvery.
func TestRefreshRates(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		ctx := context.Background()
		if err := RefreshRates(ctx, s, t0, suppression.RatesQuery{}); err != nil {
			t.Fatal(err)
		}
		seedStreams(t, s)
		if err := RefreshRates(ctx, s, t0.Add(RatesEvery/2), suppression.RatesQuery{}); err != nil {
			t.Fatal(err)
		}
		if got := series(t, streamSent); len(got) != 0 {
			t.Errorf("refreshed within %v of the last: %v", RatesEvery, got)
		}
		if err := RefreshRates(ctx, s, t0.Add(RatesEvery), suppression.RatesQuery{}); err != nil {
			t.Fatal(err)
		}
		sent, bounce, complaint := series(t, streamSent), series(t, streamBounceRate), series(t, streamComplaintRate)
		if sent["news 7d"] != 2000 || sent["receipts 30d"] != 10 || len(sent) != 4 {
			t.Errorf("bouncer_stream_sent = %v", sent)
		}
		if bounce["news 7d"] != 3.0/2000 || complaint["news 30d"] != 1.0/2000 || len(bounce) != 2 || len(complaint) != 2 {
			t.Errorf("rates: bounce %v, complaint %v; want news only (receipts: not enough volume)", bounce, complaint)
		}
		if err := RefreshRates(ctx, s, t0.AddDate(0, 0, 40), suppression.RatesQuery{}); err != nil {
			t.Fatal(err)
		}
		if n := len(series(t, streamSent)) + len(series(t, streamBounceRate)) + len(series(t, streamComplaintRate)); n != 0 {
			t.Errorf("40 days later %d series remain, want none", n)
		}
	})
}
