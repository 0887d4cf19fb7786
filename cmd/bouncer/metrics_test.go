package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/storemetrics"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// scrapeTarget is a running bouncer's /metrics.
type scrapeTarget struct {
	t           *testing.T
	url, token  string
	body        []byte
	families    map[string]*dto.MetricFamily
	lastFailure string
}

// scrape GETs /metrics with the token and parses it; false (the reason in
// lastFailure) while the server is not answering yet.
func (s *scrapeTarget) scrape(token string) bool {
	req, err := http.NewRequest("GET", s.url+"/metrics", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.lastFailure = err.Error()
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		s.lastFailure = fmt.Sprintf("status %d, %v", resp.StatusCode, err)
		return false
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		s.t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	s.body, s.families = body, fams
	return true
}

// value returns the sample of family name whose labels include want
// (name=value pairs), summed over the samples that match; a histogram
// gives its count.
func (s *scrapeTarget) value(name string, want ...string) float64 {
	f := s.families[name]
	if f == nil {
		return -1
	}
	sum := 0.0
	for _, m := range f.GetMetric() {
		if hasLabels(m, want) {
			sum += sampleValue(m)
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, want []string) bool {
	have := map[string]string{}
	for _, l := range m.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for i := 0; i+1 < len(want); i += 2 {
		if have[want[i]] != want[i+1] {
			return false
		}
	}
	return true
}

func sampleValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

// freeLoopbackAddr returns a 127.0.0.1 address nothing listens on now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ourFamilies are the metric families bouncer exposes from start, with the
// standard collectors' that the dashboard and alerts use.
var ourFamilies = []string{
	"bouncer_messages_total", "bouncer_events_total", "bouncer_suppressions",
	"bouncer_suppressions_added_total", "bouncer_suppressions_removed_total",
	"bouncer_record_batch_duration_seconds", "bouncer_record_batch_messages", "bouncer_parse_duration_seconds",
	"bouncer_polls_total", "bouncer_poll_errors_total", "bouncer_poll_duration_seconds", "bouncer_poll_last_duration_seconds",
	"bouncer_mailbox_waiting_messages", "bouncer_mailbox_held_messages_total", "bouncer_mailbox_last_success_timestamp_seconds", "bouncer_mailbox_seconds_since_success",
	"bouncer_http_request_duration_seconds", "bouncer_reports_total", "bouncer_alerts_sent_total", "bouncer_alerts_failed_total",
	"bouncer_receiver_bounces_total", "go_build_info", "go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
}

// runWithMetrics starts `bouncer run` on e's config with the HTTP server
// on a free loopback port, /metrics behind token, gauges refreshed every
// second, and returns its scrape target once the corpus is recorded and
// the pass counted.
func runWithMetrics(t *testing.T, e *pollEnv, token string) *scrapeTarget {
	t.Helper()
	addr := freeLoopbackAddr(t)
	tokenFile := filepath.Join(t.TempDir(), "metrics-token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := readString(t, e.config) + fmt.Sprintf("http:\n  listen: %s\n  metrics_token_file: %s\n  metrics_interval: 1s\n", addr, tokenFile)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bouncerBinary(t), "run", "--config", e.config)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { terminate(t, cmd, &out) })
	s := &scrapeTarget{t: t, url: "http://" + addr, token: token}
	waitFor(t, "the corpus recorded", func() bool { return e.ledgerRows() == len(corpusNames) })
	waitFor(t, "the pass counted in /metrics", func() bool {
		return s.scrape(token) && s.value("bouncer_polls_total", "mailbox", "main") >= 1
	})
	return s
}

// TestMetricsRun scrapes a real `bouncer run` after it polled the test
// corpus from Dovecot: every family is exposed, the values agree with what
// the database holds, the token guards /metrics, and promtool accepts the
// exposition.
func TestMetricsRun(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	e.deliverCorpus(t)
	store, err := suppression.Open(context.Background(), e.dbURL, suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// Enough volume for the stream the corpus's bounces fall in to have
	// rates (the rate alert rules query them).
	if _, err := store.AddSent(context.Background(), []suppression.Sent{{Stream: suppression.DefaultStream, Count: 100000}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	s := runWithMetrics(t, e, "scrape-secret")
	active, err := store.ActiveCounts(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bouncer_suppressions refreshed", func() bool {
		return s.scrape(s.token) && s.value("bouncer_suppressions", "source", "bounce") == float64(active["bounce"])
	})
	if s.scrape("") || !strings.Contains(s.lastFailure, "401") {
		t.Errorf("/metrics without the token: %s, want 401", s.lastFailure)
	}
	get, err := http.Get(s.url + "/v1/suppressions")
	if err != nil || get.StatusCode != 200 {
		t.Fatalf("GET /v1/suppressions: %v %v", get, err)
	}
	get.Body.Close()
	// A scrape may return the exposition encoded up to a second earlier.
	route := []string{"route", "GET /v1/suppressions", "code", "200", "method", "get"}
	waitFor(t, "the API request counted", func() bool {
		return s.scrape(s.token) && s.value("bouncer_http_request_duration_seconds", route...) >= 1
	})
	for _, f := range ourFamilies {
		if s.families[f] == nil {
			t.Errorf("/metrics lacks the family %s", f)
		}
	}
	checkMessageMetrics(t, e, s)
	checkEventMetrics(t, e, s)
	checkPollMetrics(t, s, active)
	if got := s.value("go_build_info", "path", "github.com/bouncer-mail/bouncer"); got != 1 {
		t.Errorf(`go_build_info{path="github.com/bouncer-mail/bouncer"} = %g, want 1 (BouncerRestarting selects on it)`, got)
	}
	checkQueriedMetricsExposed(t, s.families)
	t.Run("promtool", func(t *testing.T) { promtoolCheckMetrics(t, s.body) })
}

func checkMessageMetrics(t *testing.T, e *pollEnv, s *scrapeTarget) {
	t.Helper()
	quarantined := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'quarantined'`)
	notReports := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'not_report'`)
	noRecipient := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'no_recipient'`)
	redacted := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'redacted_complaint'`)
	rows := e.count(t, `SELECT count(*) FROM processed_messages`)
	if notReports == 0 {
		t.Errorf("the corpus left no not_report in the ledger: the test cannot tell the outcomes apart")
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   int
	}{
		{"bouncer_messages_total", []string{"outcome", "recorded"}, rows - quarantined - notReports - noRecipient - redacted},
		{"bouncer_messages_total", []string{"outcome", "redacted_complaint"}, redacted},
		{"bouncer_mailbox_held_messages_total", []string{"mailbox", "main"}, quarantined + notReports + noRecipient},
		{"bouncer_messages_total", []string{"outcome", "unparsed"}, quarantined},
		{"bouncer_messages_total", []string{"outcome", "not_report"}, notReports},
		{"bouncer_messages_total", []string{"outcome", "no_recipient"}, noRecipient},
		{"bouncer_messages_total", []string{"outcome", "duplicate"}, 0},
		{"bouncer_parse_duration_seconds", nil, rows},
		{"bouncer_record_batch_messages", nil, 1}, // one batch of six
		{"bouncer_record_batch_duration_seconds", nil, 1},
		{"bouncer_http_request_duration_seconds", []string{"route", "GET /v1/suppressions", "code", "200", "method", "get"}, 1},
	} {
		if got := s.value(c.name, c.labels...); got != float64(c.want) {
			t.Errorf("%s%v = %g, want %d", c.name, c.labels, got, c.want)
		}
	}
	if rows != len(corpusNames) {
		t.Errorf("the ledger holds %d messages, want the corpus's %d", rows, len(corpusNames))
	}
}

// checkEventMetrics compares bouncer_events_total with bounce_events, by
// class and reason family.
func checkEventMetrics(t *testing.T, e *pollEnv, s *scrapeTarget) {
	t.Helper()
	rows, err := e.db.Query(`SELECT class, reason, count(*) FROM bounce_events GROUP BY class, reason`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[[2]string]int{}
	for rows.Next() {
		var class, reason string
		var n int
		if err := rows.Scan(&class, &reason, &n); err != nil {
			t.Fatal(err)
		}
		want[[2]string{class, storemetrics.ReasonFamily(dsn.Reason(reason))}] += n
	}
	if len(want) < 4 {
		t.Errorf("the corpus gave events of %d class/family pairs, want at least 4 (hard, soft, block, complaint)", len(want))
	}
	total := 0
	for k, n := range want {
		total += n
		if got := s.value("bouncer_events_total", "class", k[0], "reason_family", k[1]); got != float64(n) {
			t.Errorf("bouncer_events_total{class=%q,reason_family=%q} = %g, want %d (bounce_events)", k[0], k[1], got, n)
		}
	}
	if got := s.value("bouncer_events_total"); got != float64(total) {
		t.Errorf("bouncer_events_total summed = %g, want %d", got, total)
	}
}

func checkPollMetrics(t *testing.T, s *scrapeTarget, active map[string]int) {
	t.Helper()
	if got := s.value("bouncer_poll_errors_total", "mailbox", "main"); got != 0 {
		t.Errorf("bouncer_poll_errors_total{mailbox=main} = %g, want 0", got)
	}
	if got := s.value("bouncer_poll_duration_seconds", "mailbox", "main"); got != s.value("bouncer_polls_total", "mailbox", "main") {
		t.Errorf("bouncer_poll_duration_seconds_count = %g, want the polls (%g)", got, s.value("bouncer_polls_total", "mailbox", "main"))
	}
	if got := s.value("bouncer_mailbox_seconds_since_success", "mailbox", "main"); got < 0 || got > 60 {
		t.Errorf("bouncer_mailbox_seconds_since_success{mailbox=main} = %g, want a few seconds", got)
	}
	if got := s.value("bouncer_mailbox_waiting_messages", "mailbox", "main"); got != 0 {
		t.Errorf("bouncer_mailbox_waiting_messages{mailbox=main} = %g, want 0 after a full pass", got)
	}
	added := s.value("bouncer_suppressions_added_total", "source", "bounce") + s.value("bouncer_suppressions_added_total", "source", "complaint")
	if want := active["bounce"] + active["complaint"]; added != float64(want) || want == 0 {
		t.Errorf("bouncer_suppressions_added_total (bounce+complaint) = %g, want %d (active in the database)", added, want)
	}
	for _, src := range []string{"bounce", "complaint", "manual", "import"} {
		if got := s.value("bouncer_suppressions", "source", src); got != float64(active[src]) {
			t.Errorf("bouncer_suppressions{source=%q} = %g, want %d", src, got, active[src])
		}
	}
	if s.value("process_resident_memory_bytes") <= 0 || s.value("go_goroutines") <= 0 {
		t.Errorf("process_resident_memory_bytes %g, go_goroutines %g; want both > 0",
			s.value("process_resident_memory_bytes"), s.value("go_goroutines"))
	}
}

// promtoolCheckMetrics runs `promtool check metrics` (its lint of names,
// units and help) on an exposition.
func promtoolCheckMetrics(t *testing.T, body []byte) {
	cmd := exec.Command(testenv.Promtool(t), "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
