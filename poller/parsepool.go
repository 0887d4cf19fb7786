package poller

import (
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// Buffering limits of the parse pool: a message up to bufferLimit bytes is
// read whole and parsed on another core while the connection is read on;
// at most bufferBudget bytes wait for a parser at once. Larger messages,
// and any that would overflow the budget, are hashed and parsed as they
// stream, holding no more than the parser's own cap.
const (
	bufferLimit  = 256 << 10
	bufferBudget = 32 << 20
)

// parsePool parses buffered messages on several goroutines.
type parsePool struct {
	jobs   chan parseJob
	budget *semaphore.Weighted
	wg     sync.WaitGroup
}

type parseJob struct {
	buf  []byte
	out  *fetched
	done *sync.WaitGroup
}

// newParsePool starts n parsers, each with its own copy of rd's settings
// (its buffers are its own).
func newParsePool(rd reader, n int) *parsePool {
	p := &parsePool{jobs: make(chan parseJob, 2*n), budget: semaphore.NewWeighted(bufferBudget)}
	for range n {
		p.wg.Go(func() {
			r := reader{ctx: rd.ctx, mailbox: rd.mailbox, parse: rd.parse, verifier: rd.verifier, stream: rd.stream}
			for j := range p.jobs {
				j.out.msg, j.out.err = r.readBytes(j.buf, j.out.date)
				p.budget.Release(int64(len(j.buf)))
				j.done.Done()
			}
		})
	}
	return p
}

// reserve claims room for a message of size bytes; false means parse it
// inline.
func (p *parsePool) reserve(size int64) bool {
	return size <= bufferLimit && p.budget.TryAcquire(size)
}

// submit queues a reserved, fully read message for parsing into out.
func (p *parsePool) submit(buf []byte, out *fetched, done *sync.WaitGroup) {
	done.Add(1)
	p.jobs <- parseJob{buf: buf, out: out, done: done}
}

// close stops the parsers once the queued jobs are done.
func (p *parsePool) close() {
	close(p.jobs)
	p.wg.Wait()
}

// batch is one fetched batch on its way to the store.
type batch struct {
	uids   int // UIDs asked for (some may have vanished meanwhile)
	items  []*fetched
	wg     sync.WaitGroup // parses still running
	weight int64          // bytes held for it in committer.held
}

// recordBytes is about what a dsn.Recipient keeps beyond its text.
const recordBytes = 320

// retained estimates the bytes the batch's parsed messages keep alive
// until recorded: the text of their reports and their records.
func (b *batch) retained() int64 {
	var n int64
	for _, f := range b.items {
		m := f.msg
		n += int64(256 + len(m.ParseError) + len(m.Subject) + len(m.From))
		if r := m.Report; r != nil {
			n += int64(len(r.Recipients) * recordBytes)
			for _, rc := range r.Recipients {
				n += int64(len(rc.FinalRecipient) + len(rc.OriginalRecipient) + len(rc.Action) + len(rc.Status) +
					len(rc.ReportedStatus) + len(rc.ReplyCode) + len(rc.Diagnostic) + len(rc.DiagnosticType) +
					len(rc.Command) + len(rc.RemoteMTA) + len(rc.FeedbackType))
			}
			for _, s := range r.Problems {
				n += int64(len(s))
			}
		}
	}
	return n
}

// nextSize is how many messages the next batch may hold: as many as
// maxBatchBytes allows at this batch's bytes per message, from 1 to limit.
func (b *batch) nextSize(limit int) int {
	if len(b.items) == 0 {
		return limit
	}
	per := max(1, b.retained()/int64(len(b.items)))
	return int(max(1, min(int64(limit), maxBatchBytes/per)))
}

// ready waits for the batch's parses and returns its messages, with the
// receive time defaulted to now, or the first read error.
func (b *batch) ready(now func() time.Time) ([]*fetched, error) {
	b.wg.Wait()
	for _, f := range b.items {
		if f.err != nil {
			return nil, f.err
		}
		if f.msg.ReceivedAt.IsZero() {
			f.msg.ReceivedAt = now()
		}
	}
	return b.items, nil
}
