package poller

import (
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

var fetchOptions = &imap.FetchOptions{
	UID:          true,
	InternalDate: true,
	BodySection:  []*imap.FetchItemBodySection{{Peek: true}},
}

// fetch reads the messages of uids to the end of the FETCH response: small
// ones are buffered and handed to the parse pool, large ones are hashed and
// parsed as they stream. Messages expunged by another client meanwhile are
// simply absent. On error the batch is returned too, so its parses can be
// waited for. Scattered UIDs are fetched in several commands of at most
// maxRanges ranges each, so a large batch_size never makes a command line
// longer than servers accept.
func (ic *imapConn) fetch(uids []imap.UID, rd *reader, pool *parsePool) (*batch, error) {
	b := &batch{uids: len(uids)}
	err := inChunks(imap.UIDSetNum(uids...), func(set imap.UIDSet) error {
		return ic.fetchInto(b, set, rd, pool)
	})
	return b, err
}

// fetchInto adds the messages of one FETCH command to b.
func (ic *imapConn) fetchInto(b *batch, set imap.UIDSet, rd *reader, pool *parsePool) error {
	cmd := ic.c.Fetch(set, fetchOptions)
	defer cmd.Close()
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		f, buf, err := readFetch(m, rd, pool)
		if err != nil {
			// The stream is broken: close the connection before the
			// deferred Close discards what is left, so go-imap's reader
			// goroutine has stopped by then.
			ic.c.Close()
			return err
		}
		if f == nil {
			continue
		}
		b.items = append(b.items, f)
		if buf != nil {
			pool.submit(buf, f, &b.wg)
		}
	}
	return cmd.Close()
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
