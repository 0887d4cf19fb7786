package suppression

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// Claim is what one ClaimDeliveries took for an endpoint: the deliveries
// to attempt, and what FinishDeliveries needs to record their outcomes.
type Claim struct {
	Endpoint string
	// Deliveries are to be attempted in order per subject: an event about
	// an address goes out only after the one before it was accepted. The
	// deliveries already tracked (ID > 0, at most one per subject) come
	// first, then the events read from the stream (ID 0), which may hold
	// several about one address.
	Deliveries []Delivery
	// Gone are the events skipped because what they announce can no longer
	// be read (their bounce events were pruned first), each with why.
	Gone   []string
	stream *streamClaim
	dead   map[string]bool // the subjects of Deliveries with dead deliveries
}

// streamClaim is the part of a claim read from the outbox stream.
type streamClaim struct {
	token    string // the cursor's lease
	from, to streamPos
	first    int           // the index in Claim.Deliveries of its first delivery
	items    []streamItem  // every item read, in stream order
	sent     []int         // for each item, its index in Claim.Deliveries; -1 when it waits behind a tracked delivery
	rows     map[int64]int // the items per row, to tell when a row is done
}

// streamPos is a position in the stream: item (0-based, among the events
// of the endpoint) of row.
type streamPos struct {
	row  int64
	item int
}

// streamRows is how many rows one step of a stream read looks at.
const streamRows = 20

// ensureCursor makes endpoint's cursor, at the start of the stream, unless
// it has one.
func (s *Store) ensureCursor(ctx context.Context, endpoint string) error {
	if _, ok := s.cursors.Load(endpoint); ok {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO webhook_cursors (endpoint) VALUES (?) ON CONFLICT (endpoint) DO NOTHING`), endpoint); err != nil {
		return err
	}
	s.cursors.Store(endpoint, true)
	return nil
}

// leaseStream takes endpoint's cursor until until, unless another
// dispatcher holds it, and returns its position.
func (s *Store) leaseStream(ctx context.Context, endpoint, token string, now, until time.Time) (streamPos, bool, error) {
	if err := s.ensureCursor(ctx, endpoint); err != nil {
		return streamPos{}, false, err
	}
	pos, err := scanAll(ctx, s.db, func(p *streamPos) []any { return []any{&p.row, &p.item} },
		s.q(`UPDATE webhook_cursors SET lease = ?, leased_until = ? WHERE endpoint = ? AND (leased_until IS NULL OR leased_until <= ?)
RETURNING outbox_id, item`), token, s.tv(until), endpoint, s.tv(now))
	if err != nil || len(pos) == 0 {
		return streamPos{}, false, err
	}
	return pos[0], true, nil
}

// claimStream reads up to limit events of endpoint from the stream, from
// its cursor, holding the cursor's lease until now+lease. Events about an
// address with a tracked pending delivery wait behind it: they are taken
// into webhook_deliveries by FinishDeliveries, not sent now. It reports
// whether it read anything.
func (s *Store) claimStream(ctx context.Context, c *Claim, limit int, now time.Time, lease time.Duration) (bool, error) {
	var b [8]byte
	rand.Read(b[:]) //nolint:errcheck // never fails (crypto/rand)
	token := hex.EncodeToString(b[:])
	from, ok, err := s.leaseStream(ctx, c.Endpoint, token, now, now.Add(lease))
	if err != nil || !ok {
		return false, err
	}
	sc := &streamClaim{token: token, from: from, rows: map[int64]int{}}
	sc.to, sc.items, err = s.readStream(ctx, c.Endpoint, from, limit, sc.rows)
	if err != nil {
		return false, errors.Join(err, s.releaseStream(ctx, c.Endpoint, token))
	}
	if sc.to == from {
		return false, s.releaseStream(ctx, c.Endpoint, token)
	}
	c.stream, sc.first = sc, len(c.Deliveries)
	blocked, err := s.blockedSubjects(ctx, c.Endpoint, sc.items)
	if err != nil {
		return false, errors.Join(err, s.releaseStream(ctx, c.Endpoint, token))
	}
	sc.sent = make([]int, len(sc.items))
	for i, it := range sc.items {
		sc.sent[i] = -1
		switch {
		case it.gone != "":
			c.Gone = append(c.Gone, it.gone)
		case blocked[it.subject]:
		default:
			sc.sent[i] = len(c.Deliveries)
			c.Deliveries = append(c.Deliveries, Delivery{EventID: it.eventID, Type: it.typ, Endpoint: c.Endpoint, Subject: it.subject,
				State: DeliveryPending, QueuedAt: it.queuedAt, NextAt: now, Body: it.body})
		}
	}
	if len(c.Deliveries) == sc.first { // nothing to send: record the rest now
		c.stream = nil
		return true, s.inTxPlain(ctx, func(tx *sqlx.Tx) error { return s.finishStream(ctx, tx, sc, c.Endpoint, nil, nil, now) })
	}
	return true, nil
}

// releaseStream gives up endpoint's lease, if still held with token.
func (s *Store) releaseStream(ctx context.Context, endpoint, token string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE webhook_cursors SET lease = '', leased_until = NULL WHERE endpoint = ? AND lease = ?`), endpoint, token)
	return err
}

