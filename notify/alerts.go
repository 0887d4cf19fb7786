package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Alert kinds.
const (
	AlertPollFailures  = "poll_failures"  // a mailbox failed N polls in a row
	AlertBlockCluster  = "block_cluster"  // one receiver's recent bounces are mostly blocks
	AlertMailboxSilent = "mailbox_silent" // a mailbox that used to receive bounces went quiet
)

// AlertOptions set when alerts fire. The zero value is usable; a negative
// FailedPolls, BlockShare or SilentDays turns that alert off.
type AlertOptions struct {
	FailedPolls  int           // consecutive failed polls of one mailbox (default 3)
	BlockShare   float64       // share of one receiver's bounces that are blocks (default 0.2) ...
	BlockMinimum int           // ... with at least this many blocks (default 10)
	BlockWindow  time.Duration // ... in this much time before now (default 1h)
	SilentDays   int           // days without a message from a mailbox that had some (default 3)
	Every        time.Duration // the same alert is sent at most once per Every (default 6h)
	Rates        RateAlertOptions
}

func (o AlertOptions) withDefaults() AlertOptions {
	if o.FailedPolls == 0 {
		o.FailedPolls = 3
	}
	if o.SilentDays == 0 {
		o.SilentDays = 3
	}
	if o.BlockShare == 0 {
		o.BlockShare = 0.2
	}
	o.BlockMinimum = orDefault(o.BlockMinimum, 10)
	if o.BlockWindow <= 0 {
		o.BlockWindow = time.Hour
	}
	if o.Every <= 0 {
		o.Every = 6 * time.Hour
	}
	return o
}

// Alert is one condition worth an email. AlertTemplate renders it.
type Alert struct {
	Kind    string    // AlertPollFailures, AlertBlockCluster, AlertMailboxSilent
	Subject string    // the mailbox or receiver domain it is about
	Count   int       // failed polls, blocks, or silent days
	Total   int       // bounces (block clusters)
	Share   float64   // Count / Total (block clusters)
	Since   time.Time // last successful poll, or last message received
	Detail  string    // last error, or block lists named
	// Receivers are the receivers of a block cluster, by domain: one alert
	// lists them all (Subject, Count, Total, Share and Detail then describe
	// the first, or the whole when there are several).
	Receivers []Receiver
	// Rate describes a bounce or complaint rate alert (Subject is the stream).
	Rate     *RateAlert
	Now      time.Time
	Location *time.Location
}

// Key identifies the alert for rate limiting: its kind and subject, or its
// kind alone for a block cluster, so one mail per interval lists every
// receiver blocking us instead of one mail per receiver.
func (a *Alert) Key() string {
	if a.Kind == AlertBlockCluster {
		return a.Kind
	}
	if a.Rate != nil {
		return a.Kind + ":" + a.Subject + ":" + a.Rate.Level
	}
	return a.Kind + ":" + a.Subject
}

// Time formats t in the alert's time zone; "never" for the zero time.
func (a *Alert) Time(t time.Time) string {
	return (&Report{Location: a.Location}).Time(t)
}

// EvaluateAlerts reads the figures and returns the alerts they call for at
// now, in a stable order. It only reads; rate limiting is the caller's.
func EvaluateAlerts(ctx context.Context, f Figures, now time.Time, loc *time.Location, o AlertOptions) ([]Alert, error) {
	o = o.withDefaults()
	if loc == nil {
		loc = time.UTC
	}
	boxes, err := f.MailboxHealth(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify: alerts: %w", err)
	}
	alerts := mailboxAlerts(boxes, now, o)
	blocks, err := blockAlerts(ctx, f, now, o)
	if err != nil {
		return nil, fmt.Errorf("notify: alerts: %w", err)
	}
	alerts = append(alerts, blocks...)
	rates, err := rateAlerts(ctx, f, now, loc, o.Rates)
	if err != nil {
		return nil, fmt.Errorf("notify: alerts: %w", err)
	}
	alerts = append(alerts, rates...)
	for i := range alerts {
		alerts[i].Now, alerts[i].Location = now, loc
	}
	return alerts, nil
}

func mailboxAlerts(boxes []suppression.MailboxHealth, now time.Time, o AlertOptions) []Alert {
	var out []Alert
	silent := time.Duration(o.SilentDays) * 24 * time.Hour
	for _, b := range boxes {
		if o.FailedPolls > 0 && b.ConsecutiveFailures >= o.FailedPolls {
			out = append(out, Alert{Kind: AlertPollFailures, Subject: b.Mailbox, Count: b.ConsecutiveFailures, Since: b.LastSuccess, Detail: b.LastError})
		}
		if o.SilentDays > 0 && !b.LastReceived.IsZero() && now.Sub(b.LastReceived) >= silent {
			days := int(now.Sub(b.LastReceived) / (24 * time.Hour))
			out = append(out, Alert{Kind: AlertMailboxSilent, Subject: b.Mailbox, Count: days, Since: b.LastReceived})
		}
	}
	return out
}

func blockAlerts(ctx context.Context, f Figures, now time.Time, o AlertOptions) ([]Alert, error) {
	if o.BlockShare < 0 {
		return nil, nil
	}
	w := suppression.Window{From: now.Add(-o.BlockWindow), To: now}
	receivers, err := f.ReceiverBounces(ctx, w)
	if err != nil {
		return nil, err
	}
	var hot []Receiver
	for _, rb := range receivers {
		r := receiverOf(rb, nil)
		if r.Blocks >= o.BlockMinimum && r.Share > o.BlockShare {
			hot = append(hot, r)
		}
	}
	if len(hot) == 0 {
		return nil, nil
	}
	diags, err := f.BlockDiagnostics(ctx, w, maxBlockDiagnostics)
	if err != nil {
		return nil, err
	}
	_, listsOf := groupBlocklists(diags)
	slices.SortFunc(hot, func(a, b Receiver) int { return strings.Compare(a.Domain, b.Domain) })
	a := Alert{Kind: AlertBlockCluster, Subject: hot[0].Domain, Detail: strings.Join(listsOf[hot[0].Domain], ", ")}
	if len(hot) > 1 {
		a.Subject, a.Detail = fmt.Sprintf("%d receivers", len(hot)), ""
	}
	for i := range hot {
		hot[i].Lists = listsOf[hot[i].Domain]
		a.Count += hot[i].Blocks
		a.Total += hot[i].Bounces
	}
	a.Share = float64(a.Count) / float64(a.Total)
	a.Receivers = hot
	return []Alert{a}, nil
}
