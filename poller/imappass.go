package poller

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// pollIMAP runs one pass over an IMAP mailbox, adding what it did to sum.
func pollIMAP(ctx context.Context, mb Mailbox, store Recorder, o *Options, sum *Summary) error {
	ic, err := dialIMAP(ctx, mb, o)
	if err != nil {
		return err
	}
	defer ic.close()
	if !ic.move && !ic.uidplus && mb.After != AfterFlag {
		o.Logger.Warn("server has neither MOVE nor UIDPLUS: recorded messages are copied and flagged, never expunged",
			slog.String("mailbox", mb.Name))
	}
	if err := ic.prepare(mb); err != nil {
		return err
	}
	uids, err := ic.pending()
	if err != nil {
		return fmt.Errorf("poller: %s: search %s: %w", mb.Name, mb.Folder, err)
	}
	p := &imapPass{ic: ic, mb: mb, store: store, o: o, sum: sum,
		rd: &reader{mailbox: mb.Name, parse: o.Parse, verifier: o.Verifier}}
	if err := p.run(ctx, uids); err != nil {
		return err
	}
	ic.logout()
	return nil
}

// prepare creates the folders the pass may move to and selects the folder
// it reads.
func (ic *imapConn) prepare(mb Mailbox) error {
	folders := []string{mb.FailedFolder}
	if mb.After == AfterMove {
		folders = append(folders, mb.ProcessedFolder)
	}
	for _, f := range folders {
		if err := ic.ensureFolder(f); err != nil {
			return fmt.Errorf("poller: %s: %w", mb.Name, err)
		}
	}
	if _, err := ic.c.Select(mb.Folder, nil).Wait(); err != nil {
		return fmt.Errorf("poller: %s: select %s: %w", mb.Name, mb.Folder, err)
	}
	return nil
}

// pending lists the UIDs to handle: every message not yet flagged as
// processed nor marked deleted. UIDs are read afresh on every pass and
// never stored, so a UIDVALIDITY change needs no bookkeeping: renumbered
// messages are fetched again and the ledger's content key makes recording
// them a no-op before they are disposed of.
func (ic *imapConn) pending() ([]imap.UID, error) {
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{ProcessedKeyword, imap.FlagDeleted}}
	data, err := ic.c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return nil, err
	}
	return data.AllUIDs(), nil
}

// imapPass is the batch loop of one IMAP pass. It runs as a pipeline: this
// goroutine fetches batch k+1 (parse-pool goroutines parse its messages)
// while a committer records batch k and only then disposes of it. A FETCH
// is always read to its end before the batch is handed on, so the
// committer's MOVE never waits behind data nobody reads.
type imapPass struct {
	ic    *imapConn
	mb    Mailbox
	store Recorder
	o     *Options
	sum   *Summary
	rd    *reader
}

func (p *imapPass) run(ctx context.Context, uids []imap.UID) error {
	pool := newParsePool(*p.rd, runtime.GOMAXPROCS(0))
	defer pool.close()
	c := p.startCommitter(ctx, len(uids))
	var ferr error
	for lo := 0; lo < len(uids) && !c.failed.Load(); lo += p.o.BatchSize {
		if p.o.stopping() {
			p.sum.Stopped = true
			break
		}
		b, err := p.ic.fetch(uids[lo:min(lo+p.o.BatchSize, len(uids))], p.rd, pool)
		if err != nil {
			b.wg.Wait()
			ferr = fmt.Errorf("poller: %s: fetch: %w", p.mb.Name, err)
			break
		}
		c.batches <- b
	}
	close(c.batches)
	<-c.done
	return errors.Join(c.err, ferr)
}

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

var fetchOptions = &imap.FetchOptions{
	UID:          true,
	InternalDate: true,
	BodySection:  []*imap.FetchItemBodySection{{Peek: true}},
}

// fetch reads the messages of uids to the end of the FETCH response: small
// ones are buffered and handed to the parse pool, large ones are hashed and
// parsed as they stream. Messages expunged by another client meanwhile are
// simply absent. On error the batch is returned too, so its parses can be
// waited for.
func (ic *imapConn) fetch(uids []imap.UID, rd *reader, pool *parsePool) (*batch, error) {
	b := &batch{uids: len(uids)}
	cmd := ic.c.Fetch(imap.UIDSetNum(uids...), fetchOptions)
	defer cmd.Close()
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		f, buf, err := readFetch(m, rd, pool)
		if err != nil {
			// The stream is broken: close the connection before the
			// deferred Close discards what is left, so go-imap's reader
			// goroutine has stopped by then.
			ic.c.Close()
			return b, err
		}
		if f == nil {
			continue
		}
		b.items = append(b.items, f)
		if buf != nil {
			pool.submit(buf, f, &b.wg)
		}
	}
	return b, cmd.Close()
}

// readFetch reads one FETCH response; nil when it carries no body. The
// returned buffer, when not nil, holds the whole message, reserved in the
// pool and still to be parsed into f.
func readFetch(m *imapclient.FetchMessageData, rd *reader, pool *parsePool) (*fetched, []byte, error) {
	var f fetched
	var buf []byte
	body := false
	for item := m.Next(); item != nil; item = m.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			f.uid = uint32(it.UID)
		case imapclient.FetchItemDataInternalDate:
			f.date = it.Time.UTC()
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				continue
			}
			var err error
			buf, err = readBody(it.Literal, rd, pool, &f)
			if err != nil {
				return nil, nil, err
			}
			body = true
		}
	}
	if !body || f.uid == 0 {
		if buf != nil {
			pool.budget.Release(int64(len(buf)))
		}
		return nil, nil, nil
	}
	if buf == nil {
		f.msg.ReceivedAt = f.date
	}
	return &f, buf, nil
}

// readBody buffers a body the pool has room for, else parses it inline into f.
func readBody(lit imap.LiteralReader, rd *reader, pool *parsePool, f *fetched) ([]byte, error) {
	if size := lit.Size(); pool.reserve(size) {
		buf := make([]byte, size)
		if _, err := io.ReadFull(lit, buf); err != nil {
			pool.budget.Release(size)
			return nil, fmt.Errorf("%w: %w", ErrRead, err)
		}
		return buf, nil
	}
	msg, err := rd.read(lit, time.Time{})
	if err != nil {
		return nil, err
	}
	f.msg = msg
	return nil, nil
}
