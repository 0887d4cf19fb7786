package metrics

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkScrape is the server's work for one scrape of /metrics: within
// GatherEvery of the last encoding, a copy is written (the README's figure
// is the CPU time of -cpuprofile over -benchtime 3000x).
func BenchmarkScrape(b *testing.B) {
	h := Handler("")
	req := httptest.NewRequest("GET", "/metrics", nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
