package suppression

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/metrics"
)

// Load of BenchmarkAPIBesideScrapers.
const (
	benchAPIClients    = 8               // concurrent authenticated API clients, back to back
	benchScrapers      = 200             // concurrent /metrics scrapers
	benchScrapeEvery   = time.Second     // each scraper's interval (200 scrapes/s in all)
	benchPhase         = 3 * time.Second // one measured phase
	benchPhasesPerKind = 3               // alternating phases with and without scrapers
)

// BenchmarkAPIBesideScrapers measures authenticated GET /v1/suppressions/{email}
// throughput on Postgres from benchAPIClients clients, alone and beside
// benchScrapers scrapers of /metrics (each scraping every second over a
// kept-alive connection, from a process of their own as Prometheus
// servers are), in alternating phases so load on a shared machine hits
// both alike. It reports both rates, their ratio and the p99
// latencies:
//
//	go test ./suppression -run '^$' -bench APIBesideScrapers -benchtime 1x
func BenchmarkAPIBesideScrapers(b *testing.B) {
	s := openTest(b, "postgres", Options{})
	addrs := seedBench(b, s)
	defer func(was time.Duration) { metrics.GatherEvery = was }(metrics.GatherEvery)
	metrics.GatherEvery = time.Second // as in production (the tests here turn it off)
	srv := httptest.NewServer(NewHandler(s, HandlerOptions{Token: "t"}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * benchAPIClients, MaxIdleConnsPerHost: benchAPIClients}}
	var alone, beside []phaseResult
	var scrapes []time.Duration
	for range b.N {
		for range benchPhasesPerKind {
			alone = append(alone, measured(s, func() phaseResult { return apiPhase(b, client, srv.URL, addrs) }))
			stop, done := startScrapers(b, srv.URL)
			r := measured(s, func() phaseResult { return apiPhase(b, client, srv.URL, addrs) })
			close(stop)
			beside, scrapes = append(beside, r), append(scrapes, <-done...)
		}
	}
	a, w := medianRate(alone), medianRate(beside)
	b.ReportMetric(a.rate, "alone_req/s")
	b.ReportMetric(w.rate, "scrapers_req/s")
	b.ReportMetric(w.rate/a.rate, "ratio")
	// Per CPU-second of this process (server and API clients) and Postgres: what a CPU-bound server sustains, whatever else the
	// machine runs; and Postgres CPU per request, which scrapes must not add to.
	ca, cw := perCPU(alone), perCPU(beside)
	b.ReportMetric(ca, "alone_req/cpu-s")
	b.ReportMetric(cw, "scrapers_req/cpu-s")
	b.ReportMetric(cw/ca, "cpu_ratio")
	b.ReportMetric(pgPerRequest(alone), "alone_pg_us/req")
	b.ReportMetric(pgPerRequest(beside), "scrapers_pg_us/req")
	b.ReportMetric(float64(a.p99.Microseconds())/1000, "alone_p99_ms")
	b.ReportMetric(float64(w.p99.Microseconds())/1000, "scrapers_p99_ms")
	b.ReportMetric(float64(len(scrapes))/(float64(b.N*benchPhasesPerKind)*benchPhase.Seconds()), "scrapes/s")
	b.ReportMetric(float64(percentile(scrapes, 0.99).Microseconds())/1000, "scrape_p99_ms")
}

// phaseResult is one phase's GET rate and p99 latency, its requests and
// the CPU time this process and Postgres spent.
type phaseResult struct {
	rate       float64
	p99        time.Duration
	requests   float64
	cpu, pgCPU time.Duration
}

// measured runs a phase and adds the CPU it took.
func measured(s *Store, phase func() phaseResult) phaseResult {
	pg, self := serverCPU(nil, s), selfCPU()
	r := phase()
	r.pgCPU = pg()
	r.cpu = r.pgCPU + selfCPU() - self
	r.requests = r.rate * benchPhase.Seconds()
	return r
}

// perCPU is the requests per CPU-second over all phases of rs.
func perCPU(rs []phaseResult) float64 {
	var n float64
	var cpu time.Duration
	for _, r := range rs {
		n, cpu = n+r.requests, cpu+r.cpu
	}
	return n / cpu.Seconds()
}

