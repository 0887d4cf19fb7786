package suppression

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/migrations"
)

// Delivery states (webhook_deliveries.state).
const (
	DeliveryPending = "pending" // waiting for its first or next attempt
	DeliveryDead    = "dead"    // given up: too old (max_age) to retry
)

// Delivery is one event to send to one endpoint.
type Delivery struct {
	ID         int64      `json:"id"`
	EventID    string     `json:"event_id"` // the webhook-id, the same on every attempt
	Type       string     `json:"type"`
	Endpoint   string     `json:"endpoint"`
	Subject    string     `json:"subject"`
	State      string     `json:"state"`
	Attempts   int        `json:"attempts"`
	QueuedAt   time.Time  `json:"queued_at"`
	NextAt     time.Time  `json:"next_at"`
	LastAt     *time.Time `json:"last_at,omitempty"`
	LastStatus int        `json:"last_status,omitempty"`
	LastError  string     `json:"last_error,omitempty"` // in full
	// LastCause says in a few words why the last attempt failed
	// ("connection refused", "HTTP 400 Bad Request"); "" for a delivery
	// that failed before bouncer kept it.
	LastCause string `json:"last_cause,omitempty"`
	// LaterSent counts, on a dead delivery, the later events about its
	// subject that the endpoint accepted after it died (a dead delivery
	// does not hold them back); LaterType is the type of the newest.
	LaterSent int    `json:"later_sent,omitempty"`
	LaterType string `json:"later_type,omitempty"`
	// LaterUnknown marks a delivery that died before bouncer counted later
	// events (migration 00076): some may have been sent after it that
	// LaterSent does not count.
	LaterUnknown bool   `json:"later_unknown,omitempty"`
	Body         []byte `json:"-"` // the event's JSON body (claims, and the events not tried yet)
}

// DeliveryResult is the outcome of one attempt, for FinishDeliveries.
type DeliveryResult struct {
	ID      int64
	OK      bool      // sent: the endpoint answered 2xx
	Skipped bool      // not tried: an earlier delivery about its subject failed in the same pass
	Dead    bool      // failed and not to be tried again
	NextAt  time.Time // failed, not dead: the next attempt
	Status  int       // the HTTP status, 0 when there was none
	Error   string    // why it failed, in full
	Cause   string    // why it failed, in a few words
}

// deliveryColumns are the columns of a Delivery but its body, in dests'
// order; deliveryCols names them on the alias d.
const deliveryColumns = `id, event_id, type, endpoint, subject, state, attempts, queued_at, next_at, last_at, last_status, last_error,
  last_cause, later_sent, later_type, later_unknown`

var deliveryCols = "d." + strings.NewReplacer(", ", ", d.", ",\n  ", ", d.").Replace(deliveryColumns)

func (d *Delivery) dests() []any {
	return []any{&d.ID, &d.EventID, &d.Type, &d.Endpoint, &d.Subject, &d.State, &d.Attempts, timeInto{&d.QueuedAt},
		timeInto{&d.NextAt}, nullTimeInto{&d.LastAt}, &d.LastStatus, &d.LastError, &d.LastCause, &d.LaterSent, &d.LaterType,
		&d.LaterUnknown}
}

// walkSQL reads a page of an endpoint's pending deliveries after id ?, in
// id order (webhook_deliveries_queue_idx), due or not, leased or not.
const walkSQL = `SELECT id, subject, next_at, locked_until FROM webhook_deliveries
WHERE state = 'pending' AND endpoint = ? AND id > ? ORDER BY id LIMIT ?`

// leaseSQL leases (locked_until = ?) the deliveries of a set that are
// still pending and not leased at ? and returns them with their bodies.
// %s is the set's condition, then on Postgres its locking clause.
const leaseSQL = `UPDATE webhook_deliveries SET locked_until = ? WHERE id IN (
SELECT id FROM webhook_deliveries WHERE %s AND state = 'pending' AND (locked_until IS NULL OR locked_until <= ?)%s)
RETURNING ` + deliveryColumns + `, body`

// Claims walk at most claimWalk rows from the head of an endpoint's queue,
// claimPage at a time.
const (
	claimPage = 250
	claimWalk = 5000
)

