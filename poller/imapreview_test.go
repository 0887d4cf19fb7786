package poller

import (
	"bytes"
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/bouncer-mail/bouncer/suppression"
)

// selectHook is a session that calls before ahead of each SELECT.
type selectHook struct {
	imapserver.SessionMove
	before func(mailbox string)
}

func (s *selectHook) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	s.before(mailbox)
	return s.SessionMove.Select(mailbox, options)
}

// literal is an imap.LiteralReader over a byte slice.
type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

var restoredHeader = []byte("X-Restored: yes\r\n")

// TestPollIMAPUIDValidityBeforeMoveSession re-creates INBOX with other
// messages (a restore: new UIDVALIDITY, UIDs from 1 again) between the
// pass's SELECT and that of the disposer's own session. The UIDs the pass
// fetched name other messages in the new INBOX: none of those may be moved,
// as none of them was recorded.
func TestPollIMAPUIDValidityBeforeMoveSession(t *testing.T) {
	var s *memServer
	var armed atomic.Bool
	var selects atomic.Int32
	restore := func() {
		if err := s.user.Delete("INBOX"); err != nil {
			t.Error(err)
		}
		if err := s.user.Create("INBOX", nil); err != nil {
			t.Error(err)
		}
		for _, n := range corpus {
			raw := append(append([]byte{}, restoredHeader...), readCorpus(t, n)...)
			if _, err := s.user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: arrival}); err != nil {
				t.Error(err)
			}
		}
	}
	s = serveMem(t, fullCaps, func(sess imapserver.Session) imapserver.Session {
		return &selectHook{SessionMove: sess.(imapserver.SessionMove), before: func(mailbox string) {
			// The second SELECT of the pass is the disposer's session's.
			if armed.Load() && mailbox == "INBOX" && selects.Add(1) == 2 {
				restore()
			}
		}}
	})
	loadCorpus(t, s)
	armed.Store(true)
	store := newFakeStore()
	// 6 messages in groups of 2: the disposer opens its own session.
	if _, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 1, disposeGroup: 2}); err != nil {
		t.Logf("Poll: %v", err) // an error is fine; moving unrecorded messages is not
	}
	armed.Store(false)
	if selects.Load() < 2 {
		t.Fatalf("the pass selected INBOX %d times, want a second session", selects.Load())
	}
	for _, f := range []string{"Processed", "Unprocessed"} {
		for _, m := range s.folder(t, f) {
			if bytes.HasPrefix(m.body, restoredHeader) {
				t.Errorf("%s holds a restored message nobody recorded: %.60q", f, m.body)
			}
		}
	}
	if n := len(s.folder(t, "INBOX")); n != len(corpus) {
		t.Errorf("the restored INBOX holds %d messages, want all %d", n, len(corpus))
	}
}

// TestPollIMAPPoisonInMergedBatch holds the first transaction until the
// pass has fetched ahead, so the rest is recorded in one merged
// transaction, which the store refuses for the hard bounce it holds: the
// merged batch is recorded message by message, the hard bounce quarantined
// to the failed folder, and the summary and progress count every message
// once.
func TestPollIMAPPoisonInMergedBatch(t *testing.T) {
	fetches := make(chan struct{}, 64)
	s := serveMem(t, fullCaps, func(s imapserver.Session) imapserver.Session {
		return &fetchSignal{SessionMove: s.(imapserver.SessionMove), fetched: fetches}
	})
	// The hard bounce last: the first transaction (one message) commits.
	for i, n := range []string{"soft", "block", "complaint", "autoreply", "junk", "hard"} {
		s.appendMsg(t, "INBOX", readCorpus(t, n), arrival.Add(time.Duration(i)*time.Minute))
	}
	store := newFakeStore()
	store.refuse = func(m suppression.Message) bool {
		return m.Report != nil && len(m.Report.Recipients) > 0 && m.Report.Recipients[0].FinalRecipient == "kijitora@example.co.jp"
	}
	var once sync.Once
	store.onRecord = func(n int) {
		once.Do(func() {
			for range min(len(corpus), n+fetchAhead+1) {
				<-fetches
			}
		})
	}
	var last ProgressInfo
	sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 1, Progress: func(p ProgressInfo) { last = p }})
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	merged := false
	for _, n := range store.sizes {
		merged = merged || n > 1
	}
	if !merged {
		t.Fatalf("Record calls of %v messages; want a merged one", store.sizes)
	}
	if sum.Fetched != 6 || sum.Unparsed != 1 || sum.NotReports != 1 || sum.Waiting != 0 || sum.Duplicates != 0 || len(store.ledger) != 6 {
		t.Errorf("summary %s, waiting %d, ledger %d; want 6 fetched, 1 unparsed, 1 not a report, 0 waiting, 6 in the ledger", sum, sum.Waiting, len(store.ledger))
	}
	if want := (ProgressInfo{Mailbox: "main", Done: 6, Total: 6}); last != want {
		t.Errorf("last progress %+v, want %+v", last, want)
	}
	if got, want := names(t, s.folder(t, "Unprocessed")), []string{"hard", "junk"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Unprocessed = %q, want %q", got, want)
	}
	if got, want := names(t, s.folder(t, "Processed")), []string{"autoreply", "block", "complaint", "soft"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Processed = %q, want %q", got, want)
	}
}

// TestInChunksBoundary: 2,000 ranges are one command, 2,001 two.
func TestInChunksBoundary(t *testing.T) {
	for _, tt := range []struct{ ranges, calls int }{{maxRanges - 1, 1}, {maxRanges, 1}, {maxRanges + 1, 2}, {2 * maxRanges, 2}, {2*maxRanges + 1, 3}} {
		var set imap.UIDSet
		for u := imap.UID(1); u <= imap.UID(tt.ranges); u++ {
			set.AddRange(3*u, 3*u+1) // a gap after each: one range each
		}
		var parts []int
		var got imap.UIDSet
		if err := inChunks(set, func(part imap.UIDSet) error {
			parts = append(parts, len(part))
			got.AddSet(part)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(parts) != tt.calls || got.String() != set.String() || parts[0] != min(tt.ranges, maxRanges) {
			t.Errorf("%d ranges: commands of %v ranges, covered all: %v; want %d commands", tt.ranges, parts, got.String() == set.String(), tt.calls)
		}
	}
}
