package poller

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"
)

// Probe connects to mb, logs in as a pass would and, on IMAP, opens its
// folder read-only, then logs out; it changes nothing. It is what
// "bouncer config check --connect" runs for each mailbox.
func Probe(ctx context.Context, mb Mailbox, opts *Options) error {
	o := opts.withDefaults()
	op := &o
	if mb.Protocol == ProtocolPOP3 {
		c, stop, err := dialPOP3(ctx, mb, op)
		if err != nil {
			return err
		}
		defer stop()
		defer c.Close()
		if err := c.Noop(); err != nil {
			return fmt.Errorf("poller: %s: noop: %w", mb.Name, err)
		}
		return c.Quit()
	}
	ic, err := dialIMAP(ctx, mb, op)
	if err != nil {
		return err
	}
	defer ic.logout()
	if _, err := ic.c.Select(mb.Folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return ic.serverClosed(fmt.Errorf("poller: %s: open folder %q: %w", mb.Name, mb.Folder, err))
	}
	return nil
}
