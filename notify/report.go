package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/calday"
	"github.com/bouncer-mail/bouncer/suppression"
)

// ReportOptions tune what a report shows. The zero value is usable.
type ReportOptions struct {
	Location        *time.Location // the day's time zone; nil means UTC
	MaxListed       int            // newly suppressed addresses listed in the body (default 50; all go in the CSV)
	TopN            int            // rows of each ranking (default 10)
	RefuseShare     float64        // a receiver whose bounces are at least this share blocks gets a sentence (default 0.2)
	RefuseMinimum   int            // ... and at least this many blocks (default 10)
	UnparsedSamples int            // messages shown of each kind left for a person (default 5)
	MinVolume       int64          // fewest sent before a rate is shown (default suppression.DefaultMinVolume)
	// Webhooks are the configured webhook endpoints, shown in the health
	// section even when their queue is empty.
	Webhooks []string
}

func (o ReportOptions) withDefaults() ReportOptions {
	if o.Location == nil {
		o.Location = time.UTC
	}
	o.MaxListed = orDefault(o.MaxListed, 50)
	o.TopN = orDefault(o.TopN, 10)
	o.RefuseMinimum = orDefault(o.RefuseMinimum, 10)
	o.UnparsedSamples = orDefault(o.UnparsedSamples, 5)
	if o.RefuseShare <= 0 {
		o.RefuseShare = 0.2
	}
	return o
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

// Report is everything the templates show for one day.
type Report struct {
	Day       time.Time          // local midnight that starts the day
	Window    suppression.Window // [Day, next local midnight)
	Location  *time.Location
	Generated time.Time // when it was built
	Late      bool      // sent after its scheduled time (the daemon was down)
	Scheduled time.Time // when it was due; zero when asked for by hand

	Metrics []Metric // headline figures in a fixed order

	NewlySuppressed      []suppression.NewSuppression // every address (the CSV)
	NewlySuppressedShown []suppression.NewSuppression // the first MaxListed (the body)

	TopReasons []Bar
	TopDomains []Bar
	TopMTAs    []Bar

	BlocksByReceiver []Receiver // receivers with blocks, most blocks first
	BlocksByList     []Bar      // block events by the block list their diagnostic names
	Refusing         []Receiver // receivers refusing much of our mail (a sentence each)

	Complaints []Bar // by feedback provider and type
	// Unattributed counts complaints that named no usable recipient, by
	// provider: nothing was recorded for them.
	Unattributed []suppression.Count

	Unparsed        int
	UnparsedSamples []suppression.UnparsedMessage
	// Held are the kinds of message nothing was recorded for, left for a
	// person (in the failed folder, or on a POP3 server): could not be
	// parsed, not a bounce or complaint, no usable recipient; always
	// three, in that order.
	Held []HeldKind

	Mailboxes []suppression.MailboxHealth
	Webhooks  []WebhookHealth // configured endpoints and any with deliveries; none: the section is left out

	Rates     []StreamRates // a table per stream, then all streams; none when nothing was sent or bounced in 30 days
	MinVolume int64         // fewest sent before a rate is shown
}

// HeldKind is one kind of message left for a person: how many came on the
// day, and the newest few.
type HeldKind struct {
	Outcome string // suppression.OutcomeQuarantined, OutcomeNotReport or OutcomeNoRecipient
	Label   string // what the report calls them
	N       int
	Samples []suppression.UnparsedMessage
}

// HeldTotal is the number of messages left for a person on the day.
func (r *Report) HeldTotal() int {
	n := 0
	for _, k := range r.Held {
		n += k.N
	}
	return n
}

// Metric is one headline figure for the day, the day before, and the daily
// average of the seven days before the day.
type Metric struct {
	Key  string // messages, hard, soft, block, complaint, ignore, unparsed, suppressed
	Day  int
	Prev int
	Avg7 float64
}

// Bar is one row of a ranking; Percent is its length relative to the
// longest row (1–100).
type Bar struct {
	Label   string
	N       int
	Percent int
}

// Receiver is one recipient domain's blocks.
type Receiver struct {
	Domain  string
	Blocks  int
	Bounces int
	Share   float64 // Blocks / Bounces
	Lists   []string
}

// DayOf returns the start of the day t falls on in loc: the first instant
// whose local date is that day, which is 01:00 where the clocks skip
// midnight (see internal/calday).
func DayOf(t time.Time, loc *time.Location) time.Time { return calday.StartOf(t, loc) }

// dayWindow is the window of n local days, the first the one day falls on;
// it runs from that day's start to the start of the day after the last, so
// DST days are 23 or 25 hours long.
func dayWindow(day time.Time, n int, loc *time.Location) suppression.Window {
	return suppression.Window{From: calday.StartOf(day, loc), To: calday.AddDays(day, n, loc)}
}

// Build reads the figures for the local day containing day and returns the
// report. It only reads.
func Build(ctx context.Context, f Figures, day time.Time, now time.Time, opts ReportOptions) (*Report, error) {
	opts = opts.withDefaults()
	day = DayOf(day, opts.Location)
	r := &Report{Day: day, Window: dayWindow(day, 1, opts.Location), Location: opts.Location, Generated: now}
	steps := []func(context.Context, Figures, ReportOptions) error{
		r.loadMetrics, r.loadSuppressed, r.loadTops, r.loadBlocks, r.loadComplaints, r.loadUnparsed, r.loadMailboxes, r.loadWebhooks, r.loadRates,
	}
	for _, step := range steps {
		if err := step(ctx, f, opts); err != nil {
			return nil, fmt.Errorf("notify: report for %s: %w", day.Format(time.DateOnly), err)
		}
	}
	return r, nil
}

// metricKeys are the headline figures in the order the templates show them.
var metricKeys = []string{"messages", "hard", "soft", "block", "complaint", "ignore", "unparsed", "suppressed"}

func metricValue(t suppression.Totals, key string) int {
	switch key {
	case "messages":
		return t.Messages
	case "unparsed":
		return t.Unparsed
	case "suppressed":
		return t.NewlySuppressed
	}
	return t.ByClass[dsn.Class(key)]
}

func (r *Report) loadMetrics(ctx context.Context, f Figures, _ ReportOptions) error {
	windows := []suppression.Window{r.Window, dayWindow(calday.AddDays(r.Day, -1, r.Location), 1, r.Location), dayWindow(calday.AddDays(r.Day, -7, r.Location), 7, r.Location)}
	totals := make([]suppression.Totals, len(windows))
	for i, w := range windows {
		t, err := f.Totals(ctx, w)
		if err != nil {
			return err
		}
		totals[i] = t
	}
	for _, k := range metricKeys {
		r.Metrics = append(r.Metrics, Metric{
			Key:  k,
			Day:  metricValue(totals[0], k),
			Prev: metricValue(totals[1], k),
			Avg7: float64(metricValue(totals[2], k)) / 7,
		})
	}
	r.Unparsed = totals[0].Unparsed
	r.Held = []HeldKind{
		{Outcome: suppression.OutcomeQuarantined, Label: "could not be parsed", N: totals[0].Unparsed},
		{Outcome: suppression.OutcomeNotReport, Label: "not a bounce or complaint", N: totals[0].NotReports},
		{Outcome: suppression.OutcomeNoRecipient, Label: "no usable recipient", N: totals[0].NoRecipient},
	}
	return nil
}

// Metric returns the headline figure named key (zero when unknown).
func (r *Report) Metric(key string) Metric {
	for _, m := range r.Metrics {
		if m.Key == key {
			return m
		}
	}
	return Metric{Key: key}
}

func (r *Report) loadSuppressed(ctx context.Context, f Figures, o ReportOptions) error {
	all, err := f.NewSuppressions(ctx, r.Window, 0)
	if err != nil {
		return err
	}
	r.NewlySuppressed = all
	r.NewlySuppressedShown = causeOnly(all[:min(len(all), o.MaxListed)])
	return nil
}

// causeOnly returns rows whose status and diagnostic are dropped where they
// are the last event's and it has another reason than the suppression's (a
// soft bounce after the complaint that suppressed the address): under the
// suppression's reason they would read as its cause. The CSV keeps them,
// under last_status and last_diagnostic.
func causeOnly(rows []suppression.NewSuppression) []suppression.NewSuppression {
	out := slices.Clone(rows)
	for i, n := range out {
		if n.LastReason != n.Reason {
			out[i].Status, out[i].Diagnostic = "", ""
		}
	}
	return out
}

func (r *Report) loadTops(ctx context.Context, f Figures, o ReportOptions) error {
	for _, t := range []struct {
		by  suppression.Dimension
		dst *[]Bar
	}{{suppression.ByReason, &r.TopReasons}, {suppression.ByDomain, &r.TopDomains}, {suppression.ByRemoteMTA, &r.TopMTAs}} {
		limit := o.TopN
		if t.by == suppression.ByRemoteMTA {
			limit = 0 // ranked again once the forms of one server are merged
		}
		rows, err := f.Top(ctx, r.Window, t.by, limit)
		if err != nil {
			return err
		}
		if t.by == suppression.ByRemoteMTA {
			rows = mergeMTAs(rows, o.TopN)
		}
		*t.dst = bars(rows)
	}
	return nil
}

func (r *Report) loadComplaints(ctx context.Context, f Figures, o ReportOptions) error {
	rows, err := f.Complaints(ctx, r.Window, o.TopN)
	if err != nil {
		return err
	}
	counts := make([]suppression.Count, 0, len(rows))
	for _, c := range rows {
		label := c.Provider
		if c.FeedbackType != "" {
			label += " (" + c.FeedbackType + ")"
		}
		counts = append(counts, suppression.Count{Key: label, N: c.N})
	}
	r.Complaints = bars(counts)
	r.Unattributed, err = f.UnattributedComplaints(ctx, r.Window)
	return err
}

// loadUnparsed reads the newest few messages of each held kind (loadMetrics
// made r.Held).
func (r *Report) loadUnparsed(ctx context.Context, f Figures, o ReportOptions) error {
	for i := range r.Held {
		if r.Held[i].N == 0 {
			continue
		}
		rows, err := f.HeldMessages(ctx, r.Window, r.Held[i].Outcome, o.UnparsedSamples)
		if err != nil {
			return err
		}
		r.Held[i].Samples = rows
	}
	r.UnparsedSamples = r.Held[0].Samples
	return nil
}

func (r *Report) loadMailboxes(ctx context.Context, f Figures, _ ReportOptions) error {
	rows, err := f.MailboxHealth(ctx)
	r.Mailboxes = rows
	return err
}

// bars turns a ranking into bars scaled to its longest row.
func bars(rows []suppression.Count) []Bar {
	top := 0
	for _, c := range rows {
		top = max(top, c.N)
	}
	out := make([]Bar, 0, len(rows))
	for _, c := range rows {
		out = append(out, Bar{Label: c.Key, N: c.N, Percent: percentOf(c.N, top)})
	}
	return out
}

// percentOf is n as a whole percentage of total, at least 1 when n > 0.
func percentOf(n, total int) int {
	if n <= 0 || total <= 0 {
		return 0
	}
	return max(1, n*100/total)
}
