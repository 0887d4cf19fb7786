package notify

import "github.com/bouncer-mail/bouncer/internal/metrics"

// The notifier's metrics, in metrics.Registry.
var (
	reportsTotal = metrics.NewCounterVec("bouncer_reports_total",
		"Daily reports this process tried to send, by result (sent, failed).", "result")
	alertsSentTotal = metrics.NewCounterVec("bouncer_alerts_sent_total",
		"Alert emails sent, by kind (poll_failures, block_cluster, mailbox_silent, bounce_rate, complaint_rate).", "kind")
	alertsFailedTotal = metrics.NewCounterVec("bouncer_alerts_failed_total",
		"Alert emails the mail server did not take (each is tried again at the next check), by kind.", "kind")
)

// alertKinds are the kinds of alert, each a series of
// bouncer_alerts_sent_total and bouncer_alerts_failed_total from start.
var alertKinds = []string{AlertPollFailures, AlertBlockCluster, AlertMailboxSilent, AlertBounceRate, AlertComplaintRate}

func init() {
	for _, r := range []string{"sent", "failed"} {
		reportsTotal.WithLabelValues(r)
	}
	for _, k := range alertKinds {
		alertsSentTotal.WithLabelValues(k)
		alertsFailedTotal.WithLabelValues(k)
	}
}

// observeReport counts one attempt to deliver a report.
func observeReport(err error) {
	if err != nil {
		reportsTotal.WithLabelValues("failed").Inc()
		return
	}
	reportsTotal.WithLabelValues("sent").Inc()
}
