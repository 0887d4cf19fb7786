package storemetrics

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/bouncer-mail/bouncer/internal/metrics"
	"github.com/bouncer-mail/bouncer/suppression"
)

// Per-stream gauges of the trailing 7 and 30 days (today included),
// refreshed on an interval by RefreshRates, never per scrape.
var (
	streamSent = metrics.NewGaugeVec("bouncer_stream_sent",
		"Messages sent per stream over the trailing window (7d or 30d, today included); refreshed on an interval.", "stream", "window")
	streamBounceRate = metrics.NewGaugeVec("bouncer_stream_bounce_rate",
		"Hard bounces divided by messages sent per stream over the trailing window; absent under the minimum volume (rates.min_volume).", "stream", "window")
	streamComplaintRate = metrics.NewGaugeVec("bouncer_stream_complaint_rate",
		"Complaints divided by messages sent per stream over the trailing window; absent under the minimum volume (rates.min_volume).", "stream", "window")
)

// MaxStreamSeries is the most streams given series: the ones that sent
// most over 30 days (a forged X-Bouncer-Stream header must not grow
// /metrics without bound).
const MaxStreamSeries = 50

// RatesSource is the query RefreshRates reads; *suppression.Store has it.
type RatesSource interface {
	Rates(ctx context.Context, q suppression.RatesQuery) (suppression.Rates, error)
}

// RatesEvery is how often RefreshRates reads the database:
// the trailing rates move slowly, and their queries read 30 days of events.
const RatesEvery = 5 * time.Minute

// rateSeries are the stream labels set by the last refresh, and when
// each store last read them.
var rateSeries struct {
	sync.Mutex
	streams []string
	last    map[RatesSource]time.Time
}

// RefreshRates sets the per-stream gauges from src's Rates (two queries)
// in q's zone and minimum volume, at most once per RatesEvery of now;
// streams no longer shown lose their series, and a rate under the minimum
// volume has none.
func RefreshRates(ctx context.Context, src RatesSource, now time.Time, q suppression.RatesQuery) error {
	rateSeries.Lock()
	last := rateSeries.last[src]
	due := last.IsZero() || now.Sub(last) >= RatesEvery || now.Before(last)
	rateSeries.Unlock()
	if !due {
		return nil
	}
	q.Stream, q.Days, q.Last = "", 1, now
	r, err := src.Rates(ctx, q)
	if err != nil {
		return err
	}
	streams := slices.Clone(r.Streams)
	slices.SortStableFunc(streams, func(a, b suppression.StreamRates) int { return cmp.Compare(b.Last30.Sent, a.Last30.Sent) })
	streams = streams[:min(len(streams), MaxStreamSeries)]
	rateSeries.Lock()
	defer rateSeries.Unlock()
	shown := map[string]bool{}
	for _, sr := range streams {
		shown[sr.Stream] = true
		setRateSeries(sr.Stream, "7d", sr.Last7)
		setRateSeries(sr.Stream, "30d", sr.Last30)
	}
	for _, st := range rateSeries.streams {
		if !shown[st] {
			for _, w := range []string{"7d", "30d"} {
				streamSent.DeleteLabelValues(st, w)
				streamBounceRate.DeleteLabelValues(st, w)
				streamComplaintRate.DeleteLabelValues(st, w)
			}
		}
	}
	if rateSeries.last == nil {
		rateSeries.last = map[RatesSource]time.Time{}
	}
	rateSeries.last[src] = now
	rateSeries.streams = rateSeries.streams[:0]
	for st := range shown {
		rateSeries.streams = append(rateSeries.streams, st)
	}
	return nil
}

// setRateSeries sets one stream's gauges for one window.
func setRateSeries(stream, window string, f suppression.RateFigures) {
	streamSent.WithLabelValues(stream, window).Set(float64(f.Sent))
	if !f.Enough() {
		streamBounceRate.DeleteLabelValues(stream, window)
		streamComplaintRate.DeleteLabelValues(stream, window)
		return
	}
	streamBounceRate.WithLabelValues(stream, window).Set(*f.BounceRate)
	streamComplaintRate.WithLabelValues(stream, window).Set(*f.ComplaintRate)
}
