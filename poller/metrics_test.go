package poller

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Every pass that ran is counted per mailbox, a pass that failed before
// reaching the mailbox (the lock's database down) as an error too; a pass
// skipped for the lock or a back-off is not counted.
func TestRunnerMetrics(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	mb := s.mailbox("metrics")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	locker := &fakeLocker{held: map[string]bool{}}
	r := &Runner{Store: newFakeStore(), Locker: locker, Options: &Options{Now: func() time.Time { return now }},
		Backoff: Backoff{Base: time.Minute, Max: time.Hour}}
	DeclareMailboxes([]string{"metrics"}, now.Add(-time.Hour), func() time.Time { return now })
	polls, errs := pollsTotal.WithLabelValues("metrics"), pollErrorsTotal.WithLabelValues("metrics")
	count := func() (float64, float64) { return testutil.ToFloat64(polls), testutil.ToFloat64(errs) }
	if p, e := count(); p != 0 || e != 0 {
		t.Fatalf("declared mailbox starts at polls %g, errors %g; want 0, 0", p, e)
	}
	if got := sinceSuccess.seconds("metrics"); got != 3600 {
		t.Errorf("seconds since success before any pass = %g, want 3600 (since DeclareMailboxes)", got)
	}

	locker.err = errors.New("database down")
	if _, err := r.Run(context.Background(), mb); !errors.Is(err, locker.err) {
		t.Fatalf("Run = %v, want %v", err, locker.err)
	}
	if p, e := count(); p != 1 || e != 1 {
		t.Errorf("after a pass whose lock failed: polls %g, errors %g; want 1, 1", p, e)
	}
	if _, err := r.Run(context.Background(), mb); !errors.Is(err, ErrBackoff) {
		t.Fatalf("Run in the back-off = %v, want ErrBackoff", err)
	}
	locker.err = nil
	locker.held[LockName(mb)] = true
	now = now.Add(time.Hour)
	if _, err := r.Run(context.Background(), mb); !errors.Is(err, ErrLocked) {
		t.Fatalf("Run while locked = %v, want ErrLocked", err)
	}
	if p, e := count(); p != 1 || e != 1 {
		t.Errorf("after passes skipped (back-off, lock): polls %g, errors %g; want still 1, 1", p, e)
	}
	delete(locker.held, LockName(mb))
	if _, err := r.Run(context.Background(), mb); err != nil {
		t.Fatal(err)
	}
	if p, e := count(); p != 2 || e != 1 {
		t.Errorf("after a good pass: polls %g, errors %g; want 2, 1", p, e)
	}
	now = now.Add(90 * time.Second)
	if got := sinceSuccess.seconds("metrics"); got != 90 {
		t.Errorf("seconds since success 90 s after the good pass = %g, want 90", got)
	}
	NoteSuccess("metrics", now.Add(-10*time.Second)) // another replica, later
	NoteSuccess("metrics", now.Add(-time.Hour))      // older: ignored
	NoteSuccess("gone", now)                         // not configured: ignored
	if got := sinceSuccess.seconds("metrics"); got != 10 {
		t.Errorf("seconds since success after another replica's pass = %g, want 10", got)
	}
	if got := sinceSuccess.seconds("gone"); got != -1 {
		t.Errorf("an undeclared mailbox has seconds since success %g, want none (-1)", got)
	}
}
