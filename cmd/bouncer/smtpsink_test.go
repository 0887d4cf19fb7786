package main

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l) //nolint:errcheck // returns when closed
	}()
	t.Cleanup(func() {
		srv.Close()
		l.Close()
		<-done
	})
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
