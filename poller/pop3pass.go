package poller

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/emersion/go-sasl"

	"github.com/bouncer-mail/bouncer/poller/pop3"
)

// dialPOP3 connects and logs in; the connection is closed when ctx ends.
func dialPOP3(ctx context.Context, mb Mailbox, o *Options) (*pop3.Client, func() bool, error) {
	tlsCfg, err := tlsConfig(mb)
	if err != nil {
		return nil, nil, err
	}
	d := &net.Dialer{Timeout: o.DialTimeout}
	var c *pop3.Client
	if mb.TLS == TLSImplicit {
		c, err = pop3.DialTLS(d, mb.addr(), tlsCfg)
	} else {
		c, err = pop3.Dial(d, mb.addr())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("poller: %s: connect %s: %w", mb.Name, mb.addr(), err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	if err := pop3Login(ctx, c, mb, tlsCfg); err != nil {
		stop()
		c.Close()
		return nil, nil, fmt.Errorf("poller: %s: %w", mb.Name, err)
	}
	return c, stop, nil
}

// pop3Login upgrades with STLS when configured, then authenticates:
// XOAUTH2 when configured, AUTH PLAIN when configured and advertised, else
// USER/PASS.
func pop3Login(ctx context.Context, c *pop3.Client, mb Mailbox, tlsCfg *tls.Config) error {
	caps, err := c.Capa()
	if err != nil {
		return err
	}
	if mb.TLS == TLSStartTLS {
		if err := c.StartTLS(tlsCfg); err != nil {
			return err
		}
		if caps, err = c.Capa(); err != nil { // capabilities may change after STLS
			return err
		}
	}
	switch {
	case mb.Auth == AuthXOAUTH2:
		token, err := bearerToken(ctx, mb)
		if err != nil {
			return err
		}
		x := newXOAUTH2Client(mb.Username, token)
		return x.refused(c.Auth(x))
	case mb.Auth == AuthPlain && hasSASL(caps, sasl.Plain):
		return c.Auth(sasl.NewPlainClient("", mb.Username, mb.Password))
	default:
		return c.User(mb.Username, mb.Password)
	}
}

func hasSASL(caps map[string][]string, mech string) bool {
	for _, m := range caps["SASL"] {
		if m == mech {
			return true
		}
	}
	return false
}

// pollPOP3 runs one pass over a POP3 mailbox: RETR → parse → record the
// batch → only then DELE (after: move or delete; POP3 has no folders, so
// move means delete) or remember the UIDL (after: flag). Messages that are
// not reports or cannot be parsed are left on the server and remembered, so
// they never block the rest. Deletions take effect at QUIT; a connection
// lost before it deletes nothing, and the next pass records the messages
// once more as duplicates before deleting them.
func pollPOP3(ctx context.Context, mb Mailbox, store Store, o *Options, sum *Summary) error {
	c, stop, err := dialPOP3(ctx, mb, o)
	if err != nil {
		return err
	}
	defer stop()
	defer c.Close()
	todo, err := pop3Pending(ctx, c, mb, store, sum, o.IncludeFlagged)
	if err != nil {
		return err
	}
	p := &pop3Pass{c: c, mb: mb, store: store, o: o, sum: sum,
		rd: &reader{ctx: ctx, mailbox: mb.Name, parse: o.Parse, verifier: o.Verifier, stream: o.Stream}}
	err = eachBatch(len(todo), mb.Name, o, sum, func(lo, hi int) error {
		return p.batch(ctx, todo[lo:hi])
	})
	if err != nil {
		return fmt.Errorf("poller: %s: %w", mb.Name, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("poller: %s: %w", mb.Name, err)
	}
	keptMessages.WithLabelValues(mb.Name).Set(float64(sum.Skipped + p.kept))
	return nil
}

// pop3Pending lists the messages not remembered by UIDL (all of them when
// flagged: Options.IncludeFlagged). The UIDLs remembered for messages no
// longer on the server are forgotten first.
func pop3Pending(ctx context.Context, c *pop3.Client, mb Mailbox, store SeenStore, sum *Summary, flagged bool) ([]pop3.MessageInfo, error) {
	list, err := c.UIDL()
	if err != nil {
		return nil, fmt.Errorf("poller: %s: %w", mb.Name, err)
	}
	uidls := make([]string, len(list))
	for i, mi := range list {
		uidls[i] = mi.UID
	}
	if err := store.ForgetUnlisted(ctx, mb.Name, uidls); err != nil {
		return nil, fmt.Errorf("poller: %s: forget uidls: %w", mb.Name, err)
	}
	if flagged {
		return list, nil
	}
	seen, err := store.SeenUIDs(ctx, mb.Name, uidls)
	if err != nil {
		return nil, fmt.Errorf("poller: %s: seen uidls: %w", mb.Name, err)
	}
	todo := list[:0]
	for _, mi := range list {
		if !seen[mi.UID] {
			todo = append(todo, mi)
		}
	}
	sum.Skipped += len(list) - len(todo)
	return todo, nil
}

// pop3Pass is the batch loop of one POP3 pass.
type pop3Pass struct {
	c     *pop3.Client
	mb    Mailbox
	store Store
	o     *Options
	sum   *Summary
	rd    *reader
	kept  int // messages of this pass left on the server
}

func (p *pop3Pass) batch(ctx context.Context, infos []pop3.MessageInfo) error {
	msgs := make([]*fetched, 0, len(infos))
	for _, mi := range infos {
		r, err := p.c.Retr(mi.Num)
		if err != nil {
			return err
		}
		msg, err := p.rd.read(r, p.o.Now().UTC())
		if err != nil {
			return fmt.Errorf("RETR %d: %w", mi.Num, err)
		}
		msgs = append(msgs, &fetched{uidl: mi.UID, num: mi.Num, msg: msg})
	}
	if err := record(ctx, p.store, msgs, p.o, p.sum); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // cancelled: recorded, still on the server; the next pass finishes it
	}
	return p.dispose(ctx, msgs)
}

// dispose deletes or remembers the messages of a committed batch.
func (p *pop3Pass) dispose(ctx context.Context, msgs []*fetched) error {
	var keep []string
	for _, f := range msgs {
		if f.failed() || p.mb.After == AfterFlag {
			keep = append(keep, f.uidl)
			continue
		}
		if err := p.c.Dele(f.num); err != nil {
			return err
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if err := p.store.MarkSeen(ctx, p.mb.Name, keep, p.o.Now()); err != nil {
		return fmt.Errorf("remember uidls: %w", err)
	}
	p.kept += len(keep)
	return nil
}
