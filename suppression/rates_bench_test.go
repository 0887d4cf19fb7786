package suppression

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// BenchmarkRates times one Rates query of 30 days (every stream and
// overall, then one stream) over 10 streams with a sent count every hour
// and 200,000 events spread over the 30 days, on each store:
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
			for _, q := range []RatesQuery{{Days: 30, Last: last}, {Stream: "stream-3", Days: 30, Last: last}} {
				name := "all-streams"
				if q.Stream != "" {
					name = "one-stream"
				}
				b.Run(name, func(b *testing.B) { benchRates(b, s, q) })
			}
		})
	}
}

// benchRates runs q b.N times and prints the CPU each took, of Postgres
// (nothing on SQLite) and of this process.
func benchRates(b *testing.B, s *Store, q RatesQuery) {
	server, self := serverCPU(b, s), selfCPU()
	b.ResetTimer()
	for range b.N {
		r, err := s.Rates(context.Background(), q)
		if err != nil || len(r.Streams) == 0 || len(r.Streams[0].Days) != 30 || r.Streams[0].Last30.Sent == 0 {
			b.Fatalf("Rates(%+v) = %d streams, %v; want 30 days of figures", q, len(r.Streams), err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(server().Milliseconds())/float64(b.N), "server-cpu-ms/op")
	b.ReportMetric(float64((selfCPU()-self).Milliseconds())/float64(b.N), "client-cpu-ms/op")
}
