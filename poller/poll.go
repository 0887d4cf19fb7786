package poller

import "context"

// Poll runs one pass over mb: it lists the messages to handle, then for
// each batch fetches and parses them, records the batch in store, and only
// after that commit moves, deletes or flags them. It returns what it did
// even on error; on error nothing of the failed batch has been disposed of,
// and a later pass handles it again (recording it once).
//
// A nil opts means defaults. Closing opts.Stop ends the pass after the batch
// in hand with a nil error and Summary.Stopped set; cancelling ctx aborts it.
func Poll(ctx context.Context, mb Mailbox, store Store, opts *Options) (Summary, error) {
	o := opts.withDefaults()
	mb = mb.withDefaults()
	sum := Summary{Mailbox: mb.Name}
	if err := mb.validate(); err != nil {
		return sum, err
	}
	start := o.Now()
	var err error
	if mb.Protocol == ProtocolPOP3 {
		err = pollPOP3(ctx, mb, store, &o, &sum)
	} else {
		err = pollIMAP(ctx, mb, store, &o, &sum)
	}
	sum.Seconds = o.Now().Sub(start).Seconds()
	return sum, err
}
