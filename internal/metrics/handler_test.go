package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A scrape within GatherEvery of the last one gets the same encoding;
// after it, or in another format, values are read again.
func TestExpositionCache(t *testing.T) {
	reg := prometheus.NewRegistry()
	n := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_things_total", Help: "Things."})
	reg.MustRegister(n)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(&exposition{g: reg, every: time.Second, now: func() time.Time { return now }})
	defer srv.Close()
	scrape := func(accept string) string {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("Content-Type") + "\n" + string(b)
	}
	if got := scrape(""); !strings.Contains(got, "test_things_total 0\n") || !strings.HasPrefix(got, "text/plain") {
		t.Fatalf("first scrape:\n%s", got)
	}
	n.Inc()
	if got := scrape(""); !strings.Contains(got, "test_things_total 0\n") {
		t.Errorf("scrape within a second = %q, want the cached 0", got)
	}
	om := "application/openmetrics-text;version=1.0.0"
	if got := scrape(om); !strings.Contains(got, "test_things_total 1.0\n") || !strings.Contains(got, "# EOF") {
		t.Errorf("OpenMetrics scrape (its own copy) = %q, want 1 and # EOF", got)
	}
	now = now.Add(time.Second)
	if got := scrape(""); !strings.Contains(got, "test_things_total 1\n") {
		t.Errorf("scrape a second later = %q, want 1", got)
	}
	n.Inc()
	now = now.Add(-time.Hour) // the clock went back: never serve a copy "from the future"
	if got := scrape(""); !strings.Contains(got, "test_things_total 2\n") {
		t.Errorf("scrape after the clock went back = %q, want 2", got)
	}
}

// The metrics token guards the handler; the registry has the Go, process
// and build collectors.
func TestHandlerToken(t *testing.T) {
	srv := httptest.NewServer(Handler("s3cret"))
	defer srv.Close()
	for token, want := range map[string]int{"": 401, "wrong": 401, "s3cret": 200} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("token %q: %d, want %d", token, resp.StatusCode, want)
		}
		if want == 200 {
			for _, f := range []string{"go_goroutines ", "process_resident_memory_bytes ", "go_build_info{"} {
				if !strings.Contains(string(b), "\n"+f) {
					t.Errorf("/metrics lacks %s", f)
				}
			}
		}
	}
}
