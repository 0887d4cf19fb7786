package suppression

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/migrations"
)

// SuppressionAdded is the data of a suppression.added event.
type SuppressionAdded struct {
	Email        string     `json:"email"`
	Domain       string     `json:"domain"`
	Source       string     `json:"source"` // bounce, complaint, manual, import
	Class        string     `json:"class,omitempty"`
	Reason       string     `json:"reason"`
	Status       string     `json:"status,omitempty"`
	Diagnostic   string     `json:"diagnostic,omitempty"`
	Stream       string     `json:"stream,omitempty"`
	SuppressedAt *time.Time `json:"suppressed_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	// Evidence are the ids of the bounce_events recorded with this change
	// that made it (bouncer suppression show lists them all).
	Evidence []int64   `json:"evidence,omitempty"`
	Actor    *ActorRef `json:"actor,omitempty"` // who, for a manual add or an import
	Note     string    `json:"note,omitempty"`
}

// ActorRef says who made a manual change, in an event.
type ActorRef struct {
	Who  string `json:"who"`
	Via  string `json:"via"`
	Note string `json:"note,omitempty"` // why, as the person wrote it
}

// SuppressionRemoved is the data of a suppression.removed event.
type SuppressionRemoved struct {
	Email  string   `json:"email"`
	Source string   `json:"source"` // of the suppression lifted
	Reason string   `json:"reason"` // of the suppression lifted
	Actor  ActorRef `json:"actor"`
}

// SuppressionExpired is the data of a suppression.expired event.
type SuppressionExpired struct {
	Email        string     `json:"email"`
	Source       string     `json:"source"`
	Reason       string     `json:"reason"`
	SuppressedAt *time.Time `json:"suppressed_at"`
	ExpiredAt    time.Time  `json:"expired_at"`
}

// EventData is the data of complaint.received and bounce.recorded: the
// stored event.
type EventData struct {
	Event
	Email string `json:"email"`
}

// addedData is the suppression.added data of an entry.
func addedData(e Entry) SuppressionAdded {
	return SuppressionAdded{Email: e.Email, Domain: e.Domain, Source: e.Source, Class: e.LastClass,
		Reason: e.SuppressedReason, Status: e.LastStatus, Diagnostic: e.LastDiagnostic,
		SuppressedAt: e.SuppressedAt, ExpiresAt: e.ExpiresAt, Note: e.Note}
}

// announcesEvents reports whether announcements name stored events (by
// id), so Record takes their ids before writing them.
func (s *Store) announcesEvents() bool {
	return s.Wants(EventSuppressionAdded) || s.Wants(EventComplaintReceived) || s.Wants(EventBounceRecorded)
}

// reserveEventIDs sets the id of each event from the bounce_events
// sequence before they are written, so the announcements of a batch can
// name them without reading them back: a block of consecutive ids, taken
// in one statement. Every writer of bounce_events holds the write lock
// (inTx), so no other transaction takes ids between the nextval and the
// setval of reservePGSQL; SQLite, one writer, continues from the table's
// AUTOINCREMENT counter.
func (s *Store) reserveEventIDs(ctx context.Context, tx *sqlx.Tx, evs []Event) error {
	q := `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'bounce_events'), (SELECT max(id) FROM bounce_events), 0) + 1`
	var args []any
	if s.dialect == migrations.Postgres {
		q, args = reservePGSQL, []any{len(evs), len(evs)}
	}
	var first int64
	if err := tx.GetContext(ctx, &first, s.q(q), args...); err != nil {
		return fmt.Errorf("event ids: %w", err)
	}
	for i := range evs {
		evs[i].ID = first + int64(i)
	}
	return nil
}

// reservePGSQL moves the bounce_events sequence on by ? values and returns
// the first of them.
const reservePGSQL = `SELECT setval('bounce_events_id_seq', nextval('bounce_events_id_seq') + ? - 1) - ? + 1`

// announceManual writes suppression.added for the entries a manual add or
// an import suppressed that were not in force before.
func (s *Store) announceManual(ctx context.Context, tx *sqlx.Tx, es []Entry, was []bool, now time.Time) error {
	if !s.Wants(EventSuppressionAdded) {
		return nil
	}
	actor := new(ActorRef(ActorFrom(ctx)))
	var out []outboxEvent
	for i, e := range es {
		if was[i] {
			continue
		}
		d := addedData(e)
		d.Class, d.Status, d.Diagnostic, d.Actor = "", "", "", actor
		out = append(out, outboxEvent{typ: EventSuppressionAdded, subject: e.Email, data: d})
	}
	return s.writeOutbox(ctx, tx, out, now, "")
}

// announceRemoved writes suppression.removed for e, lifted by Remove.
func (s *Store) announceRemoved(ctx context.Context, tx *sqlx.Tx, e Entry, now time.Time) error {
	if !s.Wants(EventSuppressionRemoved) {
		return nil
	}
	d := SuppressionRemoved{Email: e.Email, Source: e.Source, Reason: e.SuppressedReason, Actor: ActorRef(ActorFrom(ctx))}
	return s.writeOutbox(ctx, tx, []outboxEvent{{typ: EventSuppressionRemoved, subject: e.Email, data: d}}, now, "")
}

// expiredMark names the webhook_marks row up to which expiries were
// announced.
const expiredMark = "expired"

// SweepExpired announces suppression.expired for the suppressions that
// expired since the last sweep, up to now, and moves the mark to now, in
// one transaction (replicas sweeping at once announce each expiry once).
// The first sweep only sets the mark: expiries from before webhooks were
// configured are not announced. It does nothing when no endpoint is
// subscribed, and returns how many it announced.
func (s *Store) SweepExpired(ctx context.Context, now time.Time) (int, error) {
	if !s.Wants(EventSuppressionExpired) {
		return 0, nil
	}
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var mark []dbTime
		if err := tx.SelectContext(ctx, &mark, s.q(`SELECT at FROM webhook_marks WHERE name = ?`), expiredMark); err != nil {
			return err
		}
		if len(mark) == 0 {
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO webhook_marks (name, at) VALUES (?, ?)`), expiredMark, s.tv(now))
			return err
		}
		es, err := scanAll(ctx, tx, func(e *Entry) []any { return e.dests() },
			s.q(`SELECT `+entryCols+` FROM suppressions WHERE suppressed AND expires_at > ? AND expires_at <= ? ORDER BY expires_at, email`),
			s.tv(mark[0].Time), s.tv(now))
		if err != nil {
			return err
		}
		out := make([]outboxEvent, len(es))
		for i, e := range es {
			out[i] = outboxEvent{typ: EventSuppressionExpired, subject: e.Email, data: SuppressionExpired{Email: e.Email, Source: e.Source,
				Reason: e.SuppressedReason, SuppressedAt: e.SuppressedAt, ExpiredAt: e.ExpiresAt.UTC()}}
		}
		n = len(out)
		if err := s.writeOutbox(ctx, tx, out, now, ""); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE webhook_marks SET at = ? WHERE name = ?`), s.tv(now), expiredMark)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("suppression: sweep expired: %w", err)
	}
	return n, nil
}
