package suppression

import (
	"context"
	"fmt"
)

// The backlog: events of the outbox stream that no endpoint's dispatcher
// has read yet (not tried). They are counted with the pending deliveries,
// and listed after the tracked ones.

// cursorsAt returns the position of each endpoint's cursor: the configured
// endpoints (at the start of the stream while they have no cursor) and any
// other that has one.
func (s *Store) cursorsAt(ctx context.Context) (map[string]streamPos, error) {
	type cursor struct {
		endpoint string
		pos      streamPos
	}
	cs, err := scanAll(ctx, s.rdb, func(c *cursor) []any { return []any{&c.endpoint, &c.pos.row, &c.pos.item} },
		`SELECT endpoint, outbox_id, item FROM webhook_cursors`)
	if err != nil {
		return nil, err
	}
	out := map[string]streamPos{}
	for _, sub := range s.opts.Webhooks {
		out[sub.Endpoint] = streamPos{}
	}
	for _, c := range cs {
		out[c.endpoint] = c.pos
	}
	return out, nil
}

// backlogStats returns, for each endpoint with a backlog, how many events
// it holds and when the oldest was queued.
func (s *Store) backlogStats(ctx context.Context) (map[string]OutboxStat, error) {
	at, err := s.cursorsAt(ctx)
	if err != nil {
		return nil, err
	}
	low := int64(-1)
	for _, p := range at {
		if low < 0 || p.row < low {
			low = p.row
		}
	}
	out := map[string]OutboxStat{}
	if low < 0 {
		return out, nil
	}
	rows, err := scanAll(ctx, s.rdb, func(r *streamRow) []any { return []any{&r.id, timeInto{&r.queuedAt}, &r.endpoints} },
		s.q(`SELECT id, queued_at, endpoints FROM webhook_outbox WHERE id >= ? ORDER BY id`), low)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		for ep, p := range at {
			n := countFor(row.endpoints, ep)
			if row.id < p.row || n == 0 {
				continue
			}
			if row.id == p.row {
				n -= p.item
			}
			if n <= 0 {
				continue
			}
			st := out[ep]
			st.Pending += n
			if st.OldestQueued == nil {
				q := row.queuedAt
				st.OldestQueued = &q
			}
			out[ep] = st
		}
	}
	return out, nil
}

// backlog returns up to limit events of the backlog of endpoint (every
// endpoint's when it is ""), in the order they will be sent.
func (s *Store) backlog(ctx context.Context, endpoint string, limit int) ([]Delivery, error) {
	at, err := s.cursorsAt(ctx)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, sub := range s.opts.Webhooks {
		if endpoint != "" && sub.Endpoint != endpoint || len(out) >= limit {
			continue
		}
		_, items, err := s.readStream(ctx, sub.Endpoint, at[sub.Endpoint], limit-len(out), map[int64]int{})
		if err != nil {
			return nil, fmt.Errorf("backlog of %s: %w", sub.Endpoint, err)
		}
		for _, it := range items {
			if it.gone == "" {
				out = append(out, Delivery{EventID: it.eventID, Type: it.typ, Endpoint: sub.Endpoint, Subject: it.subject,
					State: DeliveryPending, QueuedAt: it.queuedAt.UTC(), NextAt: it.queuedAt.UTC(), Body: it.body})
			}
		}
	}
	return out, nil
}

// mergeBacklog adds the backlog's counts to stats (by endpoint name).
func mergeBacklog(stats []OutboxStat, backlog map[string]OutboxStat) []OutboxStat {
	for i := range stats {
		b, ok := backlog[stats[i].Endpoint]
		if !ok {
			continue
		}
		stats[i].Pending += b.Pending
		if stats[i].OldestQueued == nil || b.OldestQueued != nil && b.OldestQueued.Before(*stats[i].OldestQueued) {
			stats[i].OldestQueued = b.OldestQueued
		}
		delete(backlog, stats[i].Endpoint)
	}
	for ep, b := range backlog {
		b.Endpoint = ep
		stats = append(stats, b)
	}
	return stats
}
