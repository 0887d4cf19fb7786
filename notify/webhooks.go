package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// WebhookHealth is one webhook endpoint's queue in the report's health
// section.
type WebhookHealth struct {
	Endpoint string
	DeadDay  int // deliveries given up (dead) during the report's day, not redelivered since
	Dead     int // every dead delivery, waiting for `bouncer webhooks redeliver`
	Pending  int // deliveries waiting to be sent or retried
	// OldestPending is how long the oldest pending delivery had waited
	// when the report was built; 0 when none waits.
	OldestPending time.Duration
}

// Age formats OldestPending for a person: "3d 4h", "2h 5m", "12m", "40s".
func (w WebhookHealth) Age() string {
	d := w.OldestPending.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// loadWebhooks reads the endpoints' queues: every endpoint named in the
// options (configured), with or without deliveries, and any other that
// has some (one removed from the configuration keeps its queue).
func (r *Report) loadWebhooks(ctx context.Context, f Figures, o ReportOptions) error {
	stats, err := f.OutboxHealth(ctx, r.Window)
	if err != nil {
		return err
	}
	by := map[string]suppression.OutboxStat{}
	for _, s := range stats {
		by[s.Endpoint] = s
	}
	names := append([]string(nil), o.Webhooks...)
	for _, s := range stats {
		if !slices.Contains(o.Webhooks, s.Endpoint) {
			names = append(names, s.Endpoint)
		}
	}
	for _, name := range names {
		s := by[name]
		h := WebhookHealth{Endpoint: name, DeadDay: s.DeadIn, Dead: s.Dead, Pending: s.Pending}
		if s.OldestQueued != nil {
			h.OldestPending = max(r.Generated.Sub(*s.OldestQueued), 0)
		}
		r.Webhooks = append(r.Webhooks, h)
	}
	return nil
}

// WebhooksDead is the dead deliveries of every endpoint together.
func (r *Report) WebhooksDead() int {
	n := 0
	for _, w := range r.Webhooks {
		n += w.Dead
	}
	return n
}
