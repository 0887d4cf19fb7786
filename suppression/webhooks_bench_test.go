package suppression

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRecordWebhooks is BenchmarkRecord at batch 500 with webhooks off
// and on (one endpoint taking suppression.* and complaint.received: about
// every other event of benchBatch announces something), for the ingest
// overhead of the outbox (docs/performance.md):
//
//	go test ./suppression -run '^$' -bench RecordWebhooks -benchtime 40x -count 3
func BenchmarkRecordWebhooks(b *testing.B) {
	for _, d := range []string{"postgres", "sqlite"} {
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/webhooks=%v", d, on), func(b *testing.B) {
				opts := Options{MaxOpenConns: 1}
				if on {
					opts.Webhooks = []Subscription{{Endpoint: "app", Events: []string{"suppression.*", EventComplaintReceived}}}
				}
				s := openTest(b, d, opts)
				batches := make([][]Message, b.N)
				for i := range batches {
					batches[i] = benchBatch(i, 500)
				}
				server, self := serverCPU(b, s), selfCPU()
				b.ResetTimer()
				for i := range b.N {
					if _, err := s.Record(context.Background(), batches[i], t0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "events/s")
				srv, all := server(), server()+selfCPU()-self
				if srv > 0 {
					b.ReportMetric(float64(b.N*500)/srv.Seconds(), "events/server-cpu-s")
				}
				b.ReportMetric(float64(b.N*500)/all.Seconds(), "events/cpu-s")
			})
		}
	}
}
