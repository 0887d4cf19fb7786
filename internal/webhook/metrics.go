package webhook

import (
	"time"

	"github.com/bouncer-mail/bouncer/internal/metrics"
	"github.com/bouncer-mail/bouncer/suppression"
)

// The dispatcher's metrics, labelled by endpoint name (the config's).
var (
	delivered = metrics.NewCounterVec("bouncer_webhook_deliveries_total",
		"Webhook delivery attempts by endpoint and outcome: sent, failed (to be retried) or dead (given up).", "endpoint", "outcome")
	sendSeconds = metrics.NewHistogramVec("bouncer_webhook_send_duration_seconds",
		"Time one webhook attempt took, by endpoint.", metrics.FastBuckets, "endpoint")
	queuePending = metrics.NewGaugeVec("bouncer_webhook_queue_pending",
		"Webhook deliveries waiting to be sent, by endpoint.", "endpoint")
	queueDead = metrics.NewGaugeVec("bouncer_webhook_queue_dead",
		"Webhook deliveries given up (dead) and not redelivered, by endpoint.", "endpoint")
	queueAge = metrics.NewGaugeVec("bouncer_webhook_queue_age_seconds",
		"Age of the oldest webhook delivery waiting to be sent, by endpoint; 0 when none waits.", "endpoint")
)

// ObserveQueue sets the queue gauges of the endpoints named from stats
// (suppression.Store.OutboxStats) at now; an endpoint without a row has
// an empty queue.
func ObserveQueue(endpoints []string, stats []suppression.OutboxStat, now time.Time) {
	by := map[string]suppression.OutboxStat{}
	for _, s := range stats {
		by[s.Endpoint] = s
	}
	for _, name := range endpoints {
		s := by[name]
		queuePending.WithLabelValues(name).Set(float64(s.Pending))
		queueDead.WithLabelValues(name).Set(float64(s.Dead))
		age := 0.0
		if s.OldestQueued != nil {
			age = max(now.Sub(*s.OldestQueued).Seconds(), 0)
		}
		queueAge.WithLabelValues(name).Set(age)
	}
}
