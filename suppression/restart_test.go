package suppression

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestPostgresRestart restarts a real Postgres under an open store whose
// pool holds several connections: the API answers 503 on /healthz while
// the server is down, then every PUT after the restart succeeds (each
// dead pooled connection is replaced, not handed to a transaction) and
// /healthz says ok.
func TestPostgresRestart(t *testing.T) {
	pg := testenv.OwnPostgres(t)
	s, err := Open(context.Background(), pg.URL, Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := newAPI(t, s, HandlerOptions{})
	var wg sync.WaitGroup
	for i := range 8 { // fill the pool with idle connections
		wg.Go(func() {
			if status, body := c.do("PUT", fmt.Sprintf("/v1/suppressions/before%d@example.org", i), `{"reason":"manual"}`, testToken); status != 200 {
				t.Errorf("PUT before the restart = %d %s", status, body)
			}
		})
	}
	wg.Wait()
	pg.Stop("fast")
	if status, _ := c.do("GET", "/healthz", "", "-"); status != 503 {
		t.Errorf("GET /healthz with the server down = %d, want 503", status)
	}
	pg.Start()
	for i := range 6 {
		if status, body := c.do("PUT", fmt.Sprintf("/v1/suppressions/after%d@example.org", i), `{"reason":"manual"}`, testToken); status != 200 {
			t.Errorf("PUT %d after the restart = %d %s, want 200", i, status, body)
		}
	}
	if status, body := c.do("GET", "/healthz", "", "-"); status != 200 {
		t.Errorf("GET /healthz after the restart = %d %s, want 200", status, body)
	}
}

// Polls that fail while the database is down are counted in
// mailbox_status once it is back: their outcomes are written before the
// next one.
func TestRecordPollDuringOutage(t *testing.T) {
	pg := testenv.OwnPostgres(t)
	s, err := Open(context.Background(), pg.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	pg.Stop("fast")
	for i := range 2 {
		if err := s.RecordPoll(ctx, PollStatus{Mailbox: "main", At: t0.Add(time.Duration(i) * time.Minute), Err: "database down"}); err == nil {
			t.Fatal("RecordPoll with the database down succeeded")
		}
	}
	pg.Start()
	if err := s.RecordPoll(ctx, PollStatus{Mailbox: "main", At: t0.Add(2 * time.Minute), Err: "imap: connection refused"}); err != nil {
		t.Fatalf("RecordPoll after the restart: %v", err)
	}
	st, err := s.MailboxStatuses(ctx)
	if err != nil || len(st) != 1 {
		t.Fatalf("MailboxStatuses = %v, %v", st, err)
	}
	if st[0].ConsecutiveFailures != 3 || st[0].LastError != "imap: connection refused" || !st[0].LastPollAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("status after the outage: %d failures, last error %q, last poll %v; want 3, the last one, %v",
			st[0].ConsecutiveFailures, st[0].LastError, st[0].LastPollAt, t0.Add(2*time.Minute))
	}
}
