package suppression

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/migrations"
)

// streamRow is one webhook_outbox row.
type streamRow struct {
	id        int64
	queuedAt  time.Time
	endpoints string
	kind      string
	data      string
}

// streamItem is one event of an outbox row for one endpoint, rendered.
type streamItem struct {
	row      int64
	queuedAt time.Time
	typ      string
	subject  string
	eventID  string
	body     []byte
	// gone says why the event cannot be rendered (the bounce event it
	// names was pruned); it is skipped.
	gone string
}

// recordRefs is the data of a record row (recordWriter.refs writes it).
type recordRefs struct {
	Nonce      string              `json:"k"`
	Stamp      string              `json:"s"` // the bodies' timestamp, as written
	First      int64               `json:"f"` // the id of the batch's first bounce event
	N          int                 `json:"n"` // the batch's events: ids First to First+N-1
	To         map[string][]string `json:"to"`
	Complaints []int               `json:"c"` // offsets of the complaints
	Recipients []string            `json:"r"` // Postgres: the addresses of the events to read
	Lo         int64               `json:"lo"`
	Hi         int64               `json:"hi"` // Postgres: their span of received_at, Unix µs
	Added      []addedRef          `json:"a"`
}

// addedRef is one suppression.added of a record row (recordWriter.added).
type addedRef struct {
	T    int             `json:"t"`
	L    int             `json:"l"`
	E    []int           `json:"e"`
	X    *int64          `json:"x"`
	Note string          `json:"n"`
	D    json.RawMessage `json:"d"`
}

// eventsData is the data of an events row (writeOutbox).
type eventsData struct {
	Items []struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Subject string          `json:"subject"`
		To      []string        `json:"to"`
		Body    json.RawMessage `json:"body"`
	} `json:"items"`
}

// render returns the events of row for endpoint, in the row's order:
// countFor(row.endpoints, endpoint) of them.
func (s *Store) render(ctx context.Context, db sqlx.QueryerContext, row streamRow, endpoint string) ([]streamItem, error) {
	if row.kind == rowEvents {
		var d eventsData
		if err := json.Unmarshal([]byte(row.data), &d); err != nil {
			return nil, fmt.Errorf("outbox row %d: %w", row.id, err)
		}
		var out []streamItem
		for _, it := range d.Items {
			if slices.Contains(it.To, endpoint) {
				out = append(out, streamItem{row: row.id, queuedAt: row.queuedAt, typ: it.Type, subject: it.Subject, eventID: it.ID, body: it.Body})
			}
		}
		return out, nil
	}
	var refs recordRefs
	if err := json.Unmarshal([]byte(row.data), &refs); err != nil {
		return nil, fmt.Errorf("outbox row %d: %w", row.id, err)
	}
	evs, err := s.batchEvents(ctx, db, refs)
	if err != nil {
		return nil, fmt.Errorf("outbox row %d: %w", row.id, err)
	}
	r := recordRenderer{refs: refs, evs: evs, row: row}
	return r.items(endpoint), nil
}

// batchEvents reads the bounce events of a record row, by offset.
func (s *Store) batchEvents(ctx context.Context, db sqlx.QueryerContext, refs recordRefs) (map[int]Event, error) {
	q, args := `SELECT `+eventCols+` FROM bounce_events WHERE id >= ? AND id < ?`, []any{refs.First, refs.First + int64(refs.N)}
	if s.dialect == migrations.Postgres {
		if len(refs.Recipients) == 0 {
			return nil, nil
		}
		q += ` AND recipient = ANY(?) AND received_at >= ? AND received_at <= ?`
		args = append(args, pq.StringArray(refs.Recipients), time.UnixMicro(refs.Lo).UTC(), time.UnixMicro(refs.Hi).UTC())
	}
	evs, err := scanAll(ctx, db, func(e *Event) []any { return e.dests() }, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	out := make(map[int]Event, len(evs))
	for _, ev := range evs {
		out[int(ev.ID-refs.First)] = ev
	}
	return out, nil
}

// recordRenderer renders the events of a record row.
type recordRenderer struct {
	refs recordRefs
	evs  map[int]Event
	row  streamRow
}

func (r recordRenderer) items(endpoint string) []streamItem {
	takes := func(typ string) bool { return slices.Contains(r.refs.To[typ], endpoint) }
	bounces, complaints, added := takes(EventBounceRecorded), takes(EventComplaintReceived), takes(EventSuppressionAdded)
	var out []streamItem
	complaint := map[int]bool{}
	for _, o := range r.refs.Complaints {
		complaint[o] = true
	}
	if bounces || complaints {
		for o := range r.refs.N {
			if bounces {
				out = append(out, r.event(EventBounceRecorded, o))
			}
			if complaints && complaint[o] {
				out = append(out, r.event(EventComplaintReceived, o))
			}
		}
	}
	if added {
		for k, a := range r.refs.Added {
			out = append(out, r.added(k, a))
		}
	}
	return out
}

// item returns an item of the row without its body.
func (r recordRenderer) item(typ string, key int) streamItem {
	return streamItem{row: r.row.id, queuedAt: r.row.queuedAt, typ: typ, eventID: derivedEventID(r.refs.Nonce, typ, key)}
}

// head returns the start of a body of type typ, up to its data.
func (r recordRenderer) head(typ string) []byte {
	b := append([]byte(`{"type":`), appendJSONString(nil, typ)...)
	b = append(append(b, `,"timestamp":`...), appendJSONString(nil, r.refs.Stamp)...)
	return append(b, `,"data":`...)
}

// event renders the bounce.recorded or complaint.received of the event
// at offset o.
func (r recordRenderer) event(typ string, o int) streamItem {
	it := r.item(typ, o)
	ev, ok := r.evs[o]
	if !ok {
		it.gone = fmt.Sprintf("bounce event %d was pruned before it was sent", r.refs.First+int64(o))
		return it
	}
	it.subject = ev.Recipient
	it.body = append(EventData{ev, ev.Recipient}.appendJSON(r.head(typ)), '}')
	return it
}

// added renders the k-th suppression.added of the row.
func (r recordRenderer) added(k int, a addedRef) streamItem {
	it := r.item(EventSuppressionAdded, k)
	if len(a.D) > 0 {
		var d struct {
			Email string `json:"email"`
		}
		json.Unmarshal(a.D, &d) //nolint:errcheck // written by recordWriter.added
		it.subject = d.Email
		it.body = append(append(r.head(EventSuppressionAdded), a.D...), '}')
		return it
	}
	t, okT := r.evs[a.T]
	l, okL := r.evs[a.L]
	last, okE := r.evs[a.E[len(a.E)-1]]
	if !okT || !okL || !okE {
		it.gone = fmt.Sprintf("the bounce events of suppression.added %d of outbox row %d were pruned before it was sent", k, r.row.id)
		return it
	}
	at := t.ReceivedAt
	d := SuppressionAdded{Email: t.Recipient, Domain: t.Domain, Source: sourceOf(t), Class: string(l.Class), Reason: string(t.Reason),
		Status: l.Status, Diagnostic: l.Diagnostic, Stream: last.Stream, SuppressedAt: &at, Note: a.Note}
	if a.X != nil {
		exp := at.Add(time.Duration(*a.X))
		d.ExpiresAt = &exp
	}
	for _, o := range a.E {
		d.Evidence = append(d.Evidence, r.refs.First+int64(o))
	}
	it.subject = d.Email
	it.body = append(d.appendJSON(r.head(EventSuppressionAdded)), '}')
	return it
}
