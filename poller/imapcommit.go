package poller

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// committer records fetched batches in order, and a disposer moves (or
// deletes, or flags) each batch once its commit is done, grouping the
// batches that wait into one command while the next batch is recorded.
// After a failure both stages drain what is left without touching it.
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
	committed := make(chan *batch, 8)
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

// disposeLoop disposes of committed batches, several at a time when they
// queue up, and reports progress.
func (p *imapPass) disposeLoop(ctx context.Context, c *committer, committed <-chan *batch, total int) {
	handled := 0
	for b := range committed {
		group := []*batch{b}
		for len(committed) > 0 {
			group = append(group, <-committed)
		}
		var msgs []*fetched
		uids := 0
		for _, g := range group {
			msgs, uids = append(msgs, g.items...), uids+g.uids
		}
		if err := ctx.Err(); err != nil {
			c.fail(err) // cancelled: recorded, still in the mailbox; the next pass finishes it
			continue
		}
		if err := p.ic.dispose(p.mb, msgs); err != nil {
			c.fail(fmt.Errorf("poller: %s: %w", p.mb.Name, err))
			continue
		}
		handled += uids
		p.sum.Waiting -= uids
		if p.o.Progress != nil {
			p.o.Progress(ProgressInfo{Mailbox: p.mb.Name, Done: handled, Total: total})
		}
	}
}
