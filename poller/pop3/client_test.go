package pop3

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// dialer bounds a dial generously: under a loaded CI machine (race builds
// on two cores) a TLS handshake with a Dovecot login process that is still
// starting took over 5 s once.
var dialer = &net.Dialer{Timeout: 30 * time.Second}

// tricky holds what breaks naive POP3 clients: lines that start with a dot
// (stuffed on the wire) and a line longer than 4 KB.
var tricky = "Subject: tricky\n\n.leading dot\n..two dots\n.\nx" + strings.Repeat("y", 9000) + "\nend\n"

func login(t *testing.T, d *testenv.DovecotServer, c *Client) {
	t.Helper()
	if err := c.User(d.User, d.Password); err != nil {
		t.Fatalf("USER/PASS: %v", err)
	}
}

func TestRetrUndoesDotStuffingAndKeepsLongLines(t *testing.T) {
	d := testenv.Dovecot(t)
	d.DeliverMaildir([]byte(tricky))
	c, err := DialTLS(dialer, d.Addr(d.POP3SPort), d.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	login(t, d, c)
	r, err := c.Retr(1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != tricky {
		t.Errorf("RETR 1 = %q…, want %q…", got[:min(60, len(got))], tricky[:60])
	}
}

func TestListUIDLDeleQuit(t *testing.T) {
	d := testenv.Dovecot(t)
	d.DeliverMaildir([]byte("Subject: a\n\none\n"))
	d.DeliverMaildir([]byte("Subject: b\n\ntwo\n"))
	c, err := Dial(dialer, d.Addr(d.POP3Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capa()
	if err != nil || caps["STLS"] == nil || caps["UIDL"] == nil {
		t.Fatalf("CAPA = %v, %v; want STLS and UIDL", caps, err)
	}
	if err := c.StartTLS(d.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(sasl.NewPlainClient("", d.User, d.Password)); err != nil {
		t.Fatalf("AUTH PLAIN: %v", err)
	}
	list, err := c.List()
	if err != nil || len(list) != 2 || list[0].Num != 1 || list[0].Size != int64(len("Subject: a\r\n\r\none\r\n")) {
		t.Fatalf("LIST = %+v, %v; want 2 messages, the first of %d bytes", list, err, len("Subject: a\r\n\r\none\r\n"))
	}
	uidl, err := c.UIDL()
	if err != nil || len(uidl) != 2 || uidl[0].UID == "" || uidl[0].UID == uidl[1].UID {
		t.Fatalf("UIDL = %+v, %v; want two distinct ids", uidl, err)
	}
	if _, err := c.Retr(1); err != nil { // left unread: the next command drains it
		t.Fatal(err)
	}
	if err := c.Dele(1); err != nil {
		t.Fatal(err)
	}
	var perr *Error
	if _, err := c.Retr(1); !errors.As(err, &perr) {
		t.Errorf("RETR of a deleted message = %v, want a -ERR", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}

	c2, err := DialTLS(dialer, d.Addr(d.POP3SPort), d.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	login(t, d, c2)
	after, err := c2.UIDL()
	if err != nil || len(after) != 1 || after[0].UID != uidl[1].UID {
		t.Errorf("UIDL after QUIT = %+v, %v; want only %q", after, err, uidl[1].UID)
	}
}

func TestCloseWithoutQuitDeletesNothing(t *testing.T) {
	d := testenv.Dovecot(t)
	d.DeliverMaildir([]byte("Subject: a\n\none\n"))
	c, err := DialTLS(dialer, d.Addr(d.POP3SPort), d.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	login(t, d, c)
	if err := c.Dele(1); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c2, err := DialTLS(dialer, d.Addr(d.POP3SPort), d.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	login(t, d, c2)
	if list, err := c2.List(); err != nil || len(list) != 1 {
		t.Errorf("LIST after a dropped session = %+v, %v; want the message still there", list, err)
	}
}

func TestBadPasswordKeepsSecret(t *testing.T) {
	d := testenv.Dovecot(t)
	c, err := DialTLS(dialer, d.Addr(d.POP3SPort), d.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.User(d.User, "not-the-password-123")
	var perr *Error
	if !errors.As(err, &perr) || strings.Contains(err.Error(), "not-the-password-123") {
		t.Errorf("bad PASS = %v; want a -ERR that does not show the password", err)
	}
}

func TestStartTLSVerifiesCertificate(t *testing.T) {
	d := testenv.Dovecot(t)
	c, err := Dial(dialer, d.Addr(d.POP3Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: d.Host}); err == nil {
		t.Error("STLS accepted a self-signed certificate without its CA")
	}
}
