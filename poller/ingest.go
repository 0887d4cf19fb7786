package poller

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrEmpty reports an ingested input that held no message at all.
var ErrEmpty = errors.New("poller: empty message")

// Ingest records one message read from r (an MTA pipe: Postfix pipe, Exim
// transport, procmail) through the same parse and record path as a pass,
// labelled with mailbox in the ledger. A message that is not a report or
// cannot be parsed is recorded (quarantined), not refused. An error
// wrapping ErrRead means r failed; any other error but ErrEmpty means the
// store failed, and the message is not recorded: ask the MTA to retry.
func Ingest(ctx context.Context, r io.Reader, mailbox string, rec Recorder, opts *Options) (Summary, error) {
	o := opts.withDefaults()
	sum := Summary{Mailbox: mailbox}
	start := o.Now()
	cr := &countReader{r: r}
	rd := &reader{ctx: ctx, mailbox: mailbox, parse: o.Parse, verifier: o.Verifier, stream: o.Stream}
	msg, err := rd.read(cr, start.UTC())
	if err != nil {
		return sum, err
	}
	if cr.n == 0 {
		return sum, ErrEmpty
	}
	if err := record(ctx, rec, []*fetched{{msg: msg}}, &o, &sum); err != nil {
		return sum, fmt.Errorf("poller: ingest: %w", err)
	}
	sum.Seconds = o.Now().Sub(start).Seconds()
	return sum, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
