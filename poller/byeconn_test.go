package poller

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
// forgotten; a long line is not kept.
func TestByeConnLines(t *testing.T) {
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
	}
	cause := errors.New("use of closed network connection")
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
