package suppression

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Webhook event types: the changes the store announces through its outbox
// (webhook_outbox, webhookstream.go), written in the transaction of the
// change itself.
const (
	EventSuppressionAdded   = "suppression.added"   // an address became suppressed (events, by hand, import)
	EventSuppressionRemoved = "suppression.removed" // a person lifted a suppression (Remove)
	EventSuppressionExpired = "suppression.expired" // a suppression reached its expiry (SweepExpired)
	EventComplaintReceived  = "complaint.received"  // a complaint was recorded, suppressing or not
	EventBounceRecorded     = "bounce.recorded"     // any recipient event was recorded (high volume: opt in)
	EventAlertPrefix        = "alert."              // alert.poll_failures, alert.block_cluster, …
	EventPing               = "webhook.ping"        // `bouncer webhooks test`
)

// EventTypes are the event types a subscription may name, besides "alert.*"
// and the alert types themselves.
var EventTypes = []string{EventSuppressionAdded, EventSuppressionRemoved, EventSuppressionExpired,
	EventComplaintReceived, EventBounceRecorded}

// Subscription is one webhook endpoint and the event types it receives:
// exact names, or a prefix ending in ".*" ("alert.*", "suppression.*").
type Subscription struct {
	Endpoint string
	Events   []string
}

// matches reports whether the subscription takes events of type typ.
func (sub Subscription) matches(typ string) bool {
	for _, e := range sub.Events {
		if e == typ || e == "*" || strings.HasSuffix(e, ".*") && strings.HasPrefix(typ, strings.TrimSuffix(e, "*")) {
			return true
		}
	}
	return false
}

// endpointsFor returns the endpoints subscribed to typ; none when webhooks
// are off, so a change costs nothing more then.
func (s *Store) endpointsFor(typ string) []string {
	var out []string
	for _, sub := range s.opts.Webhooks {
		if sub.matches(typ) {
			out = append(out, sub.Endpoint)
		}
	}
	return out
}

// Wants reports whether some endpoint is subscribed to events of type typ.
func (s *Store) Wants(typ string) bool { return len(s.endpointsFor(typ)) > 0 }

// outboxEvent is one event to announce: its subject (the address it is
// about) and its data, the body's "data" member.
type outboxEvent struct {
	typ, subject string
	data         any
	id           string // its webhook-id; "" for a new one
}

// NewEventID returns a new webhook-id: "msg_" and 26 base32 characters
// (128 random bits).
func NewEventID() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // never fails (crypto/rand)
	return eventID(b[:])
}

// eventIDEncoding is base32 (RFC 4648) in lower case, unpadded.
var eventIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// eventID is the webhook-id of 16 random bytes.
func eventID(b []byte) string {
	return "msg_" + eventIDEncoding.EncodeToString(b)
}

// writeOutbox writes evs, each for the endpoints subscribed to its type
// (or, when only is not empty, for that endpoint alone), in tx: one outbox
// row (kind rowEvents) carrying them all, whatever their number. Events no
// endpoint wants are dropped; nothing is written when none is left.
func (s *Store) writeOutbox(ctx context.Context, tx *sqlx.Tx, evs []outboxEvent, now time.Time, only string) error {
	eps := map[string][]string{} // by type
	counts := map[string]int{}
	o := openObject(make([]byte, 0, 512*len(evs)))
	o.key("items")
	o.b = append(o.b, '[')
	n := 0
	for _, e := range evs {
		to, ok := eps[e.typ]
		if !ok {
			to = s.endpointsFor(e.typ)
			if only != "" {
				to = []string{only}
			}
			eps[e.typ] = to
		}
		if len(to) == 0 {
			continue
		}
		if n > 0 {
			o.b = append(o.b, ',')
		}
		n++
		it := openObject(o.b)
		it.str("id", cmp.Or(e.id, NewEventID()))
		it.str("type", e.typ)
		it.str("subject", e.subject)
		it.strs("to", to)
		it.key("body")
		b, err := appendBody(it.b, e.typ, now, e.data)
		if err != nil {
			return fmt.Errorf("outbox: %s: %w", e.typ, err)
		}
		it.b = b
		o.b = it.close()
		for _, ep := range to {
			counts[ep]++
		}
	}
	if n == 0 {
		return nil
	}
	o.b = append(o.b, ']')
	var names []string
	for _, sub := range s.opts.Webhooks {
		if counts[sub.Endpoint] > 0 {
			names = append(names, sub.Endpoint)
		}
	}
	if only != "" && !slices.Contains(names, only) {
		names = append(names, only)
	}
	return s.writeStream(ctx, tx, now, names, counts, rowEvents, o.close())
}

// Announce writes one event of type typ about subject (alerts, pings) in
// a transaction of its own, for the endpoints subscribed to typ, or only
// for endpoint when it is not empty (a test ping). It returns the event's
// id, or "" when no endpoint takes it.
func (s *Store) Announce(ctx context.Context, typ, subject, endpoint string, data any, now time.Time) (string, error) {
	if endpoint == "" && !s.Wants(typ) {
		return "", nil
	}
	id := NewEventID()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.writeOutbox(ctx, tx, []outboxEvent{{typ: typ, subject: subject, data: data, id: id}}, now, endpoint)
	})
	if err != nil {
		return "", fmt.Errorf("suppression: announce %s: %w", typ, err)
	}
	return id, nil
}

// inTxPlain runs fn in a transaction without the suppressions write lock
// (outbox bookkeeping that changes no suppression).
func (s *Store) inTxPlain(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
