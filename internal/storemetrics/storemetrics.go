// Package storemetrics keeps the process metrics of the suppression store
// (bouncer_messages_total, bouncer_events_total, bouncer_suppressions*,
// bouncer_record_batch_*, bouncer_receiver_bounces_total, bouncer_stream_*)
// in metrics.Registry: Observer counts what the store reports doing, and
// Refresh and RefreshRates set the gauges read from the database. suppression itself keeps
// no metrics; cmd/bouncer wires the two.
package storemetrics

import (
	"context"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/metrics"
	"github.com/bouncer-mail/bouncer/suppression"
)

// The store's metrics, in metrics.Registry. Labels are bounded: outcome,
// class, reason family and source are fixed sets; no address, domain or
// diagnostic is ever a label.
var (
	messagesTotal = metrics.NewCounterVec("bouncer_messages_total",
		"Mailbox messages handed to Record, by outcome (recorded, duplicate, unparsed, not_report, no_recipient, redacted_complaint).", "outcome")
	eventsTotal = metrics.NewCounterVec("bouncer_events_total",
		"Recipient events recorded, by class and reason family.", "class", "reason_family")
	suppressionsActive = metrics.NewGaugeVec("bouncer_suppressions",
		"Addresses suppressed now, by source; refreshed on an interval, not per scrape.", "source")
	suppressionsAdded = metrics.NewCounterVec("bouncer_suppressions_added_total",
		"Addresses this process suppressed (bounces and complaints it recorded, adds through its API or dashboard), by source.", "source")
	suppressionsRemoved = metrics.NewCounterVec("bouncer_suppressions_removed_total",
		"Suppressions this process lifted by hand (through its API or dashboard), by the source they had.", "source")
	recordBatchSeconds = metrics.NewHistogramVec("bouncer_record_batch_duration_seconds",
		"Time to record one batch of messages (one transaction), successful or not.", metrics.SlowBuckets).WithLabelValues()
	recordBatchMessages = metrics.NewHistogramVec("bouncer_record_batch_messages",
		"Messages in one batch handed to Record.", []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}).WithLabelValues()
)

// Outcomes of bouncer_messages_total.
const (
	metricRecorded  = "recorded"
	metricDuplicate = "duplicate"
	metricUnparsed  = "unparsed"
	metricNotReport = "not_report"         // not a bounce or complaint: left for a person
	metricNoRcpt    = "no_recipient"       // a bounce naming no usable recipient: left for a person
	metricRedacted  = "redacted_complaint" // a complaint whose recipient was redacted: counted, disposed of
)

// sources are the values of the source label, in display order.
var sources = []string{suppression.SourceBounce, suppression.SourceComplaint, suppression.SourceManual, suppression.SourceImport}

func init() {
	for _, o := range []string{metricRecorded, metricDuplicate, metricUnparsed, metricNotReport, metricNoRcpt, metricRedacted} {
		messagesTotal.WithLabelValues(o)
	}
	for _, src := range sources {
		suppressionsActive.WithLabelValues(src)
		suppressionsAdded.WithLabelValues(src)
		suppressionsRemoved.WithLabelValues(src)
	}
}

// Observer counts what a store does; it is a suppression.Observer (set
// it in suppression.Options). Its zero value is ready.
type Observer struct{}

var _ suppression.Observer = Observer{}