// ClaimDeliveries takes up to limit deliveries of endpoint that are due at
// now and holds them for lease: no other dispatcher (replica) takes them
// until then. First the deliveries tracked in webhook_deliveries (retries
// and those queued behind them), then events read from the outbox stream
// from the endpoint's cursor. Events about one address go out one at a
// time, in order: a tracked delivery is the oldest pending of its subject,
// and a stream event about an address with a pending tracked delivery is
// not handed out but queued behind it (by FinishDeliveries). Each returned
// delivery carries its body. A dispatcher that dies holding some leaves
// them to be claimed again once the lease ends (at least once).
func (s *Store) ClaimDeliveries(ctx context.Context, endpoint string, limit int, now time.Time, lease time.Duration) (*Claim, error) {
	c := &Claim{Endpoint: endpoint}
	ds, err := s.claimTracked(ctx, endpoint, limit, now, lease)
	if err != nil {
		return nil, fmt.Errorf("suppression: claim deliveries: %w", err)
	}
	c.Deliveries = ds
	// A read of the stream that hands out nothing (all of it queued behind
	// tracked deliveries) moves the cursor: read on, a few times.
	for range 10 {
		if len(c.Deliveries) >= limit {
			break
		}
		read, err := s.claimStream(ctx, c, limit-len(c.Deliveries), now, lease)
		if err != nil {
			return nil, fmt.Errorf("suppression: claim deliveries: %w", err)
		}
		if !read || c.stream != nil {
			break
		}
	}
	if c.dead, err = s.deadSubjects(ctx, endpoint, c.Deliveries); err != nil {
		return nil, errors.Join(fmt.Errorf("suppression: claim deliveries: %w", err), s.ReleaseClaim(ctx, c))
	}
	return c, nil
}

// deadSubjects returns the subjects among ds that have a dead delivery of
// endpoint: an event about one that is sent is counted on those
// (Delivery.LaterSent).
func (s *Store) deadSubjects(ctx context.Context, endpoint string, ds []Delivery) (map[string]bool, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var subjects []string
	for _, d := range ds {
		if !seen[d.Subject] {
			seen[d.Subject] = true
			subjects = append(subjects, d.Subject)
		}
	}
	cond, arg := s.inList("subject", subjects)
	var dead []string
	if err := sqlx.SelectContext(ctx, s.db, &dead, s.q(`SELECT DISTINCT subject FROM webhook_deliveries
WHERE endpoint = ? AND state = 'dead' AND `+cond), endpoint, arg); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, d := range dead {
		out[d] = true
	}
	return out, nil
}

// countLater counts n events of type typ about subject, accepted by
// endpoint, on its dead deliveries (those before delivery id before, when
// it is not 0): they were sent after those died.
func (s *Store) countLater(ctx context.Context, tx *sqlx.Tx, endpoint, subject string, n int, typ string, before int64) error {
	q := `UPDATE webhook_deliveries SET later_sent = later_sent + ?, later_type = ? WHERE endpoint = ? AND subject = ? AND state = 'dead'`
	args := []any{n, typ, endpoint, subject}
	if before > 0 {
		q, args = q+` AND id < ?`, append(args, before)
	}
	_, err := tx.ExecContext(ctx, s.q(q), args...)
	return err
}

