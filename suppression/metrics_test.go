package suppression

import "github.com/bouncer-mail/bouncer/internal/metrics"

// The tests here read /metrics right after changing a value: no cached
// exposition (internal/metrics tests the cache).
func init() { metrics.GatherEvery = 0 }
