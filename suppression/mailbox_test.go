package suppression

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"
)

func TestRecordPoll(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		polls := []PollStatus{
			{Mailbox: "bounces", At: t0, Fetched: 5, Waiting: 0, Duration: 1500 * time.Millisecond},
			{Mailbox: "bounces", At: t0.Add(time.Minute), Err: "dial tcp: connection refused", Duration: time.Second},
			{Mailbox: "bounces", At: t0.Add(2 * time.Minute), Err: "dial tcp: connection refused", Duration: time.Second, Waiting: 7},
		}
		for _, p := range polls {
			if err := s.RecordPoll(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		st, err := s.MailboxStatuses(ctx)
		if err != nil || len(st) != 1 {
			t.Fatalf("MailboxStatuses = %+v, %v", st, err)
		}
		got := st[0]
		if got.ConsecutiveFailures != 2 || got.LastError != "dial tcp: connection refused" || !got.LastSuccessAt.Equal(t0) ||
			!got.LastFailureAt.Equal(t0.Add(2*time.Minute)) || got.Waiting != 7 || !got.LastPollAt.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("status after 1 success, 2 failures = %+v", got)
		}
		if err := s.RecordPoll(ctx, PollStatus{Mailbox: "bounces", At: t0.Add(3 * time.Minute), Fetched: 1}); err != nil {
			t.Fatal(err)
		}
		st, _ = s.MailboxStatuses(ctx)
		if st[0].ConsecutiveFailures != 0 || !st[0].LastSuccessAt.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("status after recovery = %+v, want 0 failures", st[0])
		}
	})
}

func TestSeenUIDs(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if err := s.MarkSeen(ctx, "pop", []string{"u1", "u2"}, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSeen(ctx, "pop", []string{"u2", "u3"}, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSeen(ctx, "other", []string{"u4"}, t0); err != nil {
			t.Fatal(err)
		}
		got, err := s.SeenUIDs(ctx, "pop", []string{"u1", "u3", "u4", "u9"})
		want := map[string]bool{"u1": true, "u3": true}
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("SeenUIDs = %v, %v; want %v", got, err, want)
		}
		if err := s.ForgetUnlisted(ctx, "pop", []string{"u3"}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.SeenUIDs(ctx, "pop", []string{"u1", "u2", "u3"})
		if want := map[string]bool{"u3": true}; !maps.Equal(got, want) {
			t.Errorf("after ForgetUnlisted: %v, want %v", got, want)
		}
	})
}

func TestTryLock(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		unlock, ok, err := s.TryLock(ctx, "mailbox:bounces")
		if err != nil || !ok {
			t.Fatalf("first TryLock = %v, %v; want ok", ok, err)
		}
		if _, ok, err := s.TryLock(ctx, "mailbox:bounces"); err != nil || ok {
			t.Errorf("second TryLock while held = %v, %v; want not ok", ok, err)
		}
		if u, ok, err := s.TryLock(ctx, "mailbox:other"); err != nil || !ok {
			t.Errorf("TryLock other name = %v, %v; want ok", ok, err)
		} else {
			u()
		}
		unlock()
		unlock() // idempotent
		u, ok, err := s.TryLock(ctx, "mailbox:bounces")
		if err != nil || !ok {
			t.Fatalf("TryLock after unlock = %v, %v; want ok", ok, err)
		}
		u()
	})
}

func TestLocksDoNotStarveRecord(t *testing.T) {
	dialects(t, Options{MaxOpenConns: 2}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for i := range 5 {
			unlock, ok, err := s.TryLock(ctx, fmt.Sprintf("mailbox:%d", i))
			if err != nil || !ok {
				t.Fatalf("TryLock %d = %v, %v", i, ok, err)
			}
			defer unlock()
		}
		res := mustRecord(t, s, t0, hard("k", "a@example.com", t0))
		if res.Events != 1 {
			t.Errorf("Record while 5 locks are held = %+v", res)
		}
	})
}
