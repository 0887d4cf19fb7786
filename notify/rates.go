package notify

import (
	"context"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Thresholds mailbox providers judge senders by, marked in the report.
const (
	// SESBounce is the hard-bounce rate at which Amazon SES reviews an account.
	SESBounce = 0.05
	// SESComplaint is the complaint rate at which Amazon SES reviews an account.
	SESComplaint = 0.001
	// GmailComplaint is the spam-complaint rate Gmail and Yahoo require senders to stay under.
	GmailComplaint = 0.003
)

// StreamRates is one stream's table in the report: a row per figure, a
// column each for the day, the trailing 7 days and the trailing 30 days.
type StreamRates struct {
	Stream string // "all streams" for the overall table
	Rows   []RateRow
}

// RateRow is one figure of a StreamRates table; a rate's cell says "not
// enough volume" below the minimum, and carries a mark such as
// "! SES 5%" when it reaches a provider's threshold.
type RateRow struct {
	Label string
	Cells [3]string
	Marks [3]string
}

// Cell is column i with its mark, if any: "5.20% ! SES 5%".
func (r RateRow) Cell(i int) string {
	if r.Marks[i] == "" {
		return r.Cells[i]
	}
	return r.Cells[i] + " " + r.Marks[i]
}

// loadRates reads the day's rates per stream (nothing when no stream sent
// or bounced in the 30 days).
func (r *Report) loadRates(ctx context.Context, f Figures, o ReportOptions) error {
	rates, err := f.Rates(ctx, suppression.RatesQuery{Days: 1, Last: r.Day, Location: r.Location, MinVolume: o.MinVolume})
	if err != nil {
		return err
	}
	r.MinVolume = rates.MinVolume
	if len(rates.Streams) == 0 {
		return nil
	}
	for _, sr := range rates.Streams {
		r.Rates = append(r.Rates, rateTable(sr.Stream, sr))
	}
	if len(rates.Streams) > 1 {
		r.Rates = append(r.Rates, rateTable("all streams", *rates.Overall))
	}
	return nil
}

// rateTable lays out one stream's day, 7 and 30 days.
func rateTable(name string, sr suppression.StreamRates) StreamRates {
	var day suppression.RateFigures
	if len(sr.Days) > 0 {
		day = sr.Days[len(sr.Days)-1].RateFigures
	}
	cols := [3]suppression.RateFigures{day, sr.Last7, sr.Last30}
	t := StreamRates{Stream: name}
	count := func(label string, v func(suppression.RateFigures) int64) {
		row := RateRow{Label: label}
		for i, c := range cols {
			row.Cells[i] = suppression.FormatCount(v(c))
		}
		t.Rows = append(t.Rows, row)
	}
	rate := func(label string, v func(suppression.RateFigures) *float64, marks func(float64) string) {
		row := RateRow{Label: label}
		for i, c := range cols {
			row.Cells[i] = suppression.FormatRate(v(c))
			if p := v(c); p != nil {
				row.Marks[i] = marks(*p)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	count("sent", func(f suppression.RateFigures) int64 { return f.Sent })
	count("hard", func(f suppression.RateFigures) int64 { return f.Hard })
	count("soft", func(f suppression.RateFigures) int64 { return f.Soft })
	count("block", func(f suppression.RateFigures) int64 { return f.Block })
	count("complaint", func(f suppression.RateFigures) int64 { return f.Complaint })
	rate("bounce rate", func(f suppression.RateFigures) *float64 { return f.BounceRate }, BounceMark)
	rate("complaint rate", func(f suppression.RateFigures) *float64 { return f.ComplaintRate }, ComplaintMark)
	return t
}

// BounceMark names the provider threshold a bounce rate reaches ("" when none).
func BounceMark(r float64) string {
	if r >= SESBounce {
		return "! SES 5%"
	}
	return ""
}

// ComplaintMark names the highest provider threshold a complaint rate reaches.
func ComplaintMark(r float64) string {
	switch {
	case r >= GmailComplaint:
		return "! Gmail 0.3%"
	case r >= SESComplaint:
		return "! SES 0.1%"
	}
	return ""
}