// readStream renders up to limit events of endpoint from position from,
// and returns the position after them; rows counts the events it read of
// each row.
func (s *Store) readStream(ctx context.Context, endpoint string, from streamPos, limit int, rows map[int64]int) (streamPos, []streamItem, error) {
	pos := from
	var out []streamItem
	for len(out) < limit {
		page, err := scanAll(ctx, s.db, func(r *streamRow) []any { return []any{&r.id, timeInto{&r.queuedAt}, &r.endpoints, &r.kind} },
			s.q(`SELECT id, queued_at, endpoints, kind FROM webhook_outbox WHERE id >= ? ORDER BY id LIMIT ?`), pos.row, streamRows)
		if err != nil {
			return pos, nil, fmt.Errorf("outbox: %w", err)
		}
		for _, row := range page {
			if row.id != pos.row {
				pos = streamPos{row.id, 0}
			}
			n := countFor(row.endpoints, endpoint)
			if pos.item >= n {
				pos = streamPos{row.id + 1, 0}
				continue
			}
			items, err := s.rendered(ctx, row, endpoint)
			if err != nil {
				return pos, nil, err
			}
			if len(items) != n {
				return pos, nil, fmt.Errorf("outbox row %d: %d events for %s, want %d", row.id, len(items), endpoint, n)
			}
			take := items[pos.item:min(n, pos.item+limit-len(out))]
			out = append(out, take...)
			rows[row.id] += len(take)
			pos.item += len(take)
			if pos.item >= n {
				pos = streamPos{row.id + 1, 0}
			}
			if len(out) >= limit {
				break
			}
		}
		if len(page) < streamRows {
			break
		}
	}
	return pos, out, nil
}

// renderedRow is the last row rendered for an endpoint: a dispatcher reads
// a row of a large batch in several claims.
type renderedRow struct {
	id    int64
	items []streamItem
}

// rendered returns row's events for endpoint, reading its data.
func (s *Store) rendered(ctx context.Context, row streamRow, endpoint string) ([]streamItem, error) {
	if v, ok := s.renderCache.Load(endpoint); ok && v.(*renderedRow).id == row.id {
		return v.(*renderedRow).items, nil
	}
	if err := s.db.GetContext(ctx, &row.data, s.q(`SELECT data FROM webhook_outbox WHERE id = ?`), row.id); err != nil {
		return nil, fmt.Errorf("outbox row %d: %w", row.id, err)
	}
	items, err := s.render(ctx, s.db, row, endpoint)
	if err != nil {
		return nil, err
	}
	s.renderCache.Store(endpoint, &renderedRow{id: row.id, items: items})
	return items, nil
}

// blockedSubjects returns the subjects among items that have a pending
// delivery of endpoint in webhook_deliveries.
func (s *Store) blockedSubjects(ctx context.Context, endpoint string, items []streamItem) (map[string]bool, error) {
	seen := map[string]bool{}
	var subjects []string
	for _, it := range items {
		if it.gone == "" && !seen[it.subject] {
			seen[it.subject] = true
			subjects = append(subjects, it.subject)
		}
	}
	out := map[string]bool{}
	if len(subjects) == 0 {
		return out, nil
	}
	cond, arg := s.inList("subject", subjects)
	var blocked []string
	if err := sqlx.SelectContext(ctx, s.db, &blocked, s.q(`SELECT DISTINCT subject FROM webhook_deliveries
WHERE endpoint = ? AND state = 'pending' AND `+cond), endpoint, arg); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	for _, b := range blocked {
		out[b] = true
	}
	return out, nil
}

