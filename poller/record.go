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
