package poller

import (
	"context"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Recorder records a batch of messages in one transaction. A message whose
// Key is already recorded changes nothing and counts as a duplicate.
// *suppression.Store satisfies it.
type Recorder interface {
	Record(ctx context.Context, msgs []suppression.Message, now time.Time) (suppression.Result, error)
}

// SeenStore remembers POP3 messages left on the server (after: flag), by
// their UIDL, so later passes skip them.
type SeenStore interface {
	// SeenUIDs returns which of uidls are remembered for mailbox.
	SeenUIDs(ctx context.Context, mailbox string, uidls []string) (map[string]bool, error)
	// MarkSeen remembers uidls for mailbox; marking one twice is harmless.
	MarkSeen(ctx context.Context, mailbox string, uidls []string, now time.Time) error
}

// Store is everything a pass needs from storage.
type Store interface {
	Recorder
	SeenStore
}
