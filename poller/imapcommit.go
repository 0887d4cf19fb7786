package poller

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Pipeline limits of an IMAP pass.
const (
	// disposeGroup is how many committed messages the disposer gathers at
	// least before one MOVE (or STORE and EXPUNGE), and disposeCommands how
	// many groups a larger pass is split into, up to disposeGroupMax
	// messages a group: on a Maildir each command costs the server a scan
	// of both folders, so the cost of a group is a term that grows with the
	// folders plus one per message (Dovecot 2.3, 100,000 messages: 93 µs of
	// CPU per message moved in groups of 5,000, 68 in groups of 20,000, 64
	// in groups of 50,000). When the disposer lags it takes all that has
	// been committed meanwhile, up to disposeBacklog groups. After a crash,
	// what was committed but not yet disposed of (at most about three
	// groups) is fetched again and counted as duplicates; after Stop it is
	// disposed of before the pass returns.
	disposeGroup    = 5000
	disposeGroupMax = 25000
	disposeCommands = 4
	// disposeBacklog is how many groups of committed messages may wait for
	// the disposer before the committer waits for it. A waiting message
	// costs a few bytes (UID ranges), never its report.
	disposeBacklog = 2
	// fetchAhead is how many fetched batches may wait for the committer.
	// When the store lags, the committer records the waiting batches in
	// one transaction (at most mergeBatches of them), which costs it less
	// than one transaction each.
	fetchAhead   = 3
	mergeBatches = 4
	// A batch is bounded by what its reports keep alive as well as by
	// count: a hostile report keeps up to about 1 MB (100 records from a
	// 1 MiB report part). The first batch of a pass holds at most
	// firstBatch messages; each next one as many as maxBatchBytes allows
	// at the bytes per message of the one before, up to BatchSize. The
	// fetched batches not yet recorded keep at most maxHeldBytes alive: the
	// fetch waits for the committer beyond that.
	firstBatch    = 64
	maxBatchBytes = 8 << 20
	maxHeldBytes  = 24 << 20
)

