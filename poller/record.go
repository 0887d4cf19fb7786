package poller

import (
	"context"
	"fmt"

	"github.com/bouncer-mail/bouncer/suppression"
)

// record hands a batch to the store in one call and adds the outcome to sum.
// Nothing in the batch may be disposed of unless it returns nil.
func record(ctx context.Context, store Recorder, batch []*fetched, o *Options, sum *Summary) error {
	if len(batch) == 0 {
		return nil
	}
	msgs := make([]suppression.Message, len(batch))
	for i, f := range batch {
		msgs[i] = f.msg
		sum.addMessage(f)
	}
	res, err := store.Record(ctx, msgs, o.Now())
	if err != nil {
		return fmt.Errorf("record %d messages: %w", len(msgs), err)
	}
	sum.addResult(res)
	return nil
}

// eachBatch calls fn for consecutive batches [lo, hi) of n messages. It
// stops before a batch once o.Stop is closed, keeps sum.Waiting at what is
// left, and reports progress after each batch.
func eachBatch(n int, mailbox string, o *Options, sum *Summary, fn func(lo, hi int) error) error {
	sum.Waiting = n
	for lo := 0; lo < n; lo += o.BatchSize {
		if o.stopping() {
			sum.Stopped = true
			return nil
		}
		hi := min(lo+o.BatchSize, n)
		if err := fn(lo, hi); err != nil {
			return err
		}
		sum.Waiting -= hi - lo
		if o.Progress != nil {
			o.Progress(ProgressInfo{Mailbox: mailbox, Done: hi, Total: n})
		}
	}
	return nil
}
