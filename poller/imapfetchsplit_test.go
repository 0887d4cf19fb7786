package poller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// lineLimited refuses a FETCH naming more than maxRanges UID ranges, as a
// server refuses a command line over its length limit (Dovecot: 64 KB).
type lineLimited struct{ imapserver.SessionMove }

func (s *lineLimited) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if set, ok := numSet.(imap.UIDSet); ok && len(set) > maxRanges {
		return &imap.Error{Type: imap.StatusResponseTypeBad, Text: fmt.Sprintf("line too long: %d ranges", len(set))}
	}
	return s.SessionMove.Fetch(w, numSet, options)
}

// TestPollIMAPScatteredFetch: a batch whose pending UIDs are scattered
// (every other message already flagged by an earlier after: flag pass) is
// fetched in several commands, none over the server's line limit, and
// every pending message is recorded once.
func TestPollIMAPScatteredFetch(t *testing.T) {
	const n = 2*maxRanges + 2
	s := serveMem(t, fullCaps, func(sess imapserver.Session) imapserver.Session {
		return &lineLimited{SessionMove: sess.(imapserver.SessionMove)}
	})
	soft := readCorpus(t, "soft")
	for i := range n {
		s.appendMsg(t, "INBOX", append([]byte(fmt.Sprintf("X-Seq: %d\r\n", i)), soft...), arrival.Add(time.Duration(i)*time.Second))
	}
	c := s.client(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var odd imap.UIDSet
	for uid := imap.UID(1); uid <= n; uid += 2 {
		odd.AddNum(uid)
	}
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{ProcessedKeyword}}
	if err := c.Store(odd, flags, nil).Close(); err != nil {
		t.Fatal(err)
	}
	mb := s.mailbox("main")
	mb.After = AfterFlag
	store := newFakeStore()
	sum, err := Poll(context.Background(), mb, store, &Options{BatchSize: n})
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if sum.Fetched != n/2 || len(store.ledger) != n/2 || sum.Duplicates != 0 {
		t.Errorf("fetched %d, ledger %d, duplicates %d; want %d, %d, 0", sum.Fetched, len(store.ledger), sum.Duplicates, n/2, n/2)
	}
	pollFindsNothing(t, mb, store)
}
