package suppression

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/migrations"
)

// The outbox is a stream (webhook_outbox): each transaction that announces
// something appends one row, and each endpoint reads the rows in order from
// its cursor (webhook_cursors, see webhookcursor.go). A Record batch's row
// (kind rowRecord) does not carry its events: it names the batch's stored
// bounce events by their id range and says, for each suppression the batch
// started, which of those events give its data; the dispatcher renders the
// bodies from bounce_events when it sends them. Other changes (manual adds
// and removals, imports, expiries, alerts: few events each) write their
// events whole (kind rowEvents). Either way the write is one row, whatever
// the number of events.

// Kinds of outbox rows (webhook_outbox.kind).
const (
	rowRecord = "record" // recordRefs: references into a Record batch
	rowEvents = "events" // eventsData: the events, bodies and all
)

// recordTypes are the event types a Record batch announces, in the order
// its row lists them.
var recordTypes = []string{EventBounceRecorded, EventComplaintReceived, EventSuppressionAdded}

// writeStream appends one row to the outbox in tx. endpoints says how many
// events each endpoint gets from it ("NAME:N …").
func (s *Store) writeStream(ctx context.Context, tx *sqlx.Tx, now time.Time, endpoints []string, counts map[string]int, kind string, data []byte) error {
	var b strings.Builder
	for i, ep := range endpoints {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ep)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(counts[ep]))
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO webhook_outbox (queued_at, endpoints, kind, data) VALUES (?, ?, ?, ?)`),
		s.tv(now), b.String(), kind, string(data))
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// countFor returns how many events endpoint gets from a row whose
// endpoints column is endpoints; 0 when it is not named.
func countFor(endpoints, endpoint string) int {
	for _, f := range strings.Fields(endpoints) {
		i := strings.LastIndexByte(f, ':')
		if i > 0 && f[:i] == endpoint {
			n, _ := strconv.Atoi(f[i+1:])
			return n
		}
	}
	return 0
}

// newNonce returns the random part of a row's event ids: 16 bytes, base32.
func newNonce() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // never fails (crypto/rand)
	return eventIDEncoding.EncodeToString(b[:])
}

// derivedEventID is the webhook-id of the event of type typ at key (the
// offset of its bounce event, or of its suppression in the row) of a
// record row with nonce: the same on every rendering, so every attempt
// carries it, and as unpredictable as a random one.
func derivedEventID(nonce, typ string, key int) string {
	h := sha256.New()
	h.Write([]byte(nonce))
	h.Write([]byte{0})
	h.Write([]byte(typ))
	h.Write(binary.AppendUvarint(nil, uint64(key)))
	return eventID(h.Sum(nil)[:16])
}

// announceRecord writes the outbox row of a Record transaction, if some
// endpoint takes what it announces: bounce.recorded per event,
// complaint.received per complaint, then suppression.added per address it
// suppressed. The events must have their ids (reserveEventIDs): one block
// of consecutive ids, in r.events' order.
func (s *Store) announceRecord(ctx context.Context, tx *sqlx.Tx, r recordResult, now time.Time) error {
	if len(r.events) == 0 {
		return nil
	}
	to := map[string][]string{}
	for _, typ := range recordTypes {
		if eps := s.endpointsFor(typ); len(eps) > 0 {
			to[typ] = eps
		}
	}
	var complaints []int
	if len(to[EventComplaintReceived]) > 0 {
		for i, ev := range r.events {
			if ev.Class == dsn.ClassComplaint {
				complaints = append(complaints, i)
			}
		}
	}
	if len(r.newlyEntries) == 0 {
		delete(to, EventSuppressionAdded)
	}
	if len(complaints) == 0 {
		delete(to, EventComplaintReceived)
	}
	if len(to) == 0 {
		return nil
	}
	w := recordWriter{s: s, r: r, to: to, complaints: complaints}
	data := w.refs(now)
	eps, counts := w.counts()
	return s.writeStream(ctx, tx, now, eps, counts, rowRecord, data)
}

// recordWriter builds a record row.
type recordWriter struct {
	s          *Store
	r          recordResult
	to         map[string][]string
	complaints []int
}

// counts returns the endpoints of the row, in the order of the
// configuration, with their numbers of events.
func (w recordWriter) counts() ([]string, map[string]int) {
	counts := map[string]int{}
	n := map[string]int{EventBounceRecorded: len(w.r.events), EventComplaintReceived: len(w.complaints), EventSuppressionAdded: len(w.r.newlyEntries)}
	for _, typ := range recordTypes {
		for _, ep := range w.to[typ] {
			counts[ep] += n[typ]
		}
	}
	var eps []string
	for _, sub := range w.s.opts.Webhooks {
		if counts[sub.Endpoint] > 0 {
			eps = append(eps, sub.Endpoint)
		}
	}
	return eps, counts
}

// refs returns the row's data (recordRefs as JSON, written by hand: it
// is on the ingest path).
func (w recordWriter) refs(now time.Time) []byte {
	evs := w.r.events
	o := openObject(make([]byte, 0, 64+48*len(w.r.newlyEntries)+8*len(w.complaints)))
	o.str("k", newNonce())
	o.key("s")
	o.b = append(now.UTC().AppendFormat(append(o.b, '"'), time.RFC3339Nano), '"')
	o.integer("f", evs[0].ID)
	o.integer("n", int64(len(evs)))
	o.key("to")
	t := openObject(o.b)
	for _, typ := range recordTypes {
		if eps := w.to[typ]; len(eps) > 0 {
			t.strs(typ, eps)
		}
	}
	o.b = t.close()
	if len(w.complaints) > 0 {
		o.offsets("c", w.complaints)
	}
	if w.s.dialect == migrations.Postgres {
		w.bounds(o)
	}
	if len(w.to[EventSuppressionAdded]) > 0 {
		w.added(o)
	}
	return o.close()
}

// bounds writes what Postgres needs to find the batch's events without an
// index on their ids (bounce_events is partitioned by received_at): the
// addresses the row's events are about and the span of their times, for
// bounce_events_recipient_idx.
func (w recordWriter) bounds(o *jsonObject) {
	evs := w.r.events
	lo, hi := evs[0].ReceivedAt, evs[0].ReceivedAt
	for _, ev := range evs {
		lo, hi = minTime(lo, ev.ReceivedAt), maxTime(hi, ev.ReceivedAt)
	}
	seen := map[string]bool{}
	var addrs []string
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			addrs = append(addrs, a)
		}
	}
	if len(w.to[EventBounceRecorded]) > 0 {
		for _, ev := range evs {
			add(ev.Recipient)
		}
	} else {
		for _, i := range w.complaints {
			add(evs[i].Recipient)
		}
		if len(w.to[EventSuppressionAdded]) > 0 {
			for _, e := range w.r.newlyEntries {
				add(e.Email)
			}
		}
	}
	o.strs("r", addrs)
	o.integer("lo", lo.Add(-time.Second).UnixMicro())
	o.integer("hi", hi.Add(time.Second).UnixMicro())
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// added writes, for each address the batch suppressed, the offsets of the
// events its suppression.added takes its data from: the one that
// suppressed it (t: email, domain, source, reason, suppressed_at), the
// last one seen (l: class, status, diagnostic), the evidence (e, the last
// of them giving the stream), with the expiry as a duration after
// suppressed_at (x) and the entry's note (n). An entry those events do not
// describe exactly (an event received later than this batch's, say) is
// written whole instead (d), as its data at this moment.
func (w recordWriter) added(o *jsonObject) {
	evs, first := w.r.events, w.r.events[0].ID
	byAddr := map[string][]int{}
	for i, ev := range evs {
		byAddr[ev.Recipient] = append(byAddr[ev.Recipient], i)
	}
	p := w.s.Policy()
	o.key("a")
	o.b = append(o.b, '[')
	for k, e := range w.r.newlyEntries {
		if k > 0 {
			o.b = append(o.b, ',')
		}
		offs := byAddr[e.Email]
		var evidence []int
		for _, i := range offs {
			if p.Counts(evs[i], e.ClearedAt) {
				evidence = append(evidence, i)
			}
		}
		t, l := findSuppressing(evs, offs, e), findLastSeen(evs, offs, e)
		a := openObject(o.b)
		if t >= 0 && l >= 0 && len(evidence) > 0 && evs[t].Recipient == e.Email && evs[t].Domain == e.Domain {
			a.integer("t", int64(t))
			a.integer("l", int64(l))
			a.offsets("e", evidence)
			if e.ExpiresAt != nil {
				a.integer("x", int64(e.ExpiresAt.Sub(*e.SuppressedAt)))
			}
			a.strOmit("n", e.Note)
		} else {
			d := addedData(e)
			for _, i := range evidence {
				d.Evidence, d.Stream = append(d.Evidence, first+int64(i)), evs[i].Stream
			}
			a.key("d")
			a.b = d.appendJSON(a.b)
		}
		o.b = a.close()
	}
	o.b = append(o.b, ']')
}

// findSuppressing returns the offset, among offs, of the event that
// suppressed e (its time, reason and source), or -1.
func findSuppressing(evs []Event, offs []int, e Entry) int {
	if e.SuppressedAt == nil {
		return -1
	}
	for k := len(offs) - 1; k >= 0; k-- {
		ev := evs[offs[k]]
		if ev.ReceivedAt.Equal(*e.SuppressedAt) && string(ev.Reason) == e.SuppressedReason && sourceOf(ev) == e.Source {
			return offs[k]
		}
	}
	return -1
}

// findLastSeen returns the offset, among offs, of the event e last saw
// (its time, class, status and diagnostic), or -1.
func findLastSeen(evs []Event, offs []int, e Entry) int {
	for k := len(offs) - 1; k >= 0; k-- {
		ev := evs[offs[k]]
		if ev.ReceivedAt.Equal(e.LastSeen) && string(ev.Class) == e.LastClass && ev.Status == e.LastStatus && ev.Diagnostic == e.LastDiagnostic {
			return offs[k]
		}
	}
	return -1
}

// sourceOf is the source of a suppression ev starts (Policy.Apply).
func sourceOf(ev Event) string {
	if ev.Class == dsn.ClassComplaint {
		return SourceComplaint
	}
	return SourceBounce
}