// finishStream records, in tx, the outcome of a claim's stream part sc,
// results[i] that of its (i+sc.first)-th delivery: the
// cursor moves past what was read, and each event that was not accepted
// (failed, dead, not tried after an earlier failure about its address, or
// waiting behind a tracked delivery) becomes a tracked delivery, in stream
// order. When another dispatcher took the cursor meanwhile (the lease ran
// out), nothing is recorded: it reads the same events again. Outbox rows
// every configured endpoint is past are deleted. Each event sent is
// counted on the dead deliveries about its subject before it: those of
// subjects in dead (dead at the claim), and those dying in this claim.
func (s *Store) finishStream(ctx context.Context, tx *sqlx.Tx, sc *streamClaim, endpoint string, results []DeliveryResult, dead map[string]bool, now time.Time) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_cursors SET outbox_id = ?, item = ?, lease = '', leased_until = NULL
WHERE endpoint = ? AND lease = ?`), sc.to.row, sc.to.item, endpoint, sc.token)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	var later map[string]*subjectSent // only when some dead delivery is about the claim's subjects
	if len(dead) > 0 || slices.ContainsFunc(results, func(r DeliveryResult) bool { return r.Dead }) {
		later = sentAfter(sc, results)
	}
	for subject, l := range later {
		if dead[subject] && l.n > 0 { // before the dead of this claim are written
			if err := s.countLater(ctx, tx, endpoint, subject, l.n, l.typ, 0); err != nil {
				return err
			}
		}
	}
	b := deliveryBatch{}
	for i, it := range sc.items {
		if it.gone != "" {
			continue
		}
		j := sc.sent[i]
		if j < 0 {
			b.add(endpoint, it, DeliveryPending, now, nil, DeliveryResult{})
			continue
		}
		r := results[j-sc.first]
		switch {
		case r.OK:
		case r.Skipped:
			b.add(endpoint, it, DeliveryPending, now, nil, r)
		case r.Dead:
			b.add(endpoint, it, DeliveryDead, r.NextAt, &now, r)
			b.laterSent[len(b.laterSent)-1], b.laterType[len(b.laterType)-1] = int64(later[it.subject].after[i].n), later[it.subject].after[i].typ
		default:
			b.add(endpoint, it, DeliveryPending, r.NextAt, &now, r)
		}
	}
	if len(b.eventID) > 0 {
		if err := s.appendRows(ctx, tx, "webhook_deliveries", b.batch()); err != nil {
			return err
		}
		if err := s.failedIDs(ctx, tx, endpoint, sc, results); err != nil {
			return err
		}
	}
	if sc.to.row > sc.from.row {
		return s.pruneStream(ctx, tx)
	}
	return nil
}

// failedIDs sets the ID of each of results (those of sc's items) that
// failed to that of the delivery it became in tx.
func (s *Store) failedIDs(ctx context.Context, tx *sqlx.Tx, endpoint string, sc *streamClaim, results []DeliveryResult) error {
	at := map[string]int{} // event id → index in results
	var ids []string
	for i, it := range sc.items {
		if j := sc.sent[i]; j >= 0 && it.gone == "" {
			if r := results[j-sc.first]; !r.OK && !r.Skipped {
				at[it.eventID] = j - sc.first
				ids = append(ids, it.eventID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	type row struct {
		id      int64
		eventID string
	}
	cond, arg := s.inList("event_id", ids)
	rows, err := scanAll(ctx, tx, func(r *row) []any { return []any{&r.id, &r.eventID} },
		s.q(`SELECT id, event_id FROM webhook_deliveries WHERE endpoint = ? AND `+cond), endpoint, arg)
	if err != nil {
		return err
	}
	for _, r := range rows {
		results[at[r.eventID]].ID = r.id
	}
	return nil
}

// pruneStream deletes the outbox rows that every configured endpoint's
// cursor is past (an endpoint without a cursor yet keeps them all).
func (s *Store) pruneStream(ctx context.Context, tx *sqlx.Tx) error {
	type cursor struct {
		endpoint string
		row      int64
	}
	cs, err := scanAll(ctx, tx, func(c *cursor) []any { return []any{&c.endpoint, &c.row} }, `SELECT endpoint, outbox_id FROM webhook_cursors`)
	if err != nil {
		return err
	}
	at := map[string]int64{}
	for _, c := range cs {
		at[c.endpoint] = c.row
	}
	low := int64(-1)
	for _, sub := range s.opts.Webhooks {
		if low < 0 || at[sub.Endpoint] < low {
			low = at[sub.Endpoint]
		}
	}
	if low <= 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, s.q(`DELETE FROM webhook_outbox WHERE id < ?`), low)
	return err
}

// sent counts the events about a subject that an endpoint accepted, with
// the type of the newest.
type sent struct {
	n   int
	typ string
}

// subjectSent is sent for a subject in a claim: in all, and after each of
// its items (by index in the claim's items).
type subjectSent struct {
	sent
	after map[int]sent
}

// sentAfter returns, per subject of sc's items, the events the endpoint
// accepted (results[i] is that of the (i+sc.first)-th delivery), and after
// each item those accepted after it.
func sentAfter(sc *streamClaim, results []DeliveryResult) map[string]*subjectSent {
	out := map[string]*subjectSent{}
	for i := len(sc.items) - 1; i >= 0; i-- {
		it := sc.items[i]
		if it.gone != "" {
			continue
		}
		l := out[it.subject]
		if l == nil {
			l = &subjectSent{after: map[int]sent{}}
			out[it.subject] = l
		}
		l.after[i] = l.sent
		if j := sc.sent[i]; j >= 0 && results[j-sc.first].OK {
			if l.n++; l.typ == "" {
				l.typ = it.typ
			}
		}
	}
	return out
}

// deliveryBatch collects deliveries to insert into webhook_deliveries.
type deliveryBatch struct {
	eventID, typ, endpoint, subject, body, state, lastError []string
	lastCause                                               []string
	attempts, lastStatus                                    []int64
	queuedAt, nextAt                                        []time.Time
	lastAt                                                  []*time.Time
	laterSent                                               []int64
	laterType                                               []string
}

// add adds the delivery of it to endpoint, in state, due at next, after
// the attempt r made at attempted (nil: not tried).
func (b *deliveryBatch) add(endpoint string, it streamItem, state string, next time.Time, attempted *time.Time, r DeliveryResult) {
	var attempts int64
	if attempted != nil {
		attempts = 1
	} else {
		r = DeliveryResult{}
	}
	last := attempted
	b.eventID, b.typ, b.endpoint, b.subject = append(b.eventID, it.eventID), append(b.typ, it.typ), append(b.endpoint, endpoint), append(b.subject, it.subject)
	b.body, b.state, b.lastError = append(b.body, string(it.body)), append(b.state, state), append(b.lastError, clean(r.Error))
	b.lastCause = append(b.lastCause, clean(r.Cause))
	b.attempts, b.lastStatus = append(b.attempts, attempts), append(b.lastStatus, int64(r.Status))
	b.queuedAt, b.nextAt, b.lastAt = append(b.queuedAt, it.queuedAt), append(b.nextAt, next), append(b.lastAt, last)
	b.laterSent, b.laterType = append(b.laterSent, 0), append(b.laterType, "")
}

func (b *deliveryBatch) batch() *batch {
	return new(batch).text("event_id", b.eventID).text("type", b.typ).text("endpoint", b.endpoint).text("subject", b.subject).
		text("body", b.body).text("state", b.state).integer("attempts", b.attempts).time("queued_at", b.queuedAt).
		time("next_at", b.nextAt).nullTime("last_at", b.lastAt).integer("last_status", b.lastStatus).text("last_error", b.lastError).
		text("last_cause", b.lastCause).integer("later_sent", b.laterSent).text("later_type", b.laterType)
}
