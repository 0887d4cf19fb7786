package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/bouncer-mail/bouncer/internal/netaddr"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode says how the SMTP connection is secured.
type TLSMode string

// TLS modes.
const (
	TLSStartTLS TLSMode = "starttls" // plain connect, then STARTTLS (required); default, port 587
	TLSImplicit TLSMode = "implicit" // TLS from the first byte (SMTPS); port 465
	TLSNone     TLSMode = "none"     // no TLS; port 25. AUTH is refused unless the host is loopback
)

// ErrInsecureAuth is returned when credentials would cross an unencrypted
// connection to a host that is not loopback.
var ErrInsecureAuth = errors.New("notify: refusing to send SMTP credentials without TLS")

// SMTPOptions configure the submission server. The zero value (plus Host)
// is usable: STARTTLS on port 587, certificates verified, no AUTH.
type SMTPOptions struct {
	Host     string
	Port     int     // 0 means 587, 465 for TLSImplicit, 25 for TLSNone
	TLS      TLSMode // "" means TLSStartTLS
	Username string  // AUTH PLAIN when not empty
	Password string  // never logged nor put in an error

	// TLSConfig verifies the server; nil means the system roots and Host as
	// the name. Set RootCAs for a private CA; InsecureSkipVerify only when
	// the operator configured it.
	TLSConfig *tls.Config
	HelloName string        // EHLO name; "" means "localhost"
	Timeout   time.Duration // for the whole session unless ctx ends sooner; 0 means 2 minutes
}

// Mailer sends messages through one SMTP server. It is safe for concurrent
// use; each Send opens its own connection.
type Mailer struct {
	opts SMTPOptions
}

// NewMailer returns a Mailer for o.
func NewMailer(o SMTPOptions) *Mailer {
	if o.TLS == "" {
		o.TLS = TLSStartTLS
	}
	if o.Port == 0 {
		o.Port = map[TLSMode]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[o.TLS]
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	return &Mailer{opts: o}
}

// Addr is the host:port the Mailer connects to.
func (m *Mailer) Addr() string {
	return net.JoinHostPort(m.opts.Host, strconv.Itoa(m.opts.Port))
}

// Send delivers msg from from to every address of to in one transaction.
// Cancelling ctx aborts the session by closing its connection.
func (m *Mailer) Send(ctx context.Context, from string, to []string, msg []byte) error {
	return m.session(ctx, func(c *smtp.Client) error { return m.transact(c, from, to, msg) })
}

// session connects (within the timeout) and runs fn on the client.
func (m *Mailer) session(ctx context.Context, fn func(*smtp.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	c, err := m.connect(ctx)
	if err != nil {
		return fmt.Errorf("notify: smtp %s: %w", m.Addr(), err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	if err := fn(c); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return fmt.Errorf("notify: smtp %s: %w", m.Addr(), err)
	}
	return nil
}

func (m *Mailer) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.opts.TLSConfig != nil {
		cfg = m.opts.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = m.opts.Host
	}
	return cfg
}

// connect dials, secures the connection as configured and says hello.
func (m *Mailer) connect(ctx context.Context) (*smtp.Client, error) {
	d := &net.Dialer{}
	if m.opts.TLS == TLSImplicit {
		conn, err := (&tls.Dialer{NetDialer: d, Config: m.tlsConfig()}).DialContext(ctx, "tcp", m.Addr())
		if err != nil {
			return nil, err
		}
		return m.hello(smtp.NewClient(conn))
	}
	conn, err := d.DialContext(ctx, "tcp", m.Addr())
	if err != nil {
		return nil, err
	}
	if m.opts.TLS == TLSNone {
		return m.hello(smtp.NewClient(conn))
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	// QUIRK: go-smtp says EHLO localhost before STARTTLS; HelloName is used
	// after it, where it is protected.
	c, err := smtp.NewClientStartTLS(conn, m.tlsConfig())
	if err != nil {
		return nil, fmt.Errorf("starttls: %w", err)
	}
	return m.hello(c)
}

func (m *Mailer) helloName() string {
	if m.opts.HelloName != "" {
		return m.opts.HelloName
	}
	return "localhost"
}

func (m *Mailer) hello(c *smtp.Client) (*smtp.Client, error) {
	if err := c.Hello(m.helloName()); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// transact authenticates when configured and runs MAIL, RCPT, DATA, QUIT;
// it succeeds once the server has taken the message, whatever QUIT gets.
func (m *Mailer) transact(c *smtp.Client, from string, to []string, msg []byte) error {
	if err := m.auth(c); err != nil {
		return err
	}
	if err := c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return err
	}
	// The server took the message with its reply to the end of DATA: a
	// QUIT that fails after it (a server that drops the connection) must
	// not have the caller send the message again. The session closes the
	// connection either way.
	_ = c.Quit()
	return nil
}

// auth authenticates when a username is configured, only over TLS or to a
// loopback host.
func (m *Mailer) auth(c *smtp.Client) error {
	if m.opts.Username == "" {
		return nil
	}
	if _, secure := c.TLSConnectionState(); m.authAllowed(secure) != nil {
		return ErrInsecureAuth
	}
	if err := c.Auth(sasl.NewPlainClient("", m.opts.Username, m.opts.Password)); err != nil {
		return fmt.Errorf("auth as %s: %w", m.opts.Username, err)
	}
	return nil
}

// authAllowed says whether credentials may be sent: over TLS, or in clear
// only to a loopback host.
func (m *Mailer) authAllowed(secure bool) error {
	if secure || m.loopback() {
		return nil
	}
	return ErrInsecureAuth
}

// loopback reports whether the configured host is a loopback name or address.
func (m *Mailer) loopback() bool { return netaddr.Loopback(m.opts.Host) }