// committer records fetched batches in order; a disposer then moves (or
// deletes, or flags) committed messages in groups (see groupSize), while
// later batches are fetched and recorded. After a failure nothing more is
// recorded; what was committed is still disposed of when possible.
type committer struct {
	batches chan *batch         // fetched, to record
	held    *semaphore.Weighted // bytes the fetched batches keep alive until recorded (batch.weight)
	done    chan struct{}
	failed  atomic.Bool
	dropped atomic.Bool // fetched batches were left unrecorded after Stop
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

// groupSize is the disposal group of a pass of n messages: disposeGroup,
// or a disposeCommands-th of a larger pass, at most disposeGroupMax;
// override (tests) wins.
func groupSize(n, override int) int {
	if override > 0 {
		return override
	}
	return min(disposeGroupMax, max(disposeGroup, (n+disposeCommands-1)/disposeCommands))
}

// startCommitter starts the committer and the disposer. second, when not
// nil, delivers the disposer's own session (see openDisposeConn).
func (p *imapPass) startCommitter(ctx context.Context, total int, second <-chan *imapConn) *committer {
	c := &committer{batches: make(chan *batch, fetchAhead), held: semaphore.NewWeighted(maxHeldBytes), done: make(chan struct{})}
	q := newDisposeQueue(max(p.group, p.o.BatchSize))
	p.sum.Waiting = total
	go func() {
		defer q.close()
		for b := range c.batches {
			group := p.gather(b, c.batches)
			msgs, err := readyAll(group, p.o.Now)
			release := func() {
				for _, b := range group {
					c.held.Release(b.weight)
				}
			}
			if c.failed.Load() {
				release()
				continue // drain: nothing after a failure is recorded or disposed of
			}
			if p.o.stopping() {
				release()
				c.dropped.Store(true) // left in the mailbox for the next pass
				continue
			}
			if err == nil {
				err = p.record(ctx, msgs)
			}
			release() // the reports are recorded; disposal keeps UIDs only
			if err != nil {
				c.fail(err)
				continue
			}
			for _, b := range group {
				q.put(b)
			}
		}
	}()
	go func() {
		defer close(c.done)
		p.disposeLoop(ctx, c, q, total, second)
	}()
	return c
}

// gather returns b with the batches already waiting behind it, up to
// p.merge in all, to be recorded in one transaction.
func (p *imapPass) gather(b *batch, waiting <-chan *batch) []*batch {
	group := []*batch{b}
	for len(group) < p.merge {
		select {
		case next, ok := <-waiting:
			if !ok {
				return group
			}
			group = append(group, next)
		default:
			return group
		}
	}
	return group
}

// readyAll waits for the parses of every batch in group and returns their
// messages in order, or the first read error.
func readyAll(group []*batch, now func() time.Time) ([]*fetched, error) {
	if len(group) == 1 {
		return group[0].ready(now)
	}
	n := 0
	for _, b := range group {
		n += len(b.items)
	}
	all := make([]*fetched, 0, n)
	var first error
	for _, b := range group {
		msgs, err := b.ready(now) // waits even after an error: parses write into b
		if err != nil && first == nil {
			first = err
		}
		all = append(all, msgs...)
	}
	if first != nil {
		return nil, first
	}
	return all, nil
}

// record records one batch; nothing of it is disposed of unless it succeeds.
func (p *imapPass) record(ctx context.Context, msgs []*fetched) error {
	if err := record(ctx, p.store, msgs, p.o, p.sum); err != nil {
		return fmt.Errorf("poller: %s: %w", p.mb.Name, err)
	}
	return nil
}

// disposeQueue hands committed batches from the committer to the disposer,
// as the disposal of their UIDs. The committer never waits for a MOVE
// unless disposeBacklog groups are waiting already.
type disposeQueue struct {
	mu     sync.Mutex
	cond   sync.Cond
	d      disposal
	group  int  // messages the disposer waits for before a command
	closed bool // nothing more will be put
}

func newDisposeQueue(group int) *disposeQueue {
	q := &disposeQueue{group: group}
	q.cond.L = &q.mu
	return q
}

// put adds a committed batch, waiting while the backlog is full.
func (q *disposeQueue) put(b *batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.d.n >= disposeBacklog*q.group {
		q.cond.Wait()
	}
	q.d.add(b)
	if q.d.n >= q.group {
		q.cond.Broadcast()
	}
}

// close says that nothing more will be put.
func (q *disposeQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// take waits for a group, or for the queue to be closed, and returns all
// that is waiting; last reports that the queue is closed and now empty.
func (q *disposeQueue) take() (d disposal, last bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.d.n < q.group && !q.closed {
		q.cond.Wait()
	}
	d, q.d = q.d, disposal{}
	q.cond.Broadcast()
	return d, q.closed
}

// disposeLoop disposes of committed messages as the queue hands them over
// and reports progress. It uses the session second delivers when not nil,
// else the pass's own.
func (p *imapPass) disposeLoop(ctx context.Context, c *committer, q *disposeQueue, total int, second <-chan *imapConn) {
	ic := p.ic
	// session waits for the disposer's session, unless the pass is
	// cancelled first: its dial does not heed ctx (up to DialTimeout).
	session := func() (*imapConn, error) {
		if second != nil {
			select {
			case dc := <-second:
				ic, second = dc, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return ic, nil
	}
	defer func() {
		if second != nil {
			// Never used (the pass failed or stopped first): do not wait
			// for a dial that may take up to Options.DialTimeout.
			go func(second <-chan *imapConn) {
				if ic := <-second; ic != p.ic {
					ic.logout()
				}
			}(second)
		} else if ic != p.ic {
			ic.logout()
		}
	}()
	handled := 0
	for {
		d, last := q.take()
		if d.n > 0 || d.asked > 0 {
			dc, err := session()
			if err == nil {
				err = p.disposeNow(ctx, &d, dc)
			}
			if err != nil {
				c.fail(err)
			} else {
				handled += d.asked
				if p.o.Progress != nil {
					p.o.Progress(ProgressInfo{Mailbox: p.mb.Name, Done: handled, Total: total})
				}
			}
		}
		if last {
			return
		}
	}
}

// disposeNow disposes of d unless the pass was cancelled.
func (p *imapPass) disposeNow(ctx context.Context, d *disposal, ic *imapConn) error {
	if err := ctx.Err(); err != nil {
		return err // cancelled: recorded, still in the mailbox; the next pass finishes it
	}
	if p.o.beforeDispose != nil {
		p.o.beforeDispose(d.done, d.failed)
	}
	if err := ic.dispose(p.mb, d); err != nil {
		return fmt.Errorf("poller: %s: %w", p.mb.Name, err)
	}
	p.sum.Waiting -= d.asked
	return nil
}

// openDisposeConn opens the disposer's own session on the pass's folder
// while the pass starts fetching: an IMAP server runs one session's
// commands one after another, so a MOVE of a group on the pass's
// connection would stall the FETCH of the next batches for as long as it
// takes (on a large Maildir, a third of the pass). It is opened only for a
// pass of more than one group; when it cannot be opened, or its folder's
// UIDVALIDITY is not the pass's (the folder was re-created meanwhile, and
// the pass's UIDs name other messages there), the pass's connection is
// used.
func (p *imapPass) openDisposeConn(ctx context.Context) <-chan *imapConn {
	ch := make(chan *imapConn, 1)
	go func() { ch <- p.disposeConn(ctx) }()
	return ch
}

func (p *imapPass) disposeConn(ctx context.Context) *imapConn {
	dc, err := dialIMAP(ctx, p.mb, p.o)
	if err == nil {
		err = dc.selectFolder(p.mb)
		if err == nil && dc.uidValidity != p.ic.uidValidity {
			err = fmt.Errorf("poller: %s: %s: UIDVALIDITY %d, the pass's is %d", p.mb.Name, p.mb.Folder, dc.uidValidity, p.ic.uidValidity)
		}
		if err != nil {
			dc.close()
		}
	}
	if err != nil {
		p.o.Logger.Debug("second session for moves refused: moving on the pass's session",
			slog.String("mailbox", p.mb.Name), slog.String("err", err.Error()))
		return p.ic
	}
	return dc
}
