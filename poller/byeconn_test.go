package poller

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// TestIMAPServerBye: Dovecot ends a logged-in session (doveadm kick, as on
// an internal error after login) with "* BYE …"; the next command fails on
// the closed connection, and the error carries the server's words, over
// implicit TLS and plain IMAP. STARTTLS keeps no BYE (go-imap reads it
// through its own TLS layer) and says only what go-imap says.
func TestIMAPServerBye(t *testing.T) {
	for _, mode := range []string{TLSImplicit, TLSNone, TLSStartTLS} {
		t.Run(mode, func(t *testing.T) {
			d, mb := dovecotMailbox(t, ProtocolIMAP, mode)
			o := (&Options{}).withDefaults()
			ic, err := dialIMAP(context.Background(), mb, &o)
			if err != nil {
				t.Fatal(err)
			}
			defer ic.close()
			d.Kick()
			<-ic.c.Closed() // the client has read the BYE and the end of the stream
			_, err = ic.c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
			err = ic.serverClosed(fmt.Errorf("open folder %q: %w", "INBOX", err))
			want := "(the server closed the connection: * BYE Server shutting down.)"
			if mode == TLSStartTLS {
				if err == nil || strings.Contains(err.Error(), "BYE") {
					t.Errorf("select after a kick over STARTTLS = %v, want an error without the BYE", err)
				}
				return
			}
			if err == nil || !strings.HasSuffix(err.Error(), want) || !strings.HasPrefix(err.Error(), `open folder "INBOX": `) {
				t.Errorf("select after a kick = %v, want it to end %q", err, want)
			}
		})
	}
}

// TestByeConnLines: only the last line received counts, whatever the
// chunks; a BYE followed by more lines (a message body quoting one) is
// forgotten; a long line is not kept; a literal ({N} or {N+}, a FETCHed
// body) is not lines, so a body quoting a BYE is never kept, even when the
// connection drops in the middle of it.
func TestByeConnLines(t *testing.T) {
	quoted := "Subject: reset\r\n\r\n* BYE quoted from the bounced message: reset token 12345\r\nmore\r\n"
	fetch := fmt.Sprintf("* 1 FETCH (UID 7 BODY[] {%d}\r\n", len(quoted))
	tests := []struct {
		chunks []string
		want   string
	}{
		{[]string{"* OK ready\r\n", "* BYE Internal error occurred.\r\n"}, "* BYE Internal error occurred."},
		{[]string{"* B", "YE split ", "across reads\r", "\n"}, "* BYE split across reads"},
		{[]string{"* bye lower case\r\n"}, "* bye lower case"},
		{[]string{"* BYE in a body\r\n", "more body\r\n"}, ""},
		{[]string{"T1 OK done\r\n"}, ""},
		{[]string{"* BYE no end of line"}, ""},
		{[]string{"* BYE " + strings.Repeat("x", maxByeLine) + "\r\n"}, ""},
		{[]string{"x* BYE not at the start\r\n"}, ""},
		// The connection drops mid-body, after a quoted BYE line.
		{[]string{fetch, quoted[:len(quoted)-6]}, ""},
		{[]string{fetch[:len(fetch)-4], fetch[len(fetch)-4:] + quoted[:20], quoted[20 : len(quoted)-6]}, ""},
		{[]string{strings.Replace(fetch, "}", "+}", 1), quoted[:len(quoted)-1]}, ""},
		// Two literals in one response; the second is cut.
		{[]string{"* 2 FETCH (BODY[HEADER] {4}\r\nab\r\n BODY[TEXT] {500}\r\n* BYE quoted\r\n"}, ""},
		// A whole literal, the end of the response, then the server's BYE.
		{[]string{fetch + quoted + ")\r\n", "* BYE Internal error occurred.\r\n"}, "* BYE Internal error occurred."},
		{[]string{fetch + quoted + " FLAGS (\\Seen))\r\n* BYE Disconnected for inactivity.\r\n"}, "* BYE Disconnected for inactivity."},
	}
	cause := fmt.Errorf("read tcp: %w", net.ErrClosed)
	for _, tt := range tests {
		c := &byeConn{}
		for _, ch := range tt.chunks {
			c.note([]byte(ch))
		}
		got := c.serverClosed(cause).Error()
		want := cause.Error()
		if tt.want != "" {
			want += " (the server closed the connection: " + tt.want + ")"
		}
		if got != want {
			t.Errorf("chunks %q: %q, want %q", tt.chunks, got, want)
		}
	}
	if (&byeConn{}).serverClosed(nil) != nil {
		t.Error("serverClosed(nil) != nil")
	}
}

// TestByeConnErrorKinds: the server's BYE is added to a failure of the
// connection (closed, reset, ended) only; a store's error, a database's
// network error, or the server's NO is returned as it is.
func TestByeConnErrorKinds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	imapAddr := conn.RemoteAddr()
	c := &byeConn{Conn: conn}
	c.note([]byte("* BYE Internal error occurred.\r\n"))
	for _, tt := range []struct {
		err  error
		bye  bool
		name string
	}{
		{fmt.Errorf("select: %w", net.ErrClosed), true, "closed"},
		{&net.OpError{Op: "read", Net: "tcp", Addr: imapAddr, Err: syscall.ECONNRESET}, true, "reset by the IMAP server"},
		{fmt.Errorf("fetch: %w", io.ErrUnexpectedEOF), true, "ended"},
		{errors.New("suppression: record: database is locked"), false, "store"},
		{fmt.Errorf("record: %w", &net.OpError{Op: "read", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5432}, Err: syscall.ECONNRESET}), false, "Postgres reset"},
		{&imap.Error{Type: imap.StatusResponseTypeNo, Text: "Mailbox doesn't exist"}, false, "NO"},
		{context.Canceled, false, "cancelled"},
	} {
		got := c.serverClosed(tt.err)
		if has := strings.Contains(got.Error(), "(the server closed the connection: * BYE Internal error occurred.)"); has != tt.bye || !errors.Is(got, tt.err) {
			t.Errorf("%s: serverClosed = %q, want the BYE %v and the error wrapped", tt.name, got, tt.bye)
		}
	}
}
