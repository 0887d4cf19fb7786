package metrics

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves Registry in the Prometheus text format (or OpenMetrics
// when the scraper asks for it). With a non-empty token a request must
// carry "Authorization: Bearer <token>" (compared in constant time) or is
// answered 401; an empty token serves everyone. Each scrape only reads
// values held in memory.
func Handler(token string) http.Handler {
	h := promhttp.InstrumentMetricHandler(Registry, promhttp.HandlerFor(Registry, promhttp.HandlerOpts{
		Registry:            Registry,
		MaxRequestsInFlight: 16,
	}))
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
