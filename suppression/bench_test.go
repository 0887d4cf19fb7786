package suppression

// Benchmarks for the speed goals (see the README's suppression section):
//
//	go test ./suppression -run '^$' -bench . -benchtime 20x
//	go test ./suppression -run '^$' -bench GetLatency -benchtime 3000x
//
// They need the Postgres server (the SQLite variants run without it).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// benchBatch returns n one-recipient messages with fresh keys: a third
// hard, a third soft, a sixth block and a sixth complaint; every address
// repeats about twice in the batch.
func benchBatch(round, n int) []Message {
	classes := []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassSoft, dsn.ClassHard, dsn.ClassBlock, dsn.ClassComplaint}
	msgs := make([]Message, n)
	for i := range msgs {
		c := classes[i%len(classes)]
		addr := fmt.Sprintf("user%d.%d@domain%d.example", round, i/2, i%97)
		msgs[i] = bounce(fmt.Sprintf("bench-%d-%d", round, i), t0.Add(time.Duration(i)*time.Second),
			dsn.Recipient{FinalRecipient: addr, Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 <" + addr + ">: Recipient address rejected: User unknown in virtual mailbox table", RemoteMTA: "mx.domain.example", Class: c, Reason: dsn.ReasonUserUnknown})
	}
	return msgs
}

func BenchmarkRecord(b *testing.B) {
	for _, d := range []string{"postgres", "sqlite"} {
		for _, size := range []int{100, 500, 1000, 5000} {
			b.Run(fmt.Sprintf("%s/batch=%d", d, size), func(b *testing.B) {
				s := openTest(b, d, Options{MaxOpenConns: 1})
				ctx := context.Background()
				batches := make([][]Message, b.N)
				for i := range batches {
					batches[i] = benchBatch(i, size)
				}
				server, self := serverCPU(b, s), selfCPU()
				b.ResetTimer()
				for i := range b.N {
					if _, err := s.Record(ctx, batches[i], t0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "events/s")
				// CPU time spent: Postgres backends, then them and this process
				// (an upper bound of the rate on an otherwise idle core, since
				// client and server mostly take turns).
				srv, all := server(), server()+selfCPU()-self
				if srv > 0 {
					b.ReportMetric(float64(b.N*size)/srv.Seconds(), "events/server-cpu-s")
				}
				b.ReportMetric(float64(b.N*size)/all.Seconds(), "events/cpu-s")
			})
		}
	}
}

// seedBench records 20,000 events over 10,000 addresses and returns 1,000
// of them, half suppressed.
func seedBench(b *testing.B, s *Store) []string {
	b.Helper()
	for round := range 4 {
		if _, err := s.Record(context.Background(), benchBatch(round, 5000), t0); err != nil {
			b.Fatal(err)
		}
	}
	var addrs []string
	for i := range 1000 {
		addrs = append(addrs, fmt.Sprintf("user%d.%d@domain%d.example", i%4, i, (2*i)%97))
	}
	return addrs
}

func BenchmarkHTTPCheck1000(b *testing.B) {
	for _, d := range []string{"postgres", "sqlite"} {
		b.Run(d, func(b *testing.B) {
			s := openTest(b, d, Options{MaxOpenConns: 1})
			body, _ := json.Marshal(map[string][]string{"emails": seedBench(b, s)})
			srv := httptest.NewServer(NewHandler(s, HandlerOptions{Token: "t"}))
			defer srv.Close()
			server, self := serverCPU(b, s), selfCPU()
			b.ResetTimer()
			for range b.N {
				req, _ := http.NewRequest("POST", srv.URL+"/v1/suppressions/check", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer t")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var out checkResponse
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || len(out.Results) != 1000 {
					b.Fatalf("check: %d, %v, %d results", resp.StatusCode, err, len(out.Results))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/check")
			// CPU spent per check by this process (client and handler) and
			// the Postgres backend: the latency on an otherwise idle machine.
			b.ReportMetric(float64((selfCPU()-self)+server())/float64(time.Millisecond)/float64(b.N), "cpu-ms/check")
		})
	}
}

// BenchmarkHTTPGetLatency sends b.N single GETs at 1,000 requests/s (one
// every millisecond, each on its own goroutine so a slow answer does not
// delay the next) and reports the 50th and 99th percentile latency.
func BenchmarkHTTPGetLatency(b *testing.B) {
	for _, d := range []string{"postgres", "sqlite"} {
		b.Run(d, func(b *testing.B) {
			s := openTest(b, d, Options{})
			addrs := seedBench(b, s)
			srv := httptest.NewServer(NewHandler(s, HandlerOptions{Token: "t"}))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
			server, self := serverCPU(b, s), selfCPU()
			lat := make([]time.Duration, b.N)
			done := make(chan struct{}, b.N)
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			b.ResetTimer()
			for i := range b.N {
				<-tick.C
				go func() {
					defer func() { done <- struct{}{} }()
					req, _ := http.NewRequest("GET", srv.URL+"/v1/suppressions/"+addrs[i%len(addrs)], nil)
					req.Header.Set("Authorization", "Bearer t")
					start := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					var buf bytes.Buffer
					buf.ReadFrom(resp.Body)
					resp.Body.Close()
					lat[i] = time.Since(start)
					if resp.StatusCode != 200 {
						b.Errorf("GET: %d %s", resp.StatusCode, buf.String())
					}
				}()
			}
			for range b.N {
				<-done
			}
			// CPU per request of this process (client and handler) and the
			// Postgres backends: what a request costs an otherwise idle machine.
			srvCPU := server()
			b.ReportMetric(float64((selfCPU()-self)+srvCPU)/float64(time.Millisecond)/float64(b.N), "cpu-ms/get")
			if d == "postgres" {
				b.ReportMetric(float64(srvCPU)/float64(time.Millisecond)/float64(b.N), "server-cpu-ms/get")
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// serverCPU returns a function giving the CPU time the Postgres backends
// serving s's database have used since serverCPU was called (Linux, server
// on this machine; 0 otherwise, and on SQLite). Backends started meanwhile
// count whole.
func serverCPU(_ *testing.B, s *Store) func() time.Duration {
	if s.Dialect() != "postgres" {
		return func() time.Duration { return 0 }
	}
	return testenv.BackendCPU(s.db.DB)
}

// selfCPU returns the user and system CPU time this process has used.
var selfCPU = testenv.SelfCPU
