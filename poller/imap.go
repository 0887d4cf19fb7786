package poller

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// imapConn is a logged-in IMAP connection with the capabilities read once at
// connect.
type imapConn struct {
	c       *imapclient.Client
	conn    *byeConn    // the server's last BYE; nil with STARTTLS (see dialIMAPClient)
	stop    func() bool // undoes the context bridge
	move    bool        // MOVE (RFC 6851) or IMAP4rev2
	uidplus bool        // UIDPLUS (RFC 4315) or IMAP4rev2: UID EXPUNGE is safe
	// uidValidity is the UIDVALIDITY of the selected folder: a pass's UIDs
	// name the same messages in another session only when it is the same.
	uidValidity uint32
}

// dialIMAP connects and logs in. The connection is closed when ctx ends, as
// go-imap takes no context; the caller closes it when done.
func dialIMAP(ctx context.Context, mb Mailbox, o *Options) (*imapConn, error) {
	tlsCfg, err := tlsConfig(mb)
	if err != nil {
		return nil, err
	}
	opts := &imapclient.Options{TLSConfig: tlsCfg, Dialer: &net.Dialer{Timeout: o.DialTimeout}}
	c, conn, err := dialIMAPClient(ctx, mb, opts)
	if err != nil {
		return nil, fmt.Errorf("poller: %s: connect %s: %w", mb.Name, mb.addr(), err)
	}
	ic := &imapConn{c: c, conn: conn, stop: context.AfterFunc(ctx, func() { c.Close() })}
	if err := ic.login(ctx, mb); err != nil {
		ic.close()
		return nil, ic.serverClosed(err)
	}
	caps := c.Caps() // after login: servers advertise more to a logged-in client
	ic.move = caps.Has(imap.CapMove)
	ic.uidplus = caps.Has(imap.CapUIDPlus)
	return ic, nil
}

// dialIMAPClient connects as mb.TLS says. With implicit TLS or none the
// client reads through a byeConn, which keeps the server's last BYE;
// STARTTLS is left to go-imap, which puts TLS between the connection and
// the reader, so there the BYE text is not kept (conn is nil).
func dialIMAPClient(ctx context.Context, mb Mailbox, opts *imapclient.Options) (*imapclient.Client, *byeConn, error) {
	if mb.TLS == TLSStartTLS {
		c, err := imapclient.DialStartTLS(mb.addr(), opts)
		return c, nil, err
	}
	var raw net.Conn
	var err error
	if mb.TLS == TLSImplicit {
		cfg := opts.TLSConfig.Clone()
		if cfg.NextProtos == nil {
			cfg.NextProtos = []string{"imap"} // as imapclient.DialTLS does
		}
		raw, err = (&tls.Dialer{NetDialer: opts.Dialer, Config: cfg}).DialContext(ctx, "tcp", mb.addr())
	} else {
		raw, err = opts.Dialer.DialContext(ctx, "tcp", mb.addr())
	}
	if err != nil {
		return nil, nil, err
	}
	conn := &byeConn{Conn: raw}
	return imapclient.New(conn, opts), conn, nil
}

// serverClosed adds the server's last BYE, when there was one, to err.
func (ic *imapConn) serverClosed(err error) error {
	if ic.conn == nil {
		return err
	}
	return ic.conn.serverClosed(err)
}

// close drops the connection without LOGOUT (see logout).
func (ic *imapConn) close() {
	ic.stop()
	ic.c.Close()
}

// logout ends the session politely and closes the connection.
func (ic *imapConn) logout() {
	ic.c.Logout().Wait() // the connection is closed either way
	ic.close()
}

// login authenticates with the strongest method mb allows.
func (ic *imapConn) login(ctx context.Context, mb Mailbox) error {
	if err := ic.c.WaitGreeting(); err != nil {
		return fmt.Errorf("poller: %s: greeting: %w", mb.Name, err)
	}
	client, err := imapSASL(ctx, mb, ic.c.Caps())
	if err != nil {
		return err
	}
	if client != nil {
		err = ic.c.Authenticate(client)
		if x, ok := client.(*xoauth2Client); ok {
			err = x.refused(err)
		}
	} else {
		err = ic.c.Login(mb.Username, mb.Password).Wait()
	}
	if err != nil {
		return fmt.Errorf("poller: %s: log in as %s: %w", mb.Name, mb.Username, err)
	}
	return nil
}

// imapSASL picks the SASL client for mb: XOAUTH2 when configured, else
// the configured PLAIN or LOGIN mechanism when advertised, else nil for the
// LOGIN command.
func imapSASL(ctx context.Context, mb Mailbox, caps imap.CapSet) (sasl.Client, error) {
	if mb.Auth == AuthXOAUTH2 {
		token, err := bearerToken(ctx, mb)
		if err != nil {
			return nil, err
		}
		return newXOAUTH2Client(mb.Username, token), nil
	}
	switch {
	case mb.Auth == AuthPlain && caps.Has(imap.AuthCap(sasl.Plain)):
		return sasl.NewPlainClient("", mb.Username, mb.Password), nil
	case mb.Auth == AuthLogin && caps.Has(imap.AuthCap(sasl.Login)):
		return sasl.NewLoginClient(mb.Username, mb.Password), nil
	}
	return nil, nil
}

// ensureFolder creates name unless it exists.
func (ic *imapConn) ensureFolder(name string) error {
	list, err := ic.c.List("", name, nil).Collect()
	if err != nil {
		return fmt.Errorf("poller: list %s: %w", name, err)
	}
	if len(list) > 0 {
		return nil
	}
	err = ic.c.Create(name, nil).Wait()
	var ierr *imap.Error
	if errors.As(err, &ierr) && ierr.Code == imap.ResponseCodeAlreadyExists {
		return nil
	}
	if err != nil {
		return fmt.Errorf("poller: create %s: %w", name, err)
	}
	return nil
}
