package notify

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message the test server accepted.
type received struct {
	From string
	To   []string
	Data []byte
	User string // the authenticated user, "" without AUTH
}

// smtpServer is an in-process go-smtp server on loopback speaking the real
// protocol, recording what it receives.
type smtpServer struct {
	Host string
	Port int
	Root *x509.CertPool // trusts the server's self-signed certificate

	user, pass string // AUTH PLAIN credentials; "" accepts no AUTH
	mu         sync.Mutex
	msgs       []received
	rejectData error // when set, DATA fails with it
}

// startSMTP serves on a loopback port until the test ends. mode says how
// the server side speaks TLS: TLSImplicit wraps the listener, the others
// offer STARTTLS.
func startSMTP(t *testing.T, mode TLSMode, user, pass string) *smtpServer {
	t.Helper()
	cert, root := testenv.SelfSigned(t)
	s := &smtpServer{Root: root, user: user, pass: pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "smtp.test"
	srv.AllowInsecureAuth = true
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ErrorLog = testLogger{t}
	s.Host, s.Port = testenv.ServeSMTP(t, srv, mode == TLSImplicit)
	return s
}

// options returns SMTPOptions for this server that verify its certificate.
func (s *smtpServer) options(mode TLSMode) SMTPOptions {
	return SMTPOptions{Host: s.Host, Port: s.Port, TLS: mode, Username: s.user, Password: s.pass,
		TLSConfig: &tls.Config{RootCAs: s.Root}, HelloName: "bouncer.test", Timeout: 30 * time.Second}
}

// reject makes DATA fail with err from now on; nil accepts again.
func (s *smtpServer) reject(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectData = err
}

// messages returns what was received so far.
func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

type smtpSession struct {
	srv  *smtpServer
	user string
	cur  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if s.srv.user == "" || user != s.srv.user || pass != s.srv.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid credentials"}
		}
		s.user = user
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.cur = received{From: from, User: s.user}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.rejectData != nil {
		return s.srv.rejectData
	}
	s.cur.Data = b.Bytes()
	s.srv.msgs = append(s.srv.msgs, s.cur)
	return nil
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }
