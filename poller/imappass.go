package poller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/emersion/go-imap/v2"
)

// pollIMAP runs one pass over an IMAP mailbox, adding what it did to sum.
func pollIMAP(ctx context.Context, mb Mailbox, store Recorder, o *Options, sum *Summary) error {
	ic, err := dialIMAP(ctx, mb, o)
	if err != nil {
		return err
	}
	defer ic.close()
	return ic.serverClosed(ic.pass(ctx, mb, store, o, sum))
}

// pass is pollIMAP's work on the logged-in connection.
func (ic *imapConn) pass(ctx context.Context, mb Mailbox, store Recorder, o *Options, sum *Summary) error {
	if !ic.move && !ic.uidplus && mb.After != AfterFlag {
		o.Logger.Warn("server has neither MOVE nor UIDPLUS: recorded messages are copied and flagged, never expunged",
			slog.String("mailbox", mb.Name))
	}
	if err := ic.prepare(mb); err != nil {
		return err
	}
	uids, err := ic.pending(o.IncludeFlagged)
	if err != nil {
		return fmt.Errorf("poller: %s: search %s: %w", mb.Name, mb.Folder, err)
	}
	p := &imapPass{ic: ic, mb: mb, store: store, o: o, sum: sum,
		rd: &reader{ctx: ctx, mailbox: mb.Name, parse: o.Parse, verifier: o.Verifier, stream: o.Stream}, group: groupSize(len(uids), o.disposeGroup)}
	p.merge = cmp.Or(o.mergeBatches, mergeBatches)
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
	return ic.selectFolder(mb)
}

// selectFolder selects the folder the pass reads and notes its UIDVALIDITY.
func (ic *imapConn) selectFolder(mb Mailbox) error {
	data, err := ic.c.Select(mb.Folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("poller: %s: select %s: %w", mb.Name, mb.Folder, err)
	}
	ic.uidValidity = data.UIDValidity
	return nil
}

// pending lists the UIDs to handle: every message not yet flagged as
// processed nor marked deleted. UIDs are read afresh on every pass and
// never stored, so a UIDVALIDITY change needs no bookkeeping: renumbered
// messages are fetched again and the ledger's content key makes recording
// them a no-op before they are disposed of. flagged includes the messages
// flagged as processed (Options.IncludeFlagged).
func (ic *imapConn) pending(flagged bool) ([]imap.UID, error) {
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{ProcessedKeyword, imap.FlagDeleted}}
	if flagged {
		criteria.NotFlag = []imap.Flag{imap.FlagDeleted}
	}
	data, err := ic.c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return nil, err
	}
	return data.AllUIDs(), nil
}

// imapPass is the batch loop of one IMAP pass. It runs as a pipeline: this
// goroutine fetches the next batches (parse-pool goroutines parse their
// messages) while a committer records the batches fetched before, and a
// disposer moves committed messages in groups (see disposeGroup), never
// before their commit, through a second session when the pass holds more
// than one group. A FETCH is always read to its end before the batch is
// handed on, so a MOVE never waits behind data nobody reads.
type imapPass struct {
	ic    *imapConn
	mb    Mailbox
	store Recorder
	o     *Options
	sum   *Summary
	rd    *reader
	group int // committed messages per disposal (see groupSize)
	merge int // fetched batches recorded in one transaction at most: mergeBatches, 1 in some tests
}

func (p *imapPass) run(ctx context.Context, uids []imap.UID) error {
	pool := newParsePool(*p.rd, runtime.GOMAXPROCS(0))
	defer pool.close()
	var second <-chan *imapConn
	if len(uids) > max(p.group, p.o.BatchSize) {
		second = p.openDisposeConn(ctx)
	}
	c := p.startCommitter(ctx, len(uids), second)
	var ferr error
	stopped := false
	size := min(p.o.BatchSize, firstBatch)
	for lo, hi := 0, 0; lo < len(uids) && !c.failed.Load(); lo = hi {
		if p.o.stopping() {
			stopped = true
			break
		}
		hi = min(lo+size, len(uids))
		b, err := p.ic.fetch(uids[lo:hi], p.rd, pool)
		b.wg.Wait() // its parses: what it keeps alive is known
		if err != nil {
			ferr = fmt.Errorf("poller: %s: fetch: %w", p.mb.Name, err)
			break
		}
		b.weight = min(b.retained(), maxHeldBytes)
		if err := c.held.Acquire(ctx, b.weight); err != nil {
			ferr = fmt.Errorf("poller: %s: %w", p.mb.Name, err)
			break
		}
		// The next size is read from b before the committer owns it: once
		// sent, recordEach may replace a refused message (a data race).
		size = b.nextSize(p.o.BatchSize)
		c.batches <- b
	}
	close(c.batches)
	<-c.done
	p.sum.Stopped = stopped || c.dropped.Load()
	return errors.Join(c.err, ferr)
}
