package poller

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
)

// committer records fetched batches in order; a disposer then moves (or
// deletes, or flags) committed messages in groups of disposeGroup, while
// later batches are fetched and recorded. After a failure nothing more is
// recorded; what was committed is still disposed of when possible.
type committer struct {
	batches chan *batch // fetched, to record
	done    chan struct{}
	failed  atomic.Bool
	mu      sync.Mutex
	err     error // the first failure; read after done is closed
}

func (c *committer) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	c.failed.Store(true)
}

func (p *imapPass) startCommitter(ctx context.Context, total int) *committer {
	c := &committer{batches: make(chan *batch), done: make(chan struct{})}
	committed := make(chan *batch, 2)
	p.sum.Waiting = total
	go func() {
		defer close(committed)
		for b := range c.batches {
			msgs, err := b.ready(p.o.Now)
			if c.failed.Load() {
				continue // drain: nothing after a failure is recorded or disposed of
			}
			if err == nil {
				err = p.record(ctx, msgs)
			}
			if err != nil {
				c.fail(err)
				continue
			}
			committed <- b
		}
	}()
	go func() {
		defer close(c.done)
		p.disposeLoop(ctx, c, committed, total)
	}()
	return c
}

// record records one batch; nothing of it is disposed of unless it succeeds.
func (p *imapPass) record(ctx context.Context, msgs []*fetched) error {
	if err := record(ctx, p.store, msgs, p.o, p.sum); err != nil {
		return fmt.Errorf("poller: %s: %w", p.mb.Name, err)
	}
	return nil
}

// disposeGroup is how many committed messages the disposer gathers before
// one MOVE (or STORE and EXPUNGE): on a large Maildir each command costs
// the server a rewrite of its index, so fewer, larger commands drain a big
// mailbox several times faster. The rest is disposed of when the pass ends.
// After a crash up to this many recorded messages are fetched again and
// counted as duplicates. Groups disposed of while the pass still fetches go
// through a second session (see disposeConn).
const disposeGroup = 5000

// disposeLoop disposes of committed batches, disposeGroup messages at a
// time (at least one batch), and reports progress.
func (p *imapPass) disposeLoop(ctx context.Context, c *committer, committed <-chan *batch, total int) {
	handled := 0
	var d disposal
	var dc *imapConn // the disposer's session, opened for the first group disposed of mid-pass
	defer func() {
		if dc != nil && dc != p.ic {
			dc.logout()
		}
	}()
	flush := func(ic *imapConn) {
		if d.n == 0 && d.asked == 0 {
			return
		}
		if err := p.disposeNow(ctx, &d, ic); err != nil {
			c.fail(err)
		} else {
			handled += d.asked
			if p.o.Progress != nil {
				p.o.Progress(ProgressInfo{Mailbox: p.mb.Name, Done: handled, Total: total})
			}
		}
		d = disposal{}
	}
	for b := range committed {
		d.add(b)
		if d.n >= max(p.group, p.o.BatchSize) {
			if dc == nil && handled+d.asked < total { // the pass still fetches
				dc = p.disposeConn(ctx)
			}
			flush(cmp.Or(dc, p.ic))
		}
	}
	flush(cmp.Or(dc, p.ic))
}

// disposeNow disposes of d unless the pass was cancelled.
func (p *imapPass) disposeNow(ctx context.Context, d *disposal, ic *imapConn) error {
	if err := ctx.Err(); err != nil {
		return err // cancelled: recorded, still in the mailbox; the next pass finishes it
	}
	if err := ic.dispose(p.mb, d); err != nil {
		return fmt.Errorf("poller: %s: %w", p.mb.Name, err)
	}
	p.sum.Waiting -= d.asked
	return nil
}

// disposeConn opens the disposer's own session on the pass's folder: an IMAP
// server runs one session's commands one after another, so a MOVE of a
// group on the pass's connection would stall the FETCH of the next batches
// for as long as it takes (on a large Maildir, a third of the pass). It is
// opened only for a group disposed of while the pass still fetches; when it
// cannot be opened, the pass's connection is used.
func (p *imapPass) disposeConn(ctx context.Context) *imapConn {
	dc, err := dialIMAP(ctx, p.mb, p.o)
	if err == nil {
		if _, err = dc.c.Select(p.mb.Folder, nil).Wait(); err != nil {
			dc.close()
		}
	}
	if err != nil {
		p.o.Logger.Debug("second session for moves refused: moving on the pass's session",
			slog.String("mailbox", p.mb.Name), slog.String("error", err.Error()))
		return p.ic
	}
	return dc
}
