package notify

import (
	"context"

	"github.com/emersion/go-smtp"
)

// Probe connects to the SMTP server, secures the connection and
// authenticates as Send would, then quits without sending. It is what
// "bouncer config check --connect" runs.
func (m *Mailer) Probe(ctx context.Context) error {
	return m.session(ctx, func(c *smtp.Client) error {
		if err := m.auth(c); err != nil {
			return err
		}
		return c.Quit()
	})
}
