package poller

import (
	"context"
	"time"

	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// Recorder records a batch of messages in one transaction. A message whose
// Key is already recorded changes nothing and counts as a duplicate.
// *suppression.Store satisfies it; the message and result types are
// internal/inbound's, so this package links no database.
type Recorder interface {
	Record(ctx context.Context, msgs []inbound.Message, now time.Time) (inbound.Result, error)
}

// SeenStore remembers POP3 messages left on the server (after: flag), by
// their UIDL, so later passes skip them.
type SeenStore interface {
	// SeenUIDs returns which of uidls are remembered for mailbox.
	SeenUIDs(ctx context.Context, mailbox string, uidls []string) (map[string]bool, error)
	// MarkSeen remembers uidls for mailbox; marking one twice is harmless.
	MarkSeen(ctx context.Context, mailbox string, uidls []string, now time.Time) error
	// ForgetUnlisted forgets the UIDLs of mailbox not in present (the
	// messages the server still holds), so the memory does not grow.
	ForgetUnlisted(ctx context.Context, mailbox string, present []string) error
}

// Store is everything a pass needs from storage.
type Store interface {
	Recorder
	SeenStore
}