// pgPerRequest is Postgres CPU per request over all phases of rs, in µs.
func pgPerRequest(rs []phaseResult) float64 {
	var n float64
	var cpu time.Duration
	for _, r := range rs {
		n, cpu = n+r.requests, cpu+r.pgCPU
	}
	return float64(cpu.Microseconds()) / n
}

// apiPhase runs the API clients for benchPhase.
func apiPhase(b *testing.B, client *http.Client, base string, addrs []string) phaseResult {
	var n atomic.Int64
	lat := make([][]time.Duration, benchAPIClients)
	deadline := time.Now().Add(benchPhase)
	var wg sync.WaitGroup
	for c := range benchAPIClients {
		wg.Go(func() {
			for i := c; time.Now().Before(deadline); i += benchAPIClients {
				began := time.Now()
				if code := get(client, base+"/v1/suppressions/"+addrs[i%len(addrs)], "t"); code != 200 && code != 404 {
					b.Errorf("GET = %d", code)
					return
				}
				lat[c] = append(lat[c], time.Since(began))
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return phaseResult{rate: float64(n.Load()) / benchPhase.Seconds(), p99: percentile(slices.Concat(lat...), 0.99)}
}

// startScrapers starts the scrapers in a process of their own (this test
// binary running TestScraperProcess), as Prometheus servers are: their
// client work is not this process's CPU. Closing stop ends them; done then
// yields their scrape times.
func startScrapers(b *testing.B, base string) (stop chan struct{}, done chan []time.Duration) {
	stop, done = make(chan struct{}), make(chan []time.Duration, 1)
	cmd := exec.Command(os.Args[0], "-test.run=^TestScraperProcess$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "BOUNCER_BENCH_SCRAPE_URL="+base+"/metrics")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	lines := bufio.NewReader(stdout)
	if line, err := lines.ReadString('\n'); err != nil || line != "ready\n" {
		b.Fatalf("scraper process: %q, %v", line, err)
	}
	go func() {
		<-stop
		in.Close()
		var out bytes.Buffer
		out.ReadFrom(lines) //nolint:errcheck // a short read shows as missing figures
		if err := cmd.Wait(); err != nil {
			b.Errorf("scraper process: %v\n%s", err, out.String())
		}
		var ds []time.Duration
		for _, f := range strings.Fields(out.String()) {
			if d, err := time.ParseDuration(f); err == nil {
				ds = append(ds, d)
			}
		}
		done <- ds
	}()
	return stop, done
}

// TestScraperProcess is the scraper process of BenchmarkAPIBesideScrapers:
// benchScrapers scrapers of $BOUNCER_BENCH_SCRAPE_URL, each at a random
// offset in its interval, until stdin closes; then it prints each
// scrape's time. Without the variable it does nothing.
func TestScraperProcess(t *testing.T) {
	url := os.Getenv("BOUNCER_BENCH_SCRAPE_URL")
	if url == "" {
		t.Skip("the scraper process of BenchmarkAPIBesideScrapers")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * benchScrapers, MaxIdleConnsPerHost: benchScrapers}}
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	fmt.Println("ready")
	for range benchScrapers {
		wg.Go(func() {
			offset := time.NewTimer(rand.N(benchScrapeEvery))
			defer offset.Stop()
			select {
			case <-stop:
				return
			case <-offset.C:
			}
			tick := time.NewTicker(benchScrapeEvery)
			defer tick.Stop()
			for {
				began := time.Now()
				if code := get(client, url, ""); code != 200 {
					t.Errorf("scrape = %d", code)
				}
				mu.Lock()
				all = append(all, time.Since(began))
				mu.Unlock()
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		})
	}
	wg.Wait()
	for _, d := range all {
		fmt.Println(d)
	}
}

// get sends a GET (with the bearer token unless empty), reads the body and
// returns the status; 0 on a transport error.
func get(client *http.Client, url, token string) int {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// medianRate returns the phase with the median rate.
func medianRate(rs []phaseResult) phaseResult {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b phaseResult) int {
		switch {
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	return rs[len(rs)/2]
}

// percentile returns the p-th latency of ds (sorted in place).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}