// claimTracked claims the due deliveries of webhook_deliveries.
//
// Two statements, neither of whose plans depends on the table's
// statistics: a walk of the endpoint's pending deliveries from the head of
// the queue in id order (a page, then more only if the page did not yield
// limit), taking the first delivery of each subject met when it is due and
// not leased; then an UPDATE leasing those still pending and not leased (on
// Postgres FOR UPDATE SKIP LOCKED: replicas claiming at once take
// different rows, and one whose walk is stale takes nothing another holds).
// A subject whose oldest delivery is waiting for a retry or leased is
// skipped whole, since it was met first. A walk ends after claimWalk rows:
// deliveries behind that many waiting ones wait with them.
func (s *Store) claimTracked(ctx context.Context, endpoint string, limit int, now time.Time, lease time.Duration) ([]Delivery, error) {
	type queued struct {
		id      int64
		subject string
		next    time.Time
		leased  *time.Time
	}
	var ids []int64
	seen := map[string]bool{}
	after := int64(0)
	for walked := 0; len(ids) < limit && walked < claimWalk; {
		page, err := scanAll(ctx, s.db, func(q *queued) []any {
			return []any{&q.id, &q.subject, timeInto{&q.next}, nullTimeInto{&q.leased}}
		}, s.q(walkSQL), endpoint, after, claimPage)
		if err != nil {
			return nil, err
		}
		for _, q := range page {
			if seen[q.subject] {
				continue
			}
			seen[q.subject] = true
			if !q.next.After(now) && (q.leased == nil || !q.leased.After(now)) && len(ids) < limit {
				ids = append(ids, q.id)
			}
		}
		if len(page) < claimPage {
			break
		}
		walked, after = walked+len(page), page[len(page)-1].id
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cond, arg := s.inInts("id", ids)
	lock := ""
	if s.dialect == migrations.Postgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	out, err := scanAll(ctx, s.db, func(d *Delivery) []any { return append(d.dests(), &d.Body) },
		s.q(fmt.Sprintf(leaseSQL, cond, lock)), s.tv(now.Add(lease)), arg, s.tv(now))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// inInts is inList for integers.
func (s *Store) inInts(col string, vals []int64) (string, any) {
	if s.dialect == migrations.Postgres {
		return col + " = ANY(?)", pq.Int64Array(vals)
	}
	doc, _ := json.Marshal(vals)
	return col + " IN (SELECT value FROM json_each(?))", string(doc)
}

// FinishDeliveries records the outcomes of c's attempts at now, results[i]
// that of c.Deliveries[i]; it sets the ID of each result of an event of
// the stream that failed (to be retried, or dead) to the id of the
// delivery it became. Tracked deliveries that were sent are deleted,
// in one statement (with nothing else to record, that is all: no
// transaction); each failure is updated apart, and one skipped is released
// for the next claim. Events of the stream that were not sent become
// tracked deliveries, and the endpoint's cursor moves past them (see
// finishStream), in the same transaction.
func (s *Store) FinishDeliveries(ctx context.Context, c *Claim, results []DeliveryResult, now time.Time) error {
	if len(results) != len(c.Deliveries) {
		return fmt.Errorf("suppression: finish deliveries: %d results for %d deliveries", len(results), len(c.Deliveries))
	}
	tracked := len(c.Deliveries)
	if c.stream != nil {
		tracked = c.stream.first
	}
	var sent []int64
	later := false // a sent one is about a subject with dead deliveries
	for i, r := range results[:tracked] {
		if r.OK {
			sent = append(sent, c.Deliveries[i].ID)
			later = later || c.dead[c.Deliveries[i].Subject]
		}
	}
	deleteSent := func(ctx context.Context, db sqlx.ExecerContext) error {
		if len(sent) == 0 {
			return nil
		}
		cond, arg := s.inInts("id", sent)
		_, err := db.ExecContext(ctx, s.q(`DELETE FROM webhook_deliveries WHERE `+cond), arg)
		return err
	}
	var err error
	if len(sent) == tracked && c.stream == nil && !later {
		err = deleteSent(ctx, s.db)
	} else {
		err = s.inTxPlain(ctx, func(tx *sqlx.Tx) error {
			if err := deleteSent(ctx, tx); err != nil {
				return err
			}
			for i, r := range results[:tracked] {
				if err := s.finishTracked(ctx, tx, c.Deliveries[i].ID, r, now); err != nil {
					return err
				}
				if d := c.Deliveries[i]; r.OK && c.dead[d.Subject] {
					if err := s.countLater(ctx, tx, c.Endpoint, d.Subject, 1, d.Type, d.ID); err != nil {
						return err
					}
				}
			}
			if c.stream == nil {
				return nil
			}
			return s.finishStream(ctx, tx, c.stream, c.Endpoint, results[c.stream.first:], c.dead, now)
		})
	}
	if err != nil {
		return fmt.Errorf("suppression: finish deliveries: %w", err)
	}
	return nil
}

// ReleaseClaim gives c up without recording anything, for a dispatcher
// that stops with nothing of c in flight: its deliveries and the cursor
// are free for the next claim at once, rather than when the lease ends.
// Any of them may have been delivered: they go out again (at least once,
// same ids).
func (s *Store) ReleaseClaim(ctx context.Context, c *Claim) error {
	var ids []int64
	for _, d := range c.Deliveries {
		if d.ID > 0 {
			ids = append(ids, d.ID)
		}
	}
	var err error
	if len(ids) > 0 {
		cond, arg := s.inInts("id", ids)
		_, err = s.db.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET locked_until = NULL WHERE `+cond), arg)
	}
	if err == nil && c.stream != nil {
		err = s.releaseStream(ctx, c.Endpoint, c.stream.token)
	}
	if err != nil {
		return fmt.Errorf("suppression: release claim: %w", err)
	}
	return nil
}

// finishTracked records the outcome r of tracked delivery id, unless it
// was sent.
func (s *Store) finishTracked(ctx context.Context, tx *sqlx.Tx, id int64, r DeliveryResult, now time.Time) error {
	var err error
	switch {
	case r.OK:
	case r.Skipped:
		_, err = tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET locked_until = NULL WHERE id = ?`), id)
	default:
		state := DeliveryPending
		if r.Dead {
			state = DeliveryDead
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1,
  last_at = ?, last_status = ?, last_error = ?, last_cause = ?, next_at = ?, locked_until = NULL WHERE id = ?`),
			state, s.tv(now), r.Status, clean(r.Error), clean(r.Cause), s.tv(r.NextAt), id)
	}
	return err
}

// DeliveryFilter selects deliveries to list. The zero value is the newest
// 50 of every endpoint and state.
type DeliveryFilter struct {
	Endpoint string // "" for all
	State    string // DeliveryPending or DeliveryDead; "" for both
	Limit    int    // 0 means 50
}

// Deliveries returns the tracked deliveries (tried at least once, or
// queued behind one that was) newest first, then, unless f asks for the
// dead only, the events not tried yet (ID 0) in the order they will be
// sent: at most f.Limit in all.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q, args := `SELECT `+deliveryCols+` FROM webhook_deliveries d WHERE true`, []any{}
	if f.Endpoint != "" {
		q, args = q+` AND d.endpoint = ?`, append(args, f.Endpoint)
	}
	if f.State != "" {
		q, args = q+` AND d.state = ?`, append(args, f.State)
	}
	out, err := scanAll(ctx, s.rdb, func(d *Delivery) []any { return d.dests() }, s.q(q+` ORDER BY d.id DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("suppression: deliveries: %w", err)
	}
	if f.State == DeliveryDead || len(out) >= f.Limit {
		return out, nil
	}
	more, err := s.backlog(ctx, f.Endpoint, f.Limit-len(out))
	if err != nil {
		return nil, fmt.Errorf("suppression: deliveries: %w", err)
	}
	return append(out, more...), nil
}

// ErrSuperseded is returned (wrapped) by Redeliver without force when
// later events about the delivery's subject were sent to its endpoint
// after it died, or may have been (Delivery.LaterUnknown): sent now, it
// would arrive after them.
var ErrSuperseded = errors.New("later events about its address were sent after it died")

// LaterDeadError is Redeliver's refusal (without force) of a delivery when
// later deliveries about its subject to its endpoint are dead: sent alone,
// it would be the last event the receiver gets about the address, undoing
// them. Redelivered newest first (Later, then the delivery), they go out in
// order, the queue sending an address's deliveries by id.
type LaterDeadError struct {
	Later []Delivery // the dead later deliveries, oldest first
}

func (e *LaterDeadError) Error() string {
	ids := make([]string, len(e.Later))
	for i, d := range e.Later {
		ids[i] = fmt.Sprintf("%d (%s)", d.ID, d.Type)
	}
	return "later deliveries about its address are dead: " + strings.Join(ids, ", ")
}

// laterDeadSQL finds the dead deliveries after delivery ? (a later id) to
// endpoint ? about subject ?, oldest first (webhook_deliveries_dead_subject_idx).
const laterDeadSQL = `SELECT ` + deliveryColumns + ` FROM webhook_deliveries
WHERE state = 'dead' AND id > ? AND endpoint = ? AND subject = ? ORDER BY id`

// Redeliver puts delivery id back in the queue, due at now, its age
// counted afresh (a dead one gets max_age again). It keeps its event id
// and its body (the timestamp of the change it announces). It returns the
// delivery as it was, with its body. A dead delivery with later events
// about its subject sent since it died (Delivery.LaterSent), or that died
// before they were counted (Delivery.LaterUnknown), is refused with an
// error wrapping ErrSuperseded unless force is set; the check is part of
// the UPDATE, so a later event a dispatcher counts meanwhile is not
// missed. So is one with later deliveries about its subject to its
// endpoint that are dead: a *LaterDeadError naming them (redeliver those
// first). A later pending one needs nothing: the queue sends it after. An
// unknown id is an error wrapping ErrNotFound.
func (s *Store) Redeliver(ctx context.Context, id int64, now time.Time, force bool) (Delivery, error) {
	var d Delivery
	err := s.inTxPlain(ctx, func(tx *sqlx.Tx) error {
		read := func() error {
			ds, err := scanAll(ctx, tx, func(d *Delivery) []any { return append(d.dests(), &d.Body) },
				s.q(`SELECT `+deliveryCols+`, d.body FROM webhook_deliveries d WHERE d.id = ?`), id)
			if err != nil {
				return err
			}
			if len(ds) == 0 {
				return ErrNotFound
			}
			d = ds[0]
			return nil
		}
		if err := read(); err != nil {
			return err
		}
		q := `UPDATE webhook_deliveries SET state = 'pending', queued_at = ?, next_at = ?, locked_until = NULL WHERE id = ?`
		args := []any{s.tv(now), s.tv(now), id}
		if !force {
			q += ` AND later_sent = 0 AND NOT later_unknown AND NOT EXISTS (SELECT 1 FROM webhook_deliveries l
WHERE l.state = 'dead' AND l.id > ? AND l.endpoint = ? AND l.subject = ?)` // laterDeadSQL
			args = append(args, id, d.Endpoint, d.Subject)
		}
		res, err := tx.ExecContext(ctx, s.q(q), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		// Refused: counted later events, maybe since the read, or later
		// deliveries dead. Read again for the count to show (or
		// ErrNotFound if it was sent meanwhile).
		if err := read(); err != nil {
			return err
		}
		if d.LaterSent > 0 || d.LaterUnknown {
			return ErrSuperseded
		}
		later, err := scanAll(ctx, tx, func(d *Delivery) []any { return d.dests() }, s.q(laterDeadSQL), id, d.Endpoint, d.Subject)
		if err != nil || len(later) == 0 { // none: redelivered since the update
			return cmp.Or(err, errors.New("a later delivery about its address changed meanwhile: run it again"))
		}
		return &LaterDeadError{Later: later}
	})
	if err != nil {
		return d, fmt.Errorf("suppression: redeliver %d: %w", id, err)
	}
	return d, nil
}

// OutboxStat is the state of one endpoint's queue.
type OutboxStat struct {
	Endpoint     string
	Pending      int
	Dead         int        // dead now (given up, not redelivered)
	DeadIn       int        // of Dead, those whose last attempt fell in the window of OutboxHealth
	OldestQueued *time.Time // the oldest pending delivery's queued_at; nil when none
}

// OutboxStats returns each endpoint's pending and dead deliveries (the
// endpoints that have any), by endpoint name.
func (s *Store) OutboxStats(ctx context.Context) ([]OutboxStat, error) {
	return s.OutboxHealth(ctx, Window{})
}

// OutboxHealth is OutboxStats with DeadIn counting the deliveries that
// died in w (the daily report's health section): a dead delivery's last
// attempt is the one after which it was given up.
func (s *Store) OutboxHealth(ctx context.Context, w Window) ([]OutboxStat, error) {
	out, err := scanAll(ctx, s.rdb, func(r *OutboxStat) []any {
		return []any{&r.Endpoint, &r.Pending, &r.Dead, &r.DeadIn, nullTimeInto{&r.OldestQueued}}
	}, s.q(`SELECT endpoint, sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), sum(CASE WHEN state = 'dead' THEN 1 ELSE 0 END),
  sum(CASE WHEN state = 'dead' AND last_at >= ? AND last_at < ? THEN 1 ELSE 0 END), min(CASE WHEN state = 'pending' THEN queued_at END)
FROM webhook_deliveries GROUP BY endpoint ORDER BY endpoint`), s.tv(w.From), s.tv(w.To))
	if err != nil {
		return nil, fmt.Errorf("suppression: outbox stats: %w", err)
	}
	backlog, err := s.backlogStats(ctx)
	if err != nil {
		return nil, fmt.Errorf("suppression: outbox stats: %w", err)
	}
	out = mergeBacklog(out, backlog)
	slices.SortFunc(out, func(a, b OutboxStat) int { return cmp.Compare(a.Endpoint, b.Endpoint) })
	return out, nil
}
