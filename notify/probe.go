package notify

import (
	"context"
	"fmt"

	"github.com/emersion/go-sasl"
)

// Probe connects to the SMTP server, secures the connection and
// authenticates as Send would, then quits without sending. It is what
// "bouncer config check --connect" runs.
func (m *Mailer) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	c, err := m.connect(ctx)
	if err != nil {
		return fmt.Errorf("notify: smtp %s: %w", m.Addr(), err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	if m.opts.Username != "" {
		if _, secure := c.TLSConnectionState(); m.authAllowed(secure) != nil {
			return fmt.Errorf("notify: smtp %s: %w", m.Addr(), ErrInsecureAuth)
		}
		if err := c.Auth(sasl.NewPlainClient("", m.opts.Username, m.opts.Password)); err != nil {
			return fmt.Errorf("notify: smtp %s: auth as %s: %w", m.Addr(), m.opts.Username, err)
		}
	}
	return c.Quit()
}
