package notify

import (
	"context"
	"time"

	"github.com/bouncer-mail/bouncer/internal/calday"
	"github.com/bouncer-mail/bouncer/suppression"
)

// Rate alert kinds.
const (
	AlertBounceRate    = "bounce_rate"    // a stream's trailing hard-bounce rate crossed a threshold
	AlertComplaintRate = "complaint_rate" // a stream's trailing complaint rate crossed a threshold
)

// Rate alert levels.
const (
	LevelWarning  = "warning"
	LevelCritical = "critical"
)

// RateAlertOptions set when a stream's trailing rates raise an alert. The
// zero value is usable; a negative threshold turns that level off.
type RateAlertOptions struct {
	BounceWarning     float64 // hard ÷ sent (default 0.02)
	BounceCritical    float64 // (default 0.05, where SES reviews an account)
	ComplaintWarning  float64 // complaints ÷ sent (default 0.0008)
	ComplaintCritical float64 // (default 0.001, SES)
	Days              int     // the trailing days judged, ending now (default 7)
	MinVolume         int64   // fewest sent in those days before a rate alarms (default suppression.DefaultMinVolume)
	TopN              int     // reasons and domains listed (default 5)
}

func (o RateAlertOptions) withDefaults() RateAlertOptions {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.BounceWarning, 0.02)
	def(&o.BounceCritical, 0.05)
	def(&o.ComplaintWarning, 0.0008)
	def(&o.ComplaintCritical, 0.001)
	o.Days = orDefault(o.Days, 7)
	o.TopN = orDefault(o.TopN, 5)
	if o.MinVolume <= 0 {
		o.MinVolume = suppression.DefaultMinVolume
	}
	return o
}

// RateAlert is what a rate alert reports beyond Alert's common fields.
type RateAlert struct {
	Level      string              // LevelWarning or LevelCritical
	Rate       float64             // the trailing rate
	Threshold  float64             // the threshold it reached
	Days       int                 // the trailing days
	Sent       int64               // messages sent in them
	Events     int64               // hard bounces or complaints in them
	TopReasons []suppression.Count // behind the events, most first
	TopDomains []suppression.Count
}

// rateAlerts returns an alert per stream and rate at the highest level its
// trailing rate reaches.
func rateAlerts(ctx context.Context, f Figures, now time.Time, loc *time.Location, o RateAlertOptions) ([]Alert, error) {
	o = o.withDefaults()
	// The trailing window is whole days ending with today, as bouncer
	// rates shows it.
	rates, err := f.Rates(ctx, suppression.RatesQuery{Days: 1, Last: now, Location: loc, MinVolume: o.MinVolume})
	if err != nil {
		return nil, err
	}
	var out []Alert
	for _, sr := range rates.Streams {
		fig := sr.Last7
		if o.Days != 7 {
			if fig, err = trailing(ctx, f, sr.Stream, now, loc, o); err != nil {
				return nil, err
			}
		}
		if !fig.Enough() {
			continue
		}
		for _, k := range []struct {
			kind              string
			rate              float64
			events            int64
			warning, critical float64
			classes           []string
		}{
			{AlertBounceRate, *fig.BounceRate, fig.Hard, o.BounceWarning, o.BounceCritical, []string{"hard"}},
			{AlertComplaintRate, *fig.ComplaintRate, fig.Complaint, o.ComplaintWarning, o.ComplaintCritical, []string{"complaint"}},
		} {
			level, threshold := rateLevel(k.rate, k.warning, k.critical)
			if level == "" {
				continue
			}
			ra := &RateAlert{Level: level, Rate: k.rate, Threshold: threshold, Days: o.Days, Sent: fig.Sent, Events: k.events}
			w := suppression.Window{From: calday.AddDays(now, 1-o.Days, loc), To: now}
			if ra.TopReasons, err = f.StreamTop(ctx, w, sr.Stream, k.classes, suppression.ByReason, o.TopN); err != nil {
				return nil, err
			}
			if ra.TopDomains, err = f.StreamTop(ctx, w, sr.Stream, k.classes, suppression.ByDomain, o.TopN); err != nil {
				return nil, err
			}
			out = append(out, Alert{Kind: k.kind, Subject: sr.Stream, Rate: ra})
		}
	}
	return out, nil
}

// trailing reads a stream's figures over o.Days days ending today.
func trailing(ctx context.Context, f Figures, stream string, now time.Time, loc *time.Location, o RateAlertOptions) (suppression.RateFigures, error) {
	r, err := f.Rates(ctx, suppression.RatesQuery{Stream: stream, Days: o.Days, Last: now, Location: loc, MinVolume: o.MinVolume})
	if err != nil || len(r.Streams) == 0 {
		return suppression.RateFigures{}, err
	}
	var sum suppression.RateCounts
	for _, d := range r.Streams[0].Days {
		sum = sum.Plus(d.RateCounts)
	}
	return sum.Figures(o.MinVolume), nil
}

// rateLevel is the highest level rate reaches and its threshold; "" when
// none (a negative threshold is off).
func rateLevel(rate, warning, critical float64) (string, float64) {
	switch {
	case critical > 0 && rate >= critical:
		return LevelCritical, critical
	case warning > 0 && rate >= warning:
		return LevelWarning, warning
	}
	return "", 0
}
