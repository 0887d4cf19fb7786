package poller

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/bouncer-mail/bouncer/dsn"
)

// DefaultBatchSize is how many messages one fetch and one Record call hold.
const DefaultBatchSize = 500

// Verifier decides whether a message arrived on a valid signed return path.
// header is the raw header block of the bounce message (capped at
// HeaderPrefix bytes); recipient is the address the token names, or "". A
// nil Verifier verifies nothing. ctx is the pass's: a look-up it makes (a
// reference token resolved in the store) ends when the pass is cancelled.
type Verifier func(ctx context.Context, report *dsn.Report, header []byte) (verified bool, recipient string)

// Progress is told how far a pass has got after every batch.
type Progress func(p ProgressInfo)

// ProgressInfo is a pass's position.
type ProgressInfo struct {
	Mailbox string
	Done    int // messages handled so far in this pass
	Total   int // messages the pass found to handle
}

// Options tunes a pass. A nil *Options is equivalent to a zero Options,
// and every zero field means its default.
type Options struct {
	// BatchSize is how many messages one fetch and one Record call hold;
	// default DefaultBatchSize. An IMAP pass whose store lags records the
	// batches fetched meanwhile in one Record call (up to four).
	BatchSize int

	// Parse is handed to dsn.ParseWithOptions for every message (its size
	// cap, the extra headers the Verifier reads); nil: dsn's defaults.
	Parse *dsn.Options

	Verifier Verifier // nil: no message is verified
	// Stream attributes a parsed report to its stream (see verp streams);
	// nil: every report is in inbound.DefaultStream.
	Stream   func(ctx context.Context, report *dsn.Report) string
	Logger   *slog.Logger // nil: discard
	Progress Progress     // nil: none
	Now      func() time.Time

	// Stop, when closed, asks the pass to finish the batch in hand and
	// return without starting another (the first step of a shutdown);
	// batches fetched ahead but not yet recorded are left in the mailbox.
	// Cancelling the context instead aborts the batch in hand: nothing of
	// it is committed or disposed of.
	Stop <-chan struct{}

	DialTimeout time.Duration // default 30s

	// IncludeFlagged also fetches the messages an earlier after: flag left
	// in the mailbox (IMAP: those with ProcessedKeyword; POP3: remembered
	// UIDLs), for a mailbox switched to after: move or delete: the ledger
	// knows them (duplicates, nothing counts again) and they are disposed
	// of as after: now says. Without it they are skipped forever.
	IncludeFlagged bool

	disposeGroup int // IMAP messages disposed of at once; 0: see groupSize (tests set less)
	mergeBatches int // IMAP batches recorded in one transaction at most; 0: mergeBatches (tests set 1)
	// beforeDispose, when set (tests), runs before each disposal command
	// group of an IMAP pass, with the UIDs about to be disposed of.
	beforeDispose func(done, failed imap.UIDSet)
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.BatchSize <= 0 {
		r.BatchSize = DefaultBatchSize
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.DialTimeout <= 0 {
		r.DialTimeout = 30 * time.Second
	}
	return r
}

// stopping reports whether Stop has been closed.
func (o *Options) stopping() bool {
	select {
	case <-o.Stop:
		return true
	default:
		return false
	}
}
