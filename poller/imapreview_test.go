package poller

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
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
