package suppression

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Metrics holds the process's counters for /metrics. A Store feeds it from
// Record and RecordPoll; others may add to it. Safe for concurrent use.
type Metrics struct {
	mu       sync.Mutex
	messages map[string]int64    // by outcome: recorded, duplicate, unparsed
	events   map[dsn.Class]int64 // recipient events written, by class
	polls    map[string]*pollStats
}

type pollStats struct {
	count, errors    int64
	seconds, lastSec float64
	waiting          int64
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{messages: map[string]int64{}, events: map[dsn.Class]int64{}, polls: map[string]*pollStats{}}
}

// recorded adds a Record result.
func (m *Metrics) recorded(r Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.messages["recorded"] += int64(r.Messages - r.Duplicates - r.Unparsed)
	m.messages["duplicate"] += int64(r.Duplicates)
	m.messages["unparsed"] += int64(r.Unparsed)
	for c, n := range r.ByClass {
		m.events[c] += int64(n)
	}
}

// ObservePoll adds one poll of a mailbox: its duration, whether it failed,
// and the messages left waiting.
func (m *Metrics) ObservePoll(mailbox string, d time.Duration, failed bool, waiting int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.polls[mailbox]
	if p == nil {
		p = &pollStats{}
		m.polls[mailbox] = p
	}
	p.count++
	if failed {
		p.errors++
	}
	p.seconds += d.Seconds()
	p.lastSec = d.Seconds()
	p.waiting = int64(waiting)
}

// WriteTo writes the counters in the Prometheus text format (version
// 0.0.4), sorted for stable output.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pw := &promWriter{w: w}
	pw.family("bouncer_messages_total", "counter", "Mailbox messages handed to Record, by outcome.")
	for _, k := range sortedKeys(m.messages) {
		pw.sample("bouncer_messages_total", float64(m.messages[k]), "outcome", k)
	}
	pw.family("bouncer_events_total", "counter", "Recipient events recorded, by class.")
	for _, c := range []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock, dsn.ClassComplaint, dsn.ClassIgnore} {
		pw.sample("bouncer_events_total", float64(m.events[c]), "class", string(c))
	}
	pw.family("bouncer_polls_total", "counter", "Mailbox polls, by mailbox.")
	pw.family("bouncer_poll_errors_total", "counter", "Failed mailbox polls, by mailbox.")
	pw.family("bouncer_poll_duration_seconds", "summary", "Time spent polling, by mailbox.")
	pw.family("bouncer_poll_last_duration_seconds", "gauge", "Duration of the last poll, by mailbox.")
	pw.family("bouncer_mailbox_waiting_messages", "gauge", "Messages left in the mailbox after the last poll.")
	names := sortedKeys(m.polls)
	for _, n := range names {
		p := m.polls[n]
		pw.sample("bouncer_polls_total", float64(p.count), "mailbox", n)
		pw.sample("bouncer_poll_errors_total", float64(p.errors), "mailbox", n)
		pw.sample("bouncer_poll_duration_seconds_sum", p.seconds, "mailbox", n)
		pw.sample("bouncer_poll_duration_seconds_count", float64(p.count), "mailbox", n)
		pw.sample("bouncer_poll_last_duration_seconds", p.lastSec, "mailbox", n)
		pw.sample("bouncer_mailbox_waiting_messages", float64(p.waiting), "mailbox", n)
	}
	return pw.n, pw.err
}

// promWriter writes Prometheus text lines, keeping the first error.
type promWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (p *promWriter) printf(format string, args ...any) {
	if p.err != nil {
		return
	}
	n, err := fmt.Fprintf(p.w, format, args...)
	p.n += int64(n)
	p.err = err
}

func (p *promWriter) family(name, typ, help string) {
	p.printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// sample writes one sample with label pairs (name, value, name, value…).
func (p *promWriter) sample(name string, v float64, labels ...string) {
	ls := ""
	for i := 0; i+1 < len(labels); i += 2 {
		if ls != "" {
			ls += ","
		}
		ls += labels[i] + `="` + labelEscaper.Replace(labels[i+1]) + `"`
	}
	if ls != "" {
		ls = "{" + ls + "}"
	}
	p.printf("%s%s %g\n", name, ls, v)
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// writeActiveCounts writes the bouncer_suppressions gauge.
func writeActiveCounts(w io.Writer, counts map[string]int) {
	pw := &promWriter{w: w}
	pw.family("bouncer_suppressions", "gauge", "Addresses suppressed now, by source.")
	for _, src := range []string{SourceBounce, SourceComplaint, SourceManual, SourceImport} {
		pw.sample("bouncer_suppressions", float64(counts[src]), "source", src)
	}
}
