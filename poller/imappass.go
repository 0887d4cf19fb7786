package poller

import (
	"context"
	"fmt"
	"log/slog"
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

// imapPass is the batch loop of one IMAP pass.
type imapPass struct {
	ic    *imapConn
	mb    Mailbox
	store Recorder
	o     *Options
	sum   *Summary
	rd    *reader
}

func (p *imapPass) run(ctx context.Context, uids []imap.UID) error {
	return eachBatch(len(uids), p.mb.Name, p.o, p.sum, func(lo, hi int) error {
		return p.batch(ctx, uids[lo:hi])
	})
}

// batch fetches, records and then disposes of one batch.
func (p *imapPass) batch(ctx context.Context, uids []imap.UID) error {
	msgs, err := p.ic.fetch(uids, p.rd, p.o.Now)
	if err != nil {
		return fmt.Errorf("poller: %s: fetch: %w", p.mb.Name, err)
	}
	if err := record(ctx, p.store, msgs, p.o, p.sum); err != nil {
		return fmt.Errorf("poller: %s: %w", p.mb.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return err // cancelled: recorded, still in the mailbox; the next pass finishes it
	}
	if err := p.ic.dispose(p.mb, msgs); err != nil {
		return fmt.Errorf("poller: %s: %w", p.mb.Name, err)
	}
	return nil
}

var fetchOptions = &imap.FetchOptions{
	UID:          true,
	InternalDate: true,
	BodySection:  []*imap.FetchItemBodySection{{Peek: true}},
}

// fetch streams the bodies of uids through rd, one message at a time.
// Messages expunged by another client meanwhile are simply absent.
func (ic *imapConn) fetch(uids []imap.UID, rd *reader, now func() time.Time) ([]*fetched, error) {
	cmd := ic.c.Fetch(imap.UIDSetNum(uids...), fetchOptions)
	defer cmd.Close()
	var out []*fetched
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		f, err := readFetch(m, rd)
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue
		}
		if f.msg.ReceivedAt.IsZero() {
			f.msg.ReceivedAt = now()
		}
		out = append(out, f)
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// readFetch reads one FETCH response; nil when it carries no body.
func readFetch(m *imapclient.FetchMessageData, rd *reader) (*fetched, error) {
	var f fetched
	var date time.Time
	body := false
	for item := m.Next(); item != nil; item = m.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			f.uid = uint32(it.UID)
		case imapclient.FetchItemDataInternalDate:
			date = it.Time
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				continue
			}
			msg, err := rd.read(it.Literal, time.Time{})
			if err != nil {
				return nil, err
			}
			f.msg, body = msg, true
		}
	}
	if !body || f.uid == 0 {
		return nil, nil
	}
	f.msg.ReceivedAt = date.UTC()
	return &f, nil
}
