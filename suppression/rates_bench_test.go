package suppression

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// BenchmarkRates times one Rates query (all streams, the 30 days it
// reads) over 10 streams with a sent count every hour and 200,000 events
// spread over the 30 days:
//
//	go test ./suppression -run '^$' -bench Rates -benchtime 20x
func BenchmarkRates(b *testing.B) {
	const streams, events, batch = 10, 200_000, 5000
	last := t0.AddDate(0, 0, 30)
	for _, d := range []string{"postgres", "sqlite"} {
		b.Run(d, func(b *testing.B) {
			s := openTest(b, d, Options{})
			ctx := context.Background()
			var sent []Sent
			for h := range 30 * 24 {
				for st := range streams {
					sent = append(sent, Sent{Stream: fmt.Sprintf("stream-%d", st), Count: 100, At: t0.Add(time.Duration(h) * time.Hour)})
				}
			}
			if _, err := s.AddSent(ctx, sent, last); err != nil {
				b.Fatal(err)
			}
			step := 30 * 24 * time.Hour / events
			for i := 0; i < events; i += batch {
				msgs := benchBatch(i, batch)
				for j := range msgs {
					msgs[j].Stream = fmt.Sprintf("stream-%d", (i+j)%streams)
					msgs[j].ReceivedAt = t0.Add(time.Duration(i+j) * step)
					msgs[j].Report.Recipients[0].Class = []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock, dsn.ClassComplaint}[j%4]
				}
				if _, err := s.Record(ctx, msgs, last); err != nil {
					b.Fatal(err)
				}
			}
			q := RatesQuery{Days: 7, Last: last}
			server, self := serverCPU(b, s), selfCPU()
			b.ResetTimer()
			for range b.N {
				if _, err := s.Rates(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(server().Milliseconds())/float64(b.N), "server-cpu-ms/op")
			b.ReportMetric(float64((selfCPU()-self).Milliseconds())/float64(b.N), "client-cpu-ms/op")
		})
	}
}
