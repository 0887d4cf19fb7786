package poller

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: time.Minute, Max: 10 * time.Minute}
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 4: 8 * time.Minute, 5: 10 * time.Minute, 40: 10 * time.Minute} {
		if got := b.delay(n); got != want {
			t.Errorf("delay(%d) = %v, want %v", n, got, want)
		}
	}
}

// fakeLocker grants a lock unless held, or fails.
type fakeLocker struct {
	held  map[string]bool
	err   error
	names []string
}

func (l *fakeLocker) TryLock(_ context.Context, name string) (func(), bool, error) {
	l.names = append(l.names, name)
	if l.err != nil {
		return nil, false, l.err
	}
	if l.held[name] {
		return nil, false, nil
	}
	l.held[name] = true
	return func() { delete(l.held, name) }, true, nil
}

func TestRunnerLockAndBackoff(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	mb := s.mailbox("main")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	locker := &fakeLocker{held: map[string]bool{}}
	store := newFakeStore()
	r := &Runner{Store: store, Locker: locker, Options: &Options{Now: func() time.Time { return now }},
		Backoff: Backoff{Base: time.Minute, Max: time.Hour}}

	alias := mb
	alias.Name = "the same account"
	locker.held[LockName(alias)] = true // another replica polls the account under another name
	if _, err := r.Run(context.Background(), mb); !errors.Is(err, ErrLocked) {
		t.Fatalf("Run while locked = %v, want ErrLocked", err)
	}
	if store.calls != 0 || r.Failures("main") != 0 {
		t.Errorf("locked run recorded %d batches, %d failures; want 0, 0", store.calls, r.Failures("main"))
	}
	delete(locker.held, LockName(alias))

	store.err = errors.New("database down")
	if _, err := r.Run(context.Background(), mb); !errors.Is(err, store.err) {
		t.Fatalf("Run = %v, want %v", err, store.err)
	}
	if _, err := r.Run(context.Background(), mb); !errors.Is(err, ErrBackoff) {
		t.Errorf("Run right after a failure = %v, want ErrBackoff", err)
	}
	store.err = nil
	now = now.Add(time.Minute)
	sum, err := r.Run(context.Background(), mb)
	if err != nil || sum.Fetched != 6 || r.Failures("main") != 0 {
		t.Errorf("Run after the back-off = fetched %d, err %v, failures %d; want 6, nil, 0", sum.Fetched, err, r.Failures("main"))
	}
	if len(locker.held) != 0 {
		t.Errorf("locks still held after the passes: %v", locker.held)
	}
}

// The lock names the account, not the configured mailbox.
func TestLockNameIsTheAccount(t *testing.T) {
	base := Mailbox{Name: "main", Protocol: ProtocolIMAP, Host: "mail.example.com", Username: "bounces"}
	with := func(f func(*Mailbox)) Mailbox { mb := base; f(&mb); return mb }
	same := []Mailbox{
		with(func(mb *Mailbox) { mb.Name = "other" }),
		with(func(mb *Mailbox) { mb.Host = "MAIL.Example.COM" }),
		with(func(mb *Mailbox) { mb.Port = 993 }),
		with(func(mb *Mailbox) { mb.Folder = "INBOX" }),
		with(func(mb *Mailbox) { mb.After = AfterFlag }),
	}
	for _, mb := range same {
		if LockName(mb) != LockName(base) {
			t.Errorf("LockName(%+v) = %q, want %q (the same account)", mb, LockName(mb), LockName(base))
		}
	}
	different := []Mailbox{
		with(func(mb *Mailbox) { mb.Host = "mail2.example.com" }),
		with(func(mb *Mailbox) { mb.Port = 1993 }),
		with(func(mb *Mailbox) { mb.Username = "other" }),
		with(func(mb *Mailbox) { mb.Folder = "Bounces" }),
	}
	for _, mb := range different {
		if LockName(mb) == LockName(base) {
			t.Errorf("LockName(%+v) = %q, the lock of another account", mb, LockName(mb))
		}
	}
}
