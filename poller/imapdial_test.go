package poller

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// TestPollIMAPCancelWhileMoveSessionDials cancels the pass once a batch is
// committed, while the disposer's own session is still in its TLS
// handshake with a server that does not answer. The pass must return at
// once (the batch left for the next pass), not when the dial gives up
// (Options.DialTimeout).
func TestPollIMAPCancelWhileMoveSessionDials(t *testing.T) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("bounces", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	cert, _ := testenv.SelfSigned(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps: fullCaps, TLSConfig: cfg,
	})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	for _, n := range corpus {
		raw := readCorpus(t, n)
		if _, err := user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: arrival}); err != nil {
			t.Fatal(err)
		}
	}

	// The pass's first connection goes through to the server; the second
	// (the disposer's) is accepted and never answered.
	front, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()
	held := make(chan net.Conn, 1)
	go func() {
		c, err := front.Accept()
		if err != nil {
			return
		}
		back, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			c.Close()
			return
		}
		go func() { io.Copy(back, c); back.Close() }()
		go func() { io.Copy(c, back); c.Close() }()
		if c2, err := front.Accept(); err == nil {
			held <- c2
		}
	}()
	host, port, _ := net.SplitHostPort(front.Addr().String())
	p, _ := strconv.Atoi(port)
	mb := Mailbox{Name: "main", Protocol: ProtocolIMAP, Host: host, Port: p, TLS: TLSImplicit, TLSSkipVerify: true,
		Username: "bounces", Password: "secret"}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := newFakeStore()
	store.onRecord = func(int) { cancel() }
	done := make(chan error, 1)
	go func() {
		// The dial would give up after an hour: the pass must not wait for it.
		_, err := Poll(ctx, mb, store, &Options{BatchSize: 1, disposeGroup: 1, mergeBatches: 1, DialTimeout: time.Hour})
		done <- err
	}()
	// The pass is cancelled as the store commits; the disposer may see the
	// cancellation before it dials (then nothing connects a second time),
	// or be in its TLS handshake when it does: either way the pass must
	// return with the cancellation at once, not when the dial gives up.
	var passErr error
	select {
	case passErr = <-done:
	case c2 := <-held:
		defer c2.Close()
		select {
		case passErr = <-done:
		case <-time.After(time.Minute): // a hang guard, not a measure
			c2.Close() // ends the dial: the pass returns
			<-done
			t.Fatal("the cancelled pass waited for the disposer's session to finish dialling")
		}
	}
	if !errors.Is(passErr, context.Canceled) {
		t.Errorf("Poll error = %v, want the cancellation", passErr)
	}
	if st, err := user.Status("INBOX", &imap.StatusOptions{NumMessages: true}); err != nil || *st.NumMessages != uint32(len(corpus)) {
		t.Errorf("INBOX status %+v, %v; want %d messages: nothing moved after the cancel", st, err, len(corpus))
	}
}
