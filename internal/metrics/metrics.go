// Package metrics holds bouncer's Prometheus registry: the one place every
// package registers its counters, gauges and histograms, and the handler
// that serves them at /metrics.
//
// Registry is a registry of our own, not client_golang's global one, so a
// library that registers in the global registry never shows up here. It
// starts with the Go runtime, process and build-info (go_build_info)
// collectors. The package imports
// nothing of ours: suppression, poller, notify (and any later package)
// build their metrics with With at package level, and none of them has
// to import another to do so. Metric values live in memory; nothing here
// touches a database, so a scrape costs no query.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Registry is the registry /metrics serves: the Go runtime and process
// collectors plus every metric made with With.
var Registry = newRegistry()

// With makes metrics registered in Registry (promauto.With(Registry)):
// packages declare theirs as package variables, e.g.
//
//	var sent = metrics.With.NewCounter(prometheus.CounterOpts{Name: "bouncer_x_total", Help: "…"})
//
// Registering a name twice panics at start, as it should.
var With = promauto.With(Registry)

func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewBuildInfoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return r
}

// Buckets for the histograms of this process, in seconds.
var (
	// FastBuckets suit work measured in milliseconds: an HTTP request, the
	// parse of one message (100 µs to 2.5 s).
	FastBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	// SlowBuckets suit work measured in seconds: a poll pass, a batch
	// written to the database (5 ms to 10 min).
	SlowBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
)

// NewCounterVec makes a counter vector in Registry; name ends in _total.
func NewCounterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return With.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// NewGaugeVec makes a gauge vector in Registry.
func NewGaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	return With.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
}

// NewHistogramVec makes a histogram vector in Registry with buckets.
func NewHistogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return With.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
}
