package poller

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// dropOnMove is a session whose connection drops when it is asked to MOVE.
type dropOnMove struct {
	imapserver.SessionMove
	conn  *imapserver.Conn
	drops *atomic.Int32
}

func (s *dropOnMove) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if s.drops.Add(-1) >= 0 {
		s.conn.NetConn().Close()
		return net.ErrClosed
	}
	return s.SessionMove.Move(w, numSet, dest)
}

// TestPollIMAPMoveSessionDrops drops the connection of the disposer's own
// session at its first MOVE, while the pass still fetches: the pass stops
// with an error (no hang, no leak), the committed messages stay, and the
// rerun records each message once and moves everything.
func TestPollIMAPMoveSessionDrops(t *testing.T) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("bounces", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	var drops atomic.Int32
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &dropOnMove{SessionMove: mem.NewSession().(imapserver.SessionMove), conn: c, drops: &drops}, nil, nil
		},
		Caps: fullCaps, InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s := &memServer{addr: ln.Addr().String(), user: user}
	loadCorpus(t, s)
	drops.Store(1)
	store := newFakeStore()
	sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 1, disposeGroup: 2, mergeBatches: 1})
	if err == nil {
		t.Fatal("Poll succeeded with its move session dropped")
	}
	left := len(s.folder(t, "INBOX"))
	if left != len(corpus) || sum.Waiting != left {
		t.Errorf("INBOX holds %d, summary waiting %d; want %d, nothing moved", left, sum.Waiting, len(corpus))
	}
	committed := len(store.ledger)
	again, err := Poll(context.Background(), s.mailbox("main"), store, nil)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if again.Fetched != len(corpus) || again.Duplicates != committed || len(store.ledger) != len(corpus) || len(s.folder(t, "INBOX")) != 0 {
		t.Errorf("rerun fetched %d, duplicates %d, ledger %d, INBOX %d; want %d, %d, %d, 0",
			again.Fetched, again.Duplicates, len(store.ledger), len(s.folder(t, "INBOX")), len(corpus), committed, len(corpus))
	}
}