// Recorded adds a Record call: its batch size and duration, and (when it
// committed) its messages by outcome, its events by class, reason family
// and receiver, and the addresses it suppressed by source.
func (Observer) Recorded(o suppression.RecordObservation) {
	recordBatchMessages.Observe(float64(o.Messages))
	recordBatchSeconds.Observe(o.Took.Seconds())
	if !o.Committed {
		return
	}
	res := o.Result
	messagesTotal.WithLabelValues(metricRecorded).Add(float64(res.Messages - res.Duplicates - res.Repeated - res.Unparsed - res.NotReports - res.NoRecipientMsgs - res.RedactedComplaints))
	messagesTotal.WithLabelValues(metricRedacted).Add(float64(res.RedactedComplaints))
	messagesTotal.WithLabelValues(metricNotReport).Add(float64(res.NotReports))
	messagesTotal.WithLabelValues(metricNoRcpt).Add(float64(res.NoRecipientMsgs))
	messagesTotal.WithLabelValues(metricDuplicate).Add(float64(res.Duplicates + res.Repeated)) // a copy of a counted notice changed nothing either
	messagesTotal.WithLabelValues(metricUnparsed).Add(float64(res.Unparsed))
	for _, ev := range o.Events {
		eventsTotal.WithLabelValues(string(ev.Class), ReasonFamily(ev.Reason)).Inc()
	}
	receivers.count(o.Events)
	for src, n := range o.NewlyBySource {
		suppressionsAdded.WithLabelValues(src).Add(float64(n))
	}
}

// Suppressed counts an address suppressed by hand.
func (Observer) Suppressed(source string) { suppressionsAdded.WithLabelValues(source).Inc() }

// Lifted counts a suppression lifted by hand, by the source it had.
func (Observer) Lifted(source string) { suppressionsRemoved.WithLabelValues(source).Inc() }

// ReasonFamily groups a reason into a small fixed set for metrics:
// address (the address is dead or unknown), mailbox (the recipient's own
// box or filter), receiver (the receiving system or the path to it),
// reputation (the receiver judged our IP or domain), policy (a rule or
// protocol refused us), content (our message), feedback (a complaint),
// informational (auto-replies, delivery notices), unknown (nothing to
// read), other (anything newer than this table).
func ReasonFamily(r dsn.Reason) string {
	switch r {
	case dsn.ReasonUserUnknown, dsn.ReasonHostUnknown, dsn.ReasonHasMoved, dsn.ReasonNotAccept, dsn.ReasonSuspend:
		return "address"
	case dsn.ReasonMailboxFull, dsn.ReasonFiltered, dsn.ReasonExceedLimit:
		return "mailbox"
	case dsn.ReasonSystemFull, dsn.ReasonSystemError, dsn.ReasonMailerError, dsn.ReasonNetworkError, dsn.ReasonExpired:
		return "receiver"
	case dsn.ReasonBlocked, dsn.ReasonSpamDetected, dsn.ReasonBadReputation, dsn.ReasonRequirePTR,
		dsn.ReasonTooManyConn, dsn.ReasonSpeeding:
		return "reputation"
	case dsn.ReasonPolicyViolation, dsn.ReasonAuthFailure, dsn.ReasonSecurityError, dsn.ReasonRejected,
		dsn.ReasonNoRelaying, dsn.ReasonFailedSTARTTLS, dsn.ReasonSyntaxError:
		return "policy"
	case dsn.ReasonVirusDetected, dsn.ReasonContentError, dsn.ReasonNotCompliantRFC, dsn.ReasonMesgTooBig:
		return "content"
	case dsn.ReasonFeedback, dsn.ReasonUnsubscribe:
		return "feedback"
	case dsn.ReasonVacation, dsn.ReasonDelivered:
		return "informational"
	case dsn.ReasonOnHold, dsn.ReasonUndefined, dsn.ReasonSuppressed:
		return "unknown"
	}
	return "other"
}

// Source is what Refresh reads: the store's counts of active
// suppressions and of failures per receiving domain.
type Source interface {
	ActiveCounts(ctx context.Context, now time.Time) (map[string]int, error)
	ReceiverBounces(ctx context.Context, w suppression.Window) ([]suppression.ReceiverBounces, error)
}

// Refresh sets what /metrics needs from the database: active suppressions
// by source (one query; a source with no entries reads 0), and, every 10
// minutes, the receivers labelled in bouncer_receiver_bounces_total (one
// query). The daemon calls it on an interval, so a scrape never waits on
// the database.
func Refresh(ctx context.Context, s Source, now time.Time) error {
	counts, err := s.ActiveCounts(ctx, now)
	if err != nil {
		return err
	}
	for _, src := range sources {
		suppressionsActive.WithLabelValues(src).Set(float64(counts[src]))
	}
	return refreshReceivers(ctx, s, now)
}
