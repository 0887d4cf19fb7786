package suppression

import (
	"context"
	"encoding/json"
	"fmt"
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
	LastError  string     `json:"last_error,omitempty"`
	Body       []byte     `json:"-"` // the event's JSON body (ClaimDeliveries only)
}

// DeliveryResult is the outcome of one attempt, for FinishDeliveries.
type DeliveryResult struct {
	ID     int64
	OK     bool      // sent: the endpoint answered 2xx
	Dead   bool      // failed and not to be tried again
	NextAt time.Time // failed, not dead: the next attempt
	Status int       // the HTTP status, 0 when there was none
	Error  string    // why it failed
}

const deliveryCols = `d.id, d.event_id, d.type, d.endpoint, d.subject, d.state, d.attempts, d.queued_at, d.next_at, d.last_at, d.last_status, d.last_error`

func (d *Delivery) dests() []any {
	return []any{&d.ID, &d.EventID, &d.Type, &d.Endpoint, &d.Subject, &d.State, &d.Attempts, timeInto{&d.QueuedAt},
		timeInto{&d.NextAt}, nullTimeInto{&d.LastAt}, &d.LastStatus, &d.LastError}
}

// claimSQL selects the deliveries of an endpoint due at ?, not held by
// another dispatcher, each the oldest pending one of its subject (so events
// about one address go out one at a time, in order), oldest first.
const claimSQL = `SELECT d.id FROM webhook_deliveries d
WHERE d.state = 'pending' AND d.endpoint = ? AND d.next_at <= ? AND (d.locked_until IS NULL OR d.locked_until <= ?)
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o
    WHERE o.state = 'pending' AND o.endpoint = d.endpoint AND o.subject = d.subject AND o.id < d.id)
ORDER BY d.id LIMIT ?`

// ClaimDeliveries takes up to limit deliveries of endpoint that are due at
// now and holds them for lease: no other dispatcher (replica) takes them
// until then. On Postgres the rows are picked FOR UPDATE SKIP LOCKED, so
// replicas claiming at once take different rows; SQLite has one writer.
// Each returned delivery carries its body. A dispatcher that dies holding
// some leaves them to be claimed again once the lease ends (at least once).
func (s *Store) ClaimDeliveries(ctx context.Context, endpoint string, limit int, now time.Time, lease time.Duration) ([]Delivery, error) {
	var out []Delivery
	err := s.inTxPlain(ctx, func(tx *sqlx.Tx) error {
		q := claimSQL
		if s.dialect == migrations.Postgres {
			q += ` FOR UPDATE OF d SKIP LOCKED`
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, s.q(q), endpoint, s.tv(now), s.tv(now), limit); err != nil || len(ids) == 0 {
			return err
		}
		cond, arg := s.inInts("d.id", ids)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET locked_until = ? WHERE `+strings.TrimPrefix(cond, "d.")),
			s.tv(now.Add(lease)), arg); err != nil {
			return err
		}
		var err error
		out, err = scanAll(ctx, tx, func(d *Delivery) []any { return append(d.dests(), &d.Body) },
			s.q(`SELECT `+deliveryCols+`, d.body FROM webhook_deliveries d WHERE `+cond+` ORDER BY d.id`), arg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: claim deliveries: %w", err)
	}
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

// FinishDeliveries records the outcome of attempts at now, in one
// transaction: the sent ones are deleted, in one statement; each failure
// is updated apart. It releases their leases.
func (s *Store) FinishDeliveries(ctx context.Context, results []DeliveryResult, now time.Time) error {
	var sent []int64
	for _, r := range results {
		if r.OK {
			sent = append(sent, r.ID)
		}
	}
	err := s.inTxPlain(ctx, func(tx *sqlx.Tx) error {
		if len(sent) > 0 {
			cond, arg := s.inInts("id", sent)
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhook_deliveries WHERE `+cond), arg); err != nil {
				return err
			}
		}
		for _, r := range results {
			if r.OK {
				continue
			}
			state := DeliveryPending
			if r.Dead {
				state = DeliveryDead
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1,
  last_at = ?, last_status = ?, last_error = ?, next_at = ?, locked_until = NULL WHERE id = ?`),
				state, s.tv(now), r.Status, clean(r.Error), s.tv(r.NextAt), r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("suppression: finish deliveries: %w", err)
	}
	return nil
}

// DeliveryFilter selects deliveries to list. The zero value is the newest
// 50 of every endpoint and state.
type DeliveryFilter struct {
	Endpoint string // "" for all
	State    string // DeliveryPending or DeliveryDead; "" for both
	Limit    int    // 0 means 50
}

// Deliveries returns deliveries newest first.
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
	return out, nil
}

// Redeliver puts delivery id back in the queue, due at now, its age
// counted afresh (a dead one gets max_age again). It keeps its event id.
// An unknown id is an error wrapping ErrNotFound.
func (s *Store) Redeliver(ctx context.Context, id int64, now time.Time) error {
	err := s.inTxPlain(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET state = 'pending', queued_at = ?, next_at = ?,
  locked_until = NULL WHERE id = ?`), s.tv(now), s.tv(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("suppression: redeliver %d: %w", id, err)
	}
	return nil
}

// OutboxStat is the state of one endpoint's queue.
type OutboxStat struct {
	Endpoint     string
	Pending      int
	Dead         int
	OldestQueued *time.Time // the oldest pending delivery's queued_at; nil when none
}

// OutboxStats returns each endpoint's pending and dead deliveries (the
// endpoints that have any), by endpoint name.
func (s *Store) OutboxStats(ctx context.Context) ([]OutboxStat, error) {
	type row struct {
		endpoint, state string
		n               int
		oldest          *time.Time
	}
	rows, err := scanAll(ctx, s.rdb, func(r *row) []any { return []any{&r.endpoint, &r.state, &r.n, nullTimeInto{&r.oldest}} },
		`SELECT endpoint, state, count(*), min(queued_at) FROM webhook_deliveries WHERE state IN ('pending', 'dead')
GROUP BY endpoint, state ORDER BY endpoint, state`)
	if err != nil {
		return nil, fmt.Errorf("suppression: outbox stats: %w", err)
	}
	var out []OutboxStat
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Endpoint != r.endpoint {
			out = append(out, OutboxStat{Endpoint: r.endpoint})
		}
		st := &out[len(out)-1]
		if r.state == DeliveryDead {
			st.Dead = r.n
		} else {
			st.Pending, st.OldestQueued = r.n, r.oldest
		}
	}
	return out, nil
}
