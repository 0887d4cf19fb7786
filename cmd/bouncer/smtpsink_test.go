package main

import (
	"io"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// smtpSink is an in-process go-smtp server on loopback, speaking the real
// protocol without TLS or AUTH, that counts the messages it accepts
// (report send's tests; notify's own tests have the full server).
type smtpSink struct {
	Host string
	Port int
	mu   sync.Mutex
	n    int
}

// startSMTPSink serves until the test ends.
func startSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{s}, nil }))
	srv.Domain = "sink.test"
	s.Host, s.Port = testenv.ServeSMTP(t, srv, false)
	return s
}

// received returns how many messages the sink has accepted.
func (s *smtpSink) received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

type sinkSession struct{ s *smtpSink }

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }

func (ss sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.n++
	return nil
}
