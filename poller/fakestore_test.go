package poller

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// fakeStore records calls like the real store would (a ledger keyed by
// content hash) and can fail on demand.
type fakeStore struct {
	mu        sync.Mutex
	ledger    map[string]suppression.Message
	seen      map[string]bool
	calls     int                              // Record calls
	sizes     []int                            // messages handed to each Record call
	failAfter int                              // fail every Record call after this many (0: never)
	err       error                            // the injected error
	failFirst int                              // fail only the next failFirst Record calls with err, then recover
	recovers  bool                             // with failFirst: err no longer fails calls afterwards
	onRecord  func(n int)                      // called after each committed Record, with the ledger size
	refuse    func(m suppression.Message) bool // a batch holding such a message fails
}

func newFakeStore() *fakeStore {
	return &fakeStore{ledger: map[string]suppression.Message{}, seen: map[string]bool{}}
}

func (s *fakeStore) Record(_ context.Context, msgs []suppression.Message, _ time.Time) (suppression.Result, error) {
	s.mu.Lock()
	s.calls++
	s.sizes = append(s.sizes, len(msgs))
	if s.failFirst > 0 {
		s.failFirst--
		s.mu.Unlock()
		return suppression.Result{}, s.err
	}
	if s.err != nil && s.calls > s.failAfter && s.failFirst == 0 && !s.recovers {
		s.mu.Unlock()
		return suppression.Result{}, s.err
	}
	for _, m := range msgs {
		if s.refuse != nil && s.refuse(m) {
			s.mu.Unlock()
			return suppression.Result{}, errors.New("invalid byte sequence for encoding UTF8: 0x00")
		}
	}
	res := suppression.Result{Messages: len(msgs), ByClass: map[dsn.Class]int{}}
	for _, m := range msgs {
		if _, dup := s.ledger[m.Key]; dup {
			res.Duplicates++
			continue
		}
		s.ledger[m.Key] = m
		if m.Report == nil {
			res.Unparsed++
			continue
		}
		if len(m.Report.Recipients) == 0 {
			res.NotReports++ // ledgered not_report, as the real store does
			continue
		}
		for _, r := range m.Report.Recipients {
			res.Events++
			res.ByClass[r.Class]++
		}
	}
	n := len(s.ledger)
	hook := s.onRecord
	s.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return res, nil
}

func (s *fakeStore) SeenUIDs(_ context.Context, mailbox string, uidls []string) (map[string]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, u := range uidls {
		if s.seen[mailbox+"/"+u] {
			out[u] = true
		}
	}
	return out, nil
}

func (s *fakeStore) MarkSeen(_ context.Context, mailbox string, uidls []string, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range uidls {
		s.seen[mailbox+"/"+u] = true
	}
	return nil
}

func (s *fakeStore) ForgetUnlisted(_ context.Context, mailbox string, present []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := map[string]bool{}
	for _, u := range present {
		keep[mailbox+"/"+u] = true
	}
	for k := range s.seen {
		if strings.HasPrefix(k, mailbox+"/") && !keep[k] {
			delete(s.seen, k)
		}
	}
	return nil
}

// recipients returns the recipients recorded, by class.
func (s *fakeStore) recipients() map[dsn.Class][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[dsn.Class][]string{}
	for _, m := range s.ledger {
		if m.Report == nil {
			continue
		}
		for _, r := range m.Report.Recipients {
			out[r.Class] = append(out[r.Class], r.FinalRecipient)
		}
	}
	return out
}
