package metrics

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// GatherEvery is how old the values a scrape returns may be: scrapes
// within it share one gathering and encoding of the registry. Tests that
// read a value right after changing it set it to 0 (no caching).
var GatherEvery = time.Second

// Handler serves Registry in the Prometheus text format (or OpenMetrics
// when the scraper asks for it). With a non-empty token a request must
// carry "Authorization: Bearer <token>" (compared in constant time) or is
// answered 401; an empty token serves everyone. A scrape only reads
// values held in memory, gathered and encoded at most once per
// GatherEvery and format however many scrapers ask.
func Handler(token string) http.Handler {
	c := &exposition{g: Registry, every: GatherEvery, now: time.Now}
	h := promhttp.InstrumentMetricHandler(Registry, c)
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Bearer(r, want) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bouncer metrics"`)
			http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// exposition serves the encoded registry, encoding it again only when the
// copy for the negotiated format is older than every: encoding 120
// samples costs about 90 µs of CPU, 200 scrapers a second would pay that
// 200 times, a cached copy only once.
type exposition struct {
	g     prometheus.Gatherer
	every time.Duration
	now   func() time.Time

	mu     sync.Mutex
	bodies map[expfmt.Format]*encoded
}

// encoded is one format's exposition and when it was made.
type encoded struct {
	at   time.Time
	body []byte
}

func (e *exposition) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
	body, err := e.body(format)
	if err != nil {
		http.Error(w, "metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", string(format))
	w.Write(body) //nolint:errcheck // the scraper went away
}

// body returns format's exposition, encoding it when the cached one is
// older than every (or the clock went back).
func (e *exposition) body(format expfmt.Format) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if c := e.bodies[format]; c != nil && e.every > 0 && now.Sub(c.at) < e.every && !now.Before(c.at) {
		return c.body, nil
	}
	fams, err := e.g.Gather()
	if err != nil {
		return nil, fmt.Errorf("gather: %w", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, format)
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("encode %s: %w", f.GetName(), err)
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		if err := c.Close(); err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
	}
	if e.bodies == nil {
		e.bodies = map[expfmt.Format]*encoded{}
	}
	e.bodies[format] = &encoded{at: now, body: buf.Bytes()}
	return buf.Bytes(), nil
}

// Bearer reports whether r carries "Authorization: Bearer <token>" whose
// SHA-256 is want, compared in constant time (of hashes, so the token's
// length does not leak either).
func Bearer(r *http.Request, want [32]byte) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
	return ok && subtle.ConstantTimeCompare(sum[:], want[:]) == 1
}

// httpDuration is bouncer_http_request_duration_seconds: route is the
// pattern a request matched (never its raw path), code its status.
var httpDuration = With.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "bouncer_http_request_duration_seconds",
	Help:    "Time to answer an HTTP request, by route pattern, method and status code.",
	Buckets: FastBuckets,
}, []string{"route", "method", "code"})

// Unmatched is the route label of requests no pattern matched (404, 405).
const Unmatched = "unmatched"

// InstrumentRoute observes every request h answers in
// bouncer_http_request_duration_seconds under route, which must be a
// pattern (such as "GET /v1/suppressions/{email}"), never a raw path, so
// the label set stays bounded.
func InstrumentRoute(route string, h http.Handler) http.Handler {
	return promhttp.InstrumentHandlerDuration(httpDuration.MustCurryWith(prometheus.Labels{"route": route}), h)
}
