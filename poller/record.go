package poller

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// record hands a batch to the store in one call and adds the outcome to sum.
// Nothing in the batch may be disposed of unless it returns nil. When the
// store refuses the batch, its messages are retried one at a time (see
// recordEach), so one message the store cannot take never blocks the rest.
func record(ctx context.Context, store Recorder, batch []*fetched, o *Options, sum *Summary) error {
	if len(batch) == 0 {
		return nil
	}
	msgs := make([]inbound.Message, len(batch))
	for i, f := range batch {
		msgs[i] = f.msg
	}
	res, err := store.Record(ctx, msgs, o.Now())
	if err != nil && ctx.Err() == nil && !inbound.Transient(err) {
		res, err = recordEach(ctx, store, batch, o)
	}
	if err != nil {
		return fmt.Errorf("record %d messages: %w", len(msgs), err)
	}
	for _, f := range batch {
		f.held = f.held || res.HeldKeys[f.msg.Key]
		sum.Fetched++
		if f.failed() {
			sum.Held++
		}
	}
	sum.addResult(res)
	return nil
}

// recordEach records the messages of a refused batch one at a time. A
// message refused alone (hostile bytes the database rejects) is recorded
// as quarantined instead, without its report, and goes to the failed
// folder. A transient failure (the database went away or is busy: see
// inbound.Transient) quarantines nothing: a valid report set aside
// during a blip would never count. It is returned, as is a refused
// quarantine (the store itself is failing), and nothing is disposed of.
func recordEach(ctx context.Context, store Recorder, batch []*fetched, o *Options) (inbound.Result, error) {
	total := inbound.Result{ByClass: map[dsn.Class]int{}}
	for _, f := range batch {
		res, err := store.Record(ctx, []inbound.Message{f.msg}, o.Now())
		if err != nil && (ctx.Err() != nil || inbound.Transient(err)) {
			return total, err
		}
		if err != nil {
			q := quarantined(f.msg, err)
			if res, err = store.Record(ctx, []inbound.Message{q}, o.Now()); err != nil {
				return total, err
			}
			f.msg = q
			o.Logger.Warn("message quarantined: the store refused it",
				slog.String("mailbox", q.Mailbox), slog.String("key", q.Key), slog.String("err", q.ParseError))
		}
		addResults(&total, res)
	}
	return total, nil
}

// quarantined is m without its report, its text made safe for any store.
func quarantined(m inbound.Message, cause error) inbound.Message {
	subject, from := m.Subject, m.From
	if m.Report != nil {
		subject, from = m.Report.Message.Subject, m.Report.Message.From
	}
	return inbound.Message{Key: m.Key, Mailbox: m.Mailbox, ReceivedAt: m.ReceivedAt,
		ParseError: safeText("refused by the store: " + cause.Error()),
		Subject:    safeText(subject), From: safeText(from)}
}

// safeText drops NUL bytes and replaces invalid UTF-8.
func safeText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

func addResults(total *inbound.Result, r inbound.Result) {
	total.Messages += r.Messages
	total.Duplicates += r.Duplicates
	total.Unparsed += r.Unparsed
	total.Events += r.Events
	total.NoRecipient += r.NoRecipient
	total.NotReports += r.NotReports
	total.NoRecipientMsgs += r.NoRecipientMsgs
	total.RedactedComplaints += r.RedactedComplaints
	for k := range r.HeldKeys {
		if total.HeldKeys == nil {
			total.HeldKeys = map[string]bool{}
		}
		total.HeldKeys[k] = true
	}
	for c, n := range r.ByClass {
		total.ByClass[c] += n
	}
	total.NewlySuppressed = append(total.NewlySuppressed, r.NewlySuppressed...)
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
