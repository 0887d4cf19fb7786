package notify

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

const testMessage = "From: a@bouncer.test\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n"

func TestMailerModes(t *testing.T) {
	for _, mode := range []TLSMode{TLSImplicit, TLSStartTLS, TLSNone} {
		t.Run(string(mode), func(t *testing.T) {
			srv := startSMTP(t, mode, "reporter", "s3cret")
			m := NewMailer(srv.options(mode))
			if err := m.Send(context.Background(), "a@bouncer.test", []string{"b@example.com", "c@example.com"}, []byte(testMessage)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			g := got[0]
			if g.From != "a@bouncer.test" || strings.Join(g.To, ",") != "b@example.com,c@example.com" || g.User != "reporter" {
				t.Errorf("received from %q to %q as %q, want a@bouncer.test to b@example.com,c@example.com as reporter", g.From, g.To, g.User)
			}
			if !strings.Contains(string(g.Data), "hello") {
				t.Errorf("received data %q, want the body", g.Data)
			}
		})
	}
}

func TestMailerVerifiesCertificate(t *testing.T) {
	for _, mode := range []TLSMode{TLSImplicit, TLSStartTLS} {
		t.Run(string(mode), func(t *testing.T) {
			srv := startSMTP(t, mode, "", "")
			o := srv.options(mode)
			o.TLSConfig = nil // system roots: the self-signed certificate is not trusted
			err := NewMailer(o).Send(context.Background(), "a@bouncer.test", []string{"b@example.com"}, []byte(testMessage))
			var unknown x509.UnknownAuthorityError
			if err == nil || !errors.As(err, &unknown) {
				t.Fatalf("Send with an untrusted certificate = %v, want an unknown authority error", err)
			}
			o.TLSConfig = &tls.Config{InsecureSkipVerify: true} // what tls_skip_verify configures
			if err := NewMailer(o).Send(context.Background(), "a@bouncer.test", []string{"b@example.com"}, []byte(testMessage)); err != nil {
				t.Fatalf("Send with verification off: %v", err)
			}
		})
	}
}

func TestMailerErrors(t *testing.T) {
	srv := startSMTP(t, TLSStartTLS, "reporter", "s3cret")
	tests := []struct {
		name  string
		edit  func(*SMTPOptions)
		check func(error) bool
	}{
		{"wrong password", func(o *SMTPOptions) { o.Password = "wrong-password-xyz" }, func(err error) bool {
			var se *smtp.SMTPError
			return errors.As(err, &se) && se.Code == 535 && !strings.Contains(err.Error(), "wrong-password-xyz")
		}},
		{"no auth", func(o *SMTPOptions) { o.Username = "" }, func(err error) bool {
			var se *smtp.SMTPError
			return errors.As(err, &se) && se.Code == 530
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := srv.options(TLSStartTLS)
			tt.edit(&o)
			err := NewMailer(o).Send(context.Background(), "a@bouncer.test", []string{"b@example.com"}, []byte(testMessage))
			if err == nil || !tt.check(err) {
				t.Errorf("Send = %v, want the %s error", err, tt.name)
			}
		})
	}
}

func TestMailerContextCancelled(t *testing.T) {
	srv := startSMTP(t, TLSNone, "", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewMailer(srv.options(TLSNone)).Send(ctx, "a@bouncer.test", []string{"b@example.com"}, []byte(testMessage))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context = %v, want context.Canceled", err)
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestInsecureAuth(t *testing.T) {
	tests := []struct {
		host   string
		secure bool
		want   error
	}{
		{"smtp.example.com", true, nil},
		{"smtp.example.com", false, ErrInsecureAuth},
		{"192.0.2.7", false, ErrInsecureAuth},
		{"localhost", false, nil},
		{"127.0.0.1", false, nil},
		{"::1", false, nil},
	}
	for _, tt := range tests {
		m := NewMailer(SMTPOptions{Host: tt.host, Username: "u", Password: "p"})
		if got := m.authAllowed(tt.secure); !errors.Is(got, tt.want) {
			t.Errorf("authAllowed(%q, tls %v) = %v, want %v", tt.host, tt.secure, got, tt.want)
		}
	}
}

// TestProbe logs in to a real SMTP server and sends nothing; a wrong
// password fails naming the user.
func TestProbe(t *testing.T) {
	srv := startSMTP(t, TLSStartTLS, "reporter", "s3cret")
	o := srv.options(TLSStartTLS)
	if err := NewMailer(o).Probe(t.Context()); err != nil {
		t.Errorf("Probe: %v", err)
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("Probe sent %d messages, want none", n)
	}
	o.Password = "wrong"
	if err := NewMailer(o).Probe(t.Context()); err == nil || !strings.Contains(err.Error(), "auth as reporter") {
		t.Errorf("Probe with a wrong password = %v, want an auth error", err)
	}
}

// A server that drops the connection at QUIT has taken the message at the
// end of DATA: Send succeeds, so the report or alert is not sent twice.
// The connection runs through a relay that closes both sides when the
// client sends QUIT, before the server can answer it.
func TestMailerQuitDropped(t *testing.T) {
	srv := startSMTP(t, TLSNone, "", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	quits := make(chan struct{}, 1)
	go func() {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		defer client.Close()
		server, err := net.Dial("tcp", net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)))
		if err != nil {
			return
		}
		defer server.Close()
		go io.Copy(client, server) //nolint:errcheck // ends when either side closes
		lines := bufio.NewReader(client)
		for {
			line, err := lines.ReadString('\n')
			if err != nil {
				return
			}
			if strings.EqualFold(strings.TrimSpace(line), "QUIT") {
				quits <- struct{}{}
				return // both connections close unanswered
			}
			if _, err := io.WriteString(server, line); err != nil {
				return
			}
		}
	}()
	o := srv.options(TLSNone)
	o.Host, o.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	if err := NewMailer(o).Send(context.Background(), "a@bouncer.test", []string{"b@example.com"}, []byte(testMessage)); err != nil {
		t.Fatalf("Send with the connection dropped at QUIT = %v, want nil (the server took the message)", err)
	}
	select {
	case <-quits:
	default:
		t.Fatal("the client never sent QUIT: the relay did not see the end of the session")
	}
	if got := srv.messages(); len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
}
