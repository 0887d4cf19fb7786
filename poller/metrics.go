package poller

import (
	"io"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/metrics"
)

// The poller's metrics, in metrics.Registry, labelled by configured
// mailbox name (a bounded set: the config's).
var (
	pollsTotal = metrics.NewCounterVec("bouncer_polls_total",
		"Mailbox poll passes that ran (skipped passes not counted), by mailbox.", "mailbox")
	pollErrorsTotal = metrics.NewCounterVec("bouncer_poll_errors_total",
		"Mailbox poll passes that failed (server, credentials, database), by mailbox.", "mailbox")
	pollSeconds = metrics.NewHistogramVec("bouncer_poll_duration_seconds",
		"Time one poll pass took, by mailbox.", metrics.SlowBuckets, "mailbox")
	pollLastSeconds = metrics.NewGaugeVec("bouncer_poll_last_duration_seconds",
		"Time the last poll pass took, by mailbox.", "mailbox")
	waitingMessages = metrics.NewGaugeVec("bouncer_mailbox_waiting_messages",
		"Messages left in the mailbox after the last poll pass, by mailbox.", "mailbox")
	heldTotal = metrics.NewCounterVec("bouncer_mailbox_held_messages_total",
		"Messages poll passes left for a person (nothing recorded: unparsed, not a report, a bounce without a usable recipient): moved to the failed folder (IMAP) or kept on the server (POP3), by mailbox.", "mailbox")
	keptMessages = metrics.NewGaugeVec("bouncer_mailbox_kept_messages",
		"Messages on a POP3 server after the last pass that bouncer keeps there (left for a person, or remembered with after: flag), by mailbox: they count against the mailbox's quota.", "mailbox")
	lastSuccess = metrics.NewGaugeVec("bouncer_mailbox_last_success_timestamp_seconds",
		"Unix time of the last successful poll pass (by any replica), by mailbox.", "mailbox")
	parseSeconds = metrics.NewHistogramVec("bouncer_parse_duration_seconds",
		"Time to parse one message (messages over 256 KiB are parsed as they stream, read time included).", metrics.FastBuckets).WithLabelValues()
)

// sinceSuccess is the collector of bouncer_mailbox_seconds_since_success.
var sinceSuccess = newSinceCollector()

func init() { metrics.Registry.MustRegister(sinceSuccess) }

// sinceCollector reports, at each scrape, the seconds from the last
// successful pass of each mailbox (or from DeclareMailboxes, when none
// succeeded yet) to now, from values held in memory.
type sinceCollector struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	now  func() time.Time
	last map[string]time.Time
}

func newSinceCollector() *sinceCollector {
	return &sinceCollector{
		desc: prometheus.NewDesc("bouncer_mailbox_seconds_since_success",
			"Seconds since the last successful poll pass of the mailbox (by any replica), or since the process started when none is known.",
			[]string{"mailbox"}, nil),
		now:  time.Now,
		last: map[string]time.Time{},
	}
}

// Describe implements prometheus.Collector.
func (c *sinceCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *sinceCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for mb, t := range c.last {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, max(0, now.Sub(t).Seconds()), mb)
	}
}

// seconds returns mailbox's seconds since success as a scrape would, or
// -1 when it has none.
func (c *sinceCollector) seconds(mailbox string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.last[mailbox]
	if !ok {
		return -1
	}
	return max(0, c.now().Sub(t).Seconds())
}

// note moves mailbox's last success to at unless it knows a later one;
// declare only sets it when none is known.
func (c *sinceCollector) note(mailbox string, at time.Time, declare bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.last[mailbox]
	if declare && ok || !declare && ok && !at.After(t) {
		return
	}
	c.last[mailbox] = at
	if !declare {
		lastSuccess.WithLabelValues(mailbox).Set(float64(at.UnixNano()) / 1e9)
	}
}

// DeclareMailboxes starts the per-mailbox series of the named mailboxes at
// zero, so rate() and the alerts see them before their first pass, and
// counts their time without a successful pass from start. now is the clock
// the seconds-since-success gauge reads at each scrape (nil: time.Now).
func DeclareMailboxes(names []string, start time.Time, now func() time.Time) {
	if now != nil {
		sinceSuccess.mu.Lock()
		sinceSuccess.now = now
		sinceSuccess.mu.Unlock()
	}
	for _, n := range names {
		pollsTotal.WithLabelValues(n)
		pollErrorsTotal.WithLabelValues(n)
		heldTotal.WithLabelValues(n)
		sinceSuccess.note(n, start, true)
	}
}

// NoteSuccess records a successful pass of mailbox at at that another
// replica made (read from the shared status table), so every replica
// reports the same seconds since success; an older time, or a mailbox not
// declared by DeclareMailboxes (no longer configured), changes nothing.
func NoteSuccess(mailbox string, at time.Time) {
	sinceSuccess.mu.Lock()
	_, known := sinceSuccess.last[mailbox]
	sinceSuccess.mu.Unlock()
	if known {
		sinceSuccess.note(mailbox, at, false)
	}
}

// observePass adds one pass that ran (not skipped for a lock or a
// back-off, not cancelled), ending at end.
func observePass(sum Summary, err error, end time.Time) {
	mb := sum.Mailbox
	pollsTotal.WithLabelValues(mb).Inc()
	pollSeconds.WithLabelValues(mb).Observe(sum.Seconds)
	pollLastSeconds.WithLabelValues(mb).Set(sum.Seconds)
	heldTotal.WithLabelValues(mb).Add(float64(sum.Held))
	if err == nil || sum.Waiting > 0 { // a pass that failed before listing knows nothing
		waitingMessages.WithLabelValues(mb).Set(float64(sum.Waiting))
	}
	if err != nil {
		pollErrorsTotal.WithLabelValues(mb).Inc()
		return
	}
	sinceSuccess.note(mb, end, false)
}

// parse is dsn.ParseWithOptions timed in bouncer_parse_duration_seconds.
func parse(r io.Reader, o *dsn.Options) (*dsn.Report, error) {
	began := time.Now() // a duration for the histogram, not a clock reading
	rep, err := dsn.ParseWithOptions(r, o)
	parseSeconds.Observe(time.Since(began).Seconds())
	return rep, err
}
