package suppression

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Webhook event types: the changes the store announces through its outbox
// (webhook_deliveries), written in the transaction of the
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

// writeOutbox writes evs, each for the endpoints subscribed to its type, in
// tx: one multi-row statement (COPY on Postgres) for the whole set,
// whatever its size. Events no endpoint wants are dropped. The bodies are
// written into one buffer (each type's head, with the shared timestamp,
// made once) and the random part of the ids read at once.
func (s *Store) writeOutbox(ctx context.Context, tx *sqlx.Tx, evs []outboxEvent, now time.Time) error {
	type head struct {
		eps  []string
		head []byte // {"type":…,"timestamp":…,"data":
	}
	heads := map[string]*head{}
	buf := make([]byte, 0, 512*len(evs))                               // about a body each
	ends, wanted := make([]int, 0, len(evs)), make([]int, 0, len(evs)) // wanted: indexes into evs
	for i, e := range evs {
		h := heads[e.typ]
		if h == nil {
			h = &head{eps: s.endpointsFor(e.typ)}
			h.head = appendHead(nil, e.typ, now)
			heads[e.typ] = h
		}
		if len(h.eps) == 0 {
			continue
		}
		b, err := appendData(append(buf, h.head...), e.data)
		if err != nil {
			return fmt.Errorf("outbox: %s: %w", e.typ, err)
		}
		buf, ends, wanted = append(b, '}'), append(ends, len(b)+1), append(wanted, i)
	}
	if len(wanted) == 0 {
		return nil
	}
	random := make([]byte, 16*len(wanted))
	rand.Read(random) //nolint:errcheck // never fails (crypto/rand)
	bodies := string(buf)
	n := 0
	for _, i := range wanted {
		n += len(heads[evs[i].typ].eps)
	}
	str := func() []string { return make([]string, 0, n) }
	id, typ, endpoint, subject, body := str(), str(), str(), str(), str()
	from := 0
	for k, i := range wanted {
		e, eid, b := evs[i], eventID(random[16*k:16*k+16]), bodies[from:ends[k]]
		from = ends[k]
		for _, ep := range heads[e.typ].eps {
			id, typ, endpoint, subject, body = append(id, eid), append(typ, e.typ), append(endpoint, ep), append(subject, e.subject), append(body, b)
		}
	}
	times := make([]time.Time, len(id))
	for i := range times {
		times[i] = now
	}
	rows := new(batch).text("event_id", id).text("type", typ).text("endpoint", endpoint).text("subject", subject).
		text("body", body).time("queued_at", times).time("next_at", times)
	if err := s.appendRows(ctx, tx, "webhook_deliveries", rows); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// Announce writes one event of type typ about subject (alerts, pings) in
// a transaction of its own, for the endpoints subscribed to typ, or only
// for endpoint when it is not empty (a test ping). It returns the event's
// id, or "" when no endpoint takes it.
func (s *Store) Announce(ctx context.Context, typ, subject, endpoint string, data any, now time.Time) (string, error) {
	eps := s.endpointsFor(typ)
	if endpoint != "" {
		eps = []string{endpoint}
	}
	if len(eps) == 0 {
		return "", nil
	}
	body, err := appendBody(nil, typ, now, data)
	if err != nil {
		return "", fmt.Errorf("suppression: announce %s: %w", typ, err)
	}
	id := NewEventID()
	err = s.inTxPlain(ctx, func(tx *sqlx.Tx) error {
		for _, ep := range eps {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO webhook_deliveries (event_id, type, endpoint, subject, body, queued_at, next_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`), id, typ, ep, subject, string(body), s.tv(now), s.tv(now)); err != nil {
				return err
			}
		}
		return nil
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
