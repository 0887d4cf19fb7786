package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// BenchmarkDispatch queues about b.N events through Record (hard bounces
// of addresses in batches of 1,000, suppression.added each, every fifth
// address with a complaint too, whose complaint.received is queued before
// its suppression.added) and times `bouncer
// run`'s dispatcher with its default options sending them to a real local
// receiver that checks every signature. It reports events/s (wall clock),
// events/cpu-s (this process, receiver included, plus the Postgres
// backends) and events/server-cpu-s (the backends alone) (docs/performance.md):
//
//	go test ./internal/webhook -run '^$' -bench Dispatch -benchtime 20000x
func BenchmarkDispatch(b *testing.B) {
	for _, d := range []string{"postgres", "sqlite"} {
		b.Run(d, func(b *testing.B) {
			url := "sqlite:" + filepath.Join(b.TempDir(), "bouncer.db")
			server := func() time.Duration { return 0 }
			if d == "postgres" {
				url = testenv.PostgresURL(b)
			}
			s, err := suppression.Open(context.Background(), url, suppression.Options{Webhooks: appOnly})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			want, complained := queueBench(b, s, b.N)
			rc := newCountingReceiver(want, complained)
			srv := httptest.NewServer(rc)
			defer srv.Close()
			disp, err := New(s, []Endpoint{{Name: "app", URL: srv.URL, Key: testKey}}, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if d == "postgres" {
				db, err := sql.Open("postgres", url)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				server = testenv.BackendCPU(db)
			}
			self := testenv.SelfCPU()
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			b.ResetTimer()
			wg.Go(func() { disp.Run(ctx) })
			select {
			case <-rc.done:
			case <-time.After(30 * time.Minute):
				b.Errorf("after 30 minutes the receiver accepted %d of %d events", rc.count(), want)
			}
			for !queueEmpty(b, s) { // the last outcomes recorded
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
			cancel()
			wg.Wait()
			srvCPU, all := server(), server()+testenv.SelfCPU()-self
			b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(want)/all.Seconds(), "events/cpu-s")
			if srvCPU > 0 {
				b.ReportMetric(float64(want)/srvCPU.Seconds(), "events/server-cpu-s")
			}
			if rc.bad > 0 || rc.outOfOrder > 0 {
				b.Errorf("%d requests failed the signature check, %d arrived out of order", rc.bad, rc.outOfOrder)
			}
		})
	}
}

// queueBench records hard bounces of addresses, every fifth with a
// complaint about it too, until about n events are queued
// (suppression.added per address, complaint.received per complaint), and
// returns how many were and the addresses that complained.
func queueBench(b *testing.B, s *suppression.Store, n int) (int, map[string]bool) {
	b.Helper()
	now, queued, complained := time.Now(), 0, map[string]bool{}
	for i := 0; queued < n; {
		var msgs []suppression.Message
		for ; len(msgs) < 1000 && queued < n; i++ {
			addr := fmt.Sprintf("user%d@domain%d.example", i, i%97)
			msgs = append(msgs, hardBounce(fmt.Sprintf("k%d", i), addr, now))
			queued++
			if i%5 == 0 {
				m := hardBounce(fmt.Sprintf("c%d", i), addr, now)
				m.Report.Recipients[0].Class, m.Report.Recipients[0].FeedbackType = dsn.ClassComplaint, "abuse"
				msgs = append(msgs, m)
				complained[addr] = true
				queued++
			}
		}
		if _, err := s.Record(context.Background(), msgs, now); err != nil {
			b.Fatal(err)
		}
	}
	return queued, complained
}

// countingReceiver checks every request's signature and counts the
// distinct events accepted; done closes when want were. The
// suppression.added of an address that complained arriving before its
// complaint.received counts as out of order.
type countingReceiver struct {
	mu         sync.Mutex
	seen       map[string]bool // webhook-ids
	complained map[string]bool // addresses with a complaint.received queued first
	complaints map[string]bool // ... whose complaint.received arrived
	want       int
	bad        int
	outOfOrder int
	done       chan struct{}
}

func newCountingReceiver(want int, complained map[string]bool) *countingReceiver {
	return &countingReceiver{seen: map[string]bool{}, complained: complained, complaints: map[string]bool{}, want: want, done: make(chan struct{})}
}

func (rc *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(HeaderID)
	if Verify(testKey, id, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, time.Now(), 5*time.Minute) != nil {
		rc.mu.Lock()
		rc.bad++
		rc.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	typ, email := eventOf(body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch typ {
	case suppression.EventComplaintReceived:
		rc.complaints[email] = true
	case suppression.EventSuppressionAdded:
		if rc.complained[email] && !rc.complaints[email] {
			rc.outOfOrder++
		}
	}
	if !rc.seen[id] {
		rc.seen[id] = true
		if len(rc.seen) == rc.want {
			close(rc.done)
		}
	}
}

func (rc *countingReceiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.seen)
}

// eventOf returns the type of an event body and its data's email.
func eventOf(body []byte) (typ, email string) {
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Email string `json:"email"`
		} `json:"data"`
	}
	json.Unmarshal(body, &ev) //nolint:errcheck // an empty type then
	return ev.Type, ev.Data.Email
}

// queueEmpty reports whether the outbox holds no delivery.
func queueEmpty(b *testing.B, s *suppression.Store) bool {
	q, err := s.OutboxStats(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return len(q) == 0
}
