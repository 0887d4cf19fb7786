package suppression

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/migrations"
)

// outboxRow is one event for one endpoint, as the tests read them.
type outboxRow struct {
	Endpoint, Type, Subject string
	Data                    map[string]any
	EventID                 string
}

// outbox returns, endpoint after endpoint (in the order of the
// configuration), the events not tried yet, in the order they will be
// sent, with their bodies decoded.
func outbox(t *testing.T, s *Store) []outboxRow {
	t.Helper()
	ds, err := s.backlog(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxRow
	for _, d := range ds {
		var body struct {
			Type      string         `json:"type"`
			Timestamp string         `json:"timestamp"`
			Data      map[string]any `json:"data"`
		}
		if err := json.Unmarshal(d.Body, &body); err != nil {
			t.Fatalf("body %q: %v", d.Body, err)
		}
		if body.Type != d.Type || body.Timestamp == "" {
			t.Errorf("body %s: type %q timestamp %q, want type %q and a timestamp", d.Body, body.Type, body.Timestamp, d.Type)
		}
		out = append(out, outboxRow{d.Endpoint, d.Type, d.Subject, body.Data, d.EventID})
	}
	return out
}

func types(rows []outboxRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Endpoint+" "+r.Type+" "+r.Subject)
	}
	return out
}

// webhookBody is the JSON body of every event (Standard Webhooks).
type webhookBody struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

var hooks = []Subscription{
	{Endpoint: "app", Events: []string{"suppression.*", EventComplaintReceived}},
	{Endpoint: "chat", Events: []string{EventSuppressionAdded}},
}

// Without webhooks configured nothing is written to the outbox.
func TestOutboxOffWritesNothing(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0))
		if _, err := s.Add(context.Background(), "b@example.com", Manual{}, t0); err != nil {
			t.Fatal(err)
		}
		if got := outbox(t, s); len(got) != 0 {
			t.Errorf("outbox = %v, want empty", types(got))
		}
	})
}

// A hard bounce announces suppression.added with its evidence (the id of
// the stored event) to every endpoint subscribed; a complaint announces
// complaint.received; a repeat of a message announces nothing.
func TestOutboxRecord(t *testing.T) {
	dialects(t, Options{Webhooks: hooks}, func(t *testing.T, s *Store) {
		complaint := Message{Key: "k2", Mailbox: "bounces", ReceivedAt: t0, Stream: "news", Report: &dsn.Report{Type: dsn.TypeARF,
			Recipients: []dsn.Recipient{{OriginalRecipient: "c@example.com", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback, FeedbackType: "abuse"}}}}
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0), complaint)
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0)) // a repeat: no change, no event
		got := outbox(t, s)
		want := []string{"app complaint.received c@example.com", "app suppression.added a@example.com", "app suppression.added c@example.com",
			"chat suppression.added a@example.com", "chat suppression.added c@example.com"}
		if !slices.Equal(types(got), want) {
			t.Fatalf("outbox = %q, want %q", types(got), want)
		}
		d, err := s.Get(context.Background(), "a@example.com")
		evs := d.Events
		if err != nil || len(evs) != 1 {
			t.Fatalf("Get = %v, %v", d, err)
		}
		a := got[1].Data
		if a["class"] != "hard" || a["reason"] != string(dsn.ReasonUserUnknown) || a["source"] != SourceBounce || a["status"] != "5.1.1" {
			t.Errorf("suppression.added data = %v", a)
		}
		if ev, _ := a["evidence"].([]any); len(ev) != 1 || ev[0] != float64(evs[0].ID) {
			t.Errorf("evidence = %v, want [%d]", a["evidence"], evs[0].ID)
		}
		if got[1].EventID != got[3].EventID || got[1].EventID == got[2].EventID || got[2].EventID != got[4].EventID {
			t.Errorf("event ids %s %s %s %s: one event per change, shared by its endpoints", got[1].EventID, got[2].EventID, got[3].EventID, got[4].EventID)
		}
		if again := outbox(t, s); again[1].EventID != got[1].EventID || again[0].EventID != got[0].EventID {
			t.Errorf("event ids read again %s %s, want %s %s: the same on every reading", again[0].EventID, again[1].EventID, got[0].EventID, got[1].EventID)
		}
		c := got[0].Data
		if c["email"] != "c@example.com" || c["feedback_type"] != "abuse" || c["stream"] != "news" || c["id"] == float64(0) {
			t.Errorf("complaint.received data = %v", c)
		}
		if got[2].Data["stream"] != "news" || got[2].Data["source"] != SourceComplaint || got[2].Data["class"] != "complaint" {
			t.Errorf("suppression.added of a complaint: %v, want stream news, source and class complaint", got[2].Data)
		}
	})
}

// bounce.recorded is written only when subscribed, one per event.
func TestOutboxBounceRecordedOptIn(t *testing.T) {
	dialects(t, Options{Webhooks: []Subscription{{Endpoint: "all", Events: []string{EventBounceRecorded}}}}, func(t *testing.T, s *Store) {
		mustRecord(t, s, t0, soft("k1", "a@example.com", t0), hard("k2", "b@example.com", t0))
		want := []string{"all bounce.recorded a@example.com", "all bounce.recorded b@example.com"}
		if got := outbox(t, s); !slices.Equal(types(got), want) {
			t.Errorf("outbox = %q, want %q", types(got), want)
		}
	})
}

// Manual changes announce who made them; expiry is announced by a sweep,
// once, from the first sweep on.
func TestOutboxManualRemoveExpire(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		ctx := WithActor(context.Background(), Actor{Who: "cli:alice", Via: ViaCLI, Note: "asked to"})
		if _, err := s.SweepExpired(ctx, t0); err != nil { // sets the mark
			t.Fatal(err)
		}
		until := t0.Add(time.Hour)
		if _, err := s.Add(ctx, "m@example.com", Manual{Reason: "request", ExpiresAt: &until}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, "r@example.com", Manual{}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Remove(ctx, "r@example.com", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{t0.Add(30 * time.Minute), t0.Add(2 * time.Hour), t0.Add(3 * time.Hour)} {
			if _, err := s.SweepExpired(ctx, at); err != nil {
				t.Fatal(err)
			}
		}
		got := outbox(t, s)
		want := []string{"app suppression.added m@example.com", "app suppression.added r@example.com",
			"app suppression.removed r@example.com", "app suppression.expired m@example.com"}
		if !slices.Equal(types(got), want) {
			t.Fatalf("outbox = %q, want %q", types(got), want)
		}
		if a, _ := got[0].Data["actor"].(map[string]any); a["who"] != "cli:alice" || a["note"] != "asked to" || got[0].Data["reason"] != "request" {
			t.Errorf("suppression.added data = %v", got[0].Data)
		}
		if a, _ := got[2].Data["actor"].(map[string]any); a["who"] != "cli:alice" || a["via"] != ViaCLI || got[2].Data["source"] != SourceManual {
			t.Errorf("suppression.removed data = %v", got[2].Data)
		}
		if got[3].Data["expired_at"] != until.Format(time.RFC3339) {
			t.Errorf("suppression.expired data = %v", got[3].Data)
		}
	})
}

// failOutbox makes the database refuse outbox rows of a transaction that
// recorded an event about subject: it fails after everything else was
// written.
func failOutbox(t *testing.T, s *Store, subject string) {
	t.Helper()
	stmts := []string{`CREATE FUNCTION refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF EXISTS (SELECT 1 FROM bounce_events WHERE recipient = '` + subject + `') THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER refuse BEFORE INSERT ON webhook_outbox FOR EACH ROW EXECUTE FUNCTION refuse_delivery()`}
	if s.dialect == migrations.SQLite {
		stmts = []string{`CREATE TRIGGER refuse BEFORE INSERT ON webhook_outbox WHEN EXISTS (SELECT 1 FROM bounce_events WHERE recipient = '` + subject + `')
BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	}
	for _, q := range stmts {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// The change and its event commit together: when the outbox write fails,
// the batch rolls back whole (no suppression, no event, no ledger row),
// and no event is left for it.
func TestOutboxRollsBackWithTheChange(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		failOutbox(t, s, "boom@example.com")
		_, err := s.Record(context.Background(), []Message{hard("k1", "a@example.com", t0), hard("k2", "boom@example.com", t0)}, t0)
		if err == nil {
			t.Fatal("Record succeeded; want the refused outbox row to fail it")
		}
		if _, err := s.Get(context.Background(), "a@example.com"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(a) after the rollback: %v, want ErrNotFound", err)
		}
		var events int
		if err := s.rdb.Get(&events, `SELECT count(*) FROM bounce_events`); err != nil || events != 0 {
			t.Errorf("bounce_events rows = %d (%v), want 0", events, err)
		}
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0))
		if got := outbox(t, s); len(got) != 1 {
			t.Errorf("outbox after a good batch = %q, want one event", types(got))
		}
	})
}

// A claim hands out the events in order, several about one address (the
// dispatcher sends those one after another); a lease keeps them from a
// second claim. An event that failed is tracked with its retry time and
// the events about its address that were not tried wait behind it, the
// ones read later too; each goes out again with its webhook-id.
func TestClaimDeliveriesOrderPerSubject(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0), hard("k2", "b@example.com", t0))
		if _, err := s.Remove(ctx, "a@example.com", t0); err != nil {
			t.Fatal(err)
		}
		c, err := s.ClaimDeliveries(ctx, "app", 10, t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		got := c.Deliveries
		if want := []string{"app suppression.added a@example.com", "app suppression.added b@example.com", "app suppression.removed a@example.com"}; !slices.Equal(claimed(got), want) || len(got[0].Body) == 0 {
			t.Fatalf("first claim = %q, want %q, with bodies", claimed(got), want)
		}
		if again, err := s.ClaimDeliveries(ctx, "app", 10, t0.Add(30*time.Second), time.Minute); err != nil || len(again.Deliveries) != 0 {
			t.Fatalf("claim within the lease = %+v, %v; want nothing", again, err)
		}
		retry := t0.Add(time.Hour)
		if err := s.FinishDeliveries(ctx, c, []DeliveryResult{{NextAt: retry, Status: 500, Error: "HTTP 500"}, {OK: true}, {Skipped: true}}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(WithActor(ctx, Actor{Who: "cli:t", Via: ViaCLI}), "a@example.com", Manual{}, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if next, err := s.ClaimDeliveries(ctx, "app", 10, t0.Add(2*time.Second), time.Minute); err != nil || len(next.Deliveries) != 0 {
			t.Fatalf("claim before the retry = %q, %v; want nothing (a's events wait behind its failed one)", claimed(next.Deliveries), err)
		}
		tracked, err := s.Deliveries(ctx, DeliveryFilter{})
		if err != nil || len(tracked) != 3 || tracked[2].Type != EventSuppressionAdded || tracked[2].Attempts != 1 || tracked[2].LastStatus != 500 ||
			tracked[1].Type != EventSuppressionRemoved || tracked[0].Attempts != 0 {
			t.Fatalf("tracked deliveries = %+v, %v; want a's failed added, then its removal and its new added", tracked, err)
		}
		for i, want := range []string{EventSuppressionAdded, EventSuppressionRemoved, EventSuppressionAdded} {
			c, err := s.ClaimDeliveries(ctx, "app", 10, retry, time.Minute)
			if err != nil || len(c.Deliveries) != 1 || c.Deliveries[0].Type != want || c.Deliveries[0].ID == 0 {
				t.Fatalf("claim %d at the retry time = %q, %v; want a's %s alone", i, claimed(c.Deliveries), err, want)
			}
			if i == 0 && (c.Deliveries[0].EventID != got[0].EventID || c.Deliveries[0].Attempts != 1) {
				t.Errorf("retried %+v, want event id %s and 1 attempt", c.Deliveries[0], got[0].EventID)
			}
			if i == 1 && c.Deliveries[0].EventID != got[2].EventID {
				t.Errorf("the removal has event id %s, want %s", c.Deliveries[0].EventID, got[2].EventID)
			}
			if err := s.FinishDeliveries(ctx, c, []DeliveryResult{{OK: true}}, retry); err != nil {
				t.Fatal(err)
			}
		}
		if st, err := s.OutboxStats(ctx); err != nil || len(st) != 0 {
			t.Errorf("outbox stats at the end = %+v, %v; want none", st, err)
		}
	})
}

func claimed(ds []Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Endpoint+" "+d.Type+" "+d.Subject)
	}
	return out
}

// Claims running at once never hand out one event twice (the cursor's
// lease; tracked deliveries: Postgres FOR UPDATE SKIP LOCKED, SQLite one
// writer), and between them hand out every event.
func TestClaimDeliveriesConcurrent(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		for b := range 4 {
			var msgs []Message
			for i := range 50 {
				addr := time.Duration(50*b+i).String() + "x@example.com"
				msgs = append(msgs, hard(addr, addr, t0))
			}
			mustRecord(t, s, t0, msgs...)
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for idle := 0; idle < 50; {
					c, err := s.ClaimDeliveries(context.Background(), "app", 7, t0, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(c.Deliveries) == 0 {
						idle++
						continue
					}
					mu.Lock()
					for _, d := range c.Deliveries {
						seen[d.EventID]++
					}
					mu.Unlock()
					ok := make([]DeliveryResult, len(c.Deliveries))
					for i := range ok {
						ok[i].OK = true
					}
					if err := s.FinishDeliveries(context.Background(), c, ok, t0); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Errorf("claimed %d events, want 200", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("event %s claimed %d times", id, n)
			}
		}
	})
}

// The hand-written bodies equal encoding/json's encoding of their types
// (without HTML escaping), whose tags document the format, for values with
// every member set and with none.
func TestWebhookJSONMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	values := []any{
		SuppressionAdded{}, SuppressionAdded{Email: "a@example.com", Domain: "example.com", Source: SourceManual, Class: "hard",
			Reason: "user <unknown> & \"gone\"", Status: "5.1.1", Diagnostic: "550 5.1.1\tnon\u00e9xistent\u2028 \x01", Stream: "news",
			SuppressedAt: &at, ExpiresAt: &at, Evidence: []int64{1, 22}, Actor: &ActorRef{Who: "cli:alice", Via: ViaCLI, Note: "why"}, Note: "n"},
		EventData{}, EventData{Email: "b@example.com", Event: Event{ID: 7, ReceivedAt: at, Mailbox: "m", MessageKey: "k", MessageID: "<id@x>",
			Recipient: "b@example.com", Domain: "example.com", Class: dsn.ClassSoft, Reason: dsn.ReasonMailboxFull, Status: "4.2.2",
			ReplyCode: "452", Diagnostic: "full", RemoteMTA: "mx", ReportingMTA: "r", FeedbackType: "abuse", Verified: true,
			OriginalMessageID: "<o@x>", Stream: "default", Action: "failed"}},
		SuppressionAdded{Email: "c@example.com", Reason: "\\ \" <a> & \b\f\n\r\t\x00\x1f\x7f", Diagnostic: "550 5.1.1 <c@example.com>: Recipient address rejected"},
	}
	for _, v := range values {
		want, err := marshalJSON(webhookBody{Type: "t", Timestamp: at.Format(time.RFC3339Nano), Data: v})
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendBody(nil, "t", at, v)
		if err != nil || string(got) != string(want) {
			t.Errorf("appendBody(%T) =\n%s, %v\nwant\n%s", v, got, err, want)
		}
	}
	for i, want := range map[int]string{1: `"reason":"user <unknown> & \"gone\""`, 3: `"message_id":"<id@x>"`, 4: `"diagnostic":"550 5.1.1 <c@example.com>: Recipient`} {
		if got, _ := appendBody(nil, "t", at, values[i]); !strings.Contains(string(got), want) {
			t.Errorf("appendBody(%T) =\n%s\nwant <, > and & as themselves: %s", values[i], got, want)
		}
	}
}

// The events of a Record batch are rendered when they are sent, from the
// stored events: each with the data of the change as the batch made it
// (the entry as the batch left it, with the batch's evidence and stream;
// the stored event), the same on every reading, whatever happened to the
// address since. c's entry last saw an event of an earlier batch, which
// the row cannot name: its data is written whole.
func TestOutboxRendersTheChangeAsItWas(t *testing.T) {
	subs := []Subscription{{Endpoint: "app", Events: []string{EventSuppressionAdded, EventBounceRecorded, EventComplaintReceived}}}
	dialects(t, Options{Webhooks: subs}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		block := func(key, addr string, at time.Time) Message {
			r := rcpt(addr, dsn.ClassBlock, dsn.ReasonBlocked)
			r.Status, r.Diagnostic = "5.7.1", "550 5.7.1 <"+addr+"> blocked & \"listed\""
			return bounce(key, at, r)
		}
		news := func(m Message) Message { m.Stream = "news"; return m }
		mustRecord(t, s, t0, block("c0", "c@example.com", t0.Add(2*time.Hour)))
		batch := []Message{hard("a1", "a@example.com", t0), block("a2", "a@example.com", t0.Add(time.Minute)),
			news(soft("b1", "b@example.com", t0)), news(soft("b2", "b@example.com", t0.Add(time.Minute))),
			news(soft("b3", "b@example.com", t0.Add(2*time.Minute))), hard("c1", "c@example.com", t0)}
		mustRecord(t, s, t0, batch...)
		keys := map[string]bool{}
		for _, m := range batch {
			keys[m.Key] = true
		}
		want := map[string]any{} // webhook data by type and subject
		for _, addr := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			d, err := s.Get(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			a := addedData(d.Entry)
			slices.Reverse(d.Events) // oldest first, as recorded
			for _, ev := range d.Events {
				if keys[ev.MessageKey] {
					a.Evidence, a.Stream = append(a.Evidence, ev.ID), ev.Stream
					want[EventBounceRecorded+" "+ev.MessageKey] = EventData{ev, ev.Recipient}
				}
			}
			want[EventSuppressionAdded+" "+addr] = a
		}
		var rows []string
		if err := s.rdb.Select(&rows, `SELECT data FROM webhook_outbox WHERE kind = 'record' ORDER BY id`); err != nil || len(rows) != 2 {
			t.Fatalf("record rows %d, %v; want 2", len(rows), err)
		}
		if n, m := strings.Count(rows[1], `{"d":`), strings.Count(rows[1], `{"t":`); n != 1 || m != 2 {
			t.Errorf("the batch's row names %d suppressions by their events and writes %d whole, want 2 and 1 (c's): %s", m, n, rows[1])
		}
		first := outbox(t, s)[1:] // after c's block of the first batch
		check := func(got []outboxRow) {
			t.Helper()
			if len(got) != 9 {
				t.Fatalf("outbox = %q, want 6 bounce.recorded and 3 suppression.added", types(got))
			}
			for _, g := range got {
				k := g.Type + " " + g.Subject
				if g.Type == EventBounceRecorded {
					k = g.Type + " " + g.Data["message_key"].(string)
				}
				if !jsonEqual(t, g.Data, want[k]) {
					t.Errorf("%s data =\n%v\nwant\n%+v", k, g.Data, want[k])
				}
			}
		}
		check(first)
		if got := first[8].Data; got["class"] != "block" || got["expires_at"] != nil || got["status"] != "5.7.1" {
			t.Errorf("c's suppression.added = %v, want class block and status 5.7.1 (last seen), no expiry", got)
		}
		if got := first[7].Data; got["expires_at"] == nil || got["stream"] != "news" || got["source"] != SourceBounce {
			t.Errorf("b's suppression.added = %v, want a soft suppression that expires, stream news", got)
		}
		mustRecord(t, s, later(), hard("a3", "a@example.com", later()), soft("b4", "b@example.com", later()))
		if _, err := s.Remove(ctx, "c@example.com", later()); err != nil {
			t.Fatal(err)
		}
		again := outbox(t, s)[1:10]
		check(again)
		for i := range again {
			if again[i].EventID != first[i].EventID {
				t.Errorf("event %d: id %s, then %s; want the same", i, first[i].EventID, again[i].EventID)
			}
		}
	})
}

func later() time.Time { return t0.Add(24 * time.Hour) }

// jsonEqual reports whether got (decoded JSON) equals want once encoded
// and decoded.
func jsonEqual(t *testing.T, got map[string]any, want any) bool {
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var w map[string]any
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	b, _ = json.Marshal(w)
	return string(g) == string(b)
}

// A delivery queued before the outbox became a stream (a database
// upgraded with it pending) is sent first, and the stream's events about
// its address wait behind it.
func TestOutboxUpgradeKeepsQueued(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.db.Exec(s.q(`INSERT INTO webhook_deliveries (event_id, type, endpoint, subject, body, queued_at, next_at)
VALUES ('msg_old', 'suppression.removed', 'app', 'a@example.com', '{}', ?, ?)`), s.tv(t0), s.tv(t0)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0), hard("k2", "b@example.com", t0))
		var sent []string
		for range 3 {
			c, err := s.ClaimDeliveries(ctx, "app", 10, t0, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			ok := make([]DeliveryResult, len(c.Deliveries))
			for i, d := range c.Deliveries {
				ok[i].OK = true
				sent = append(sent, d.EventID+" "+d.Type+" "+d.Subject)
			}
			if err := s.FinishDeliveries(ctx, c, ok, t0); err != nil {
				t.Fatal(err)
			}
		}
		if len(sent) != 3 || sent[0] != "msg_old suppression.removed a@example.com" || !strings.HasSuffix(sent[1], "suppression.added b@example.com") ||
			!strings.HasSuffix(sent[2], "suppression.added a@example.com") {
			t.Errorf("sent %q; want the old delivery first, then b's event, and a's after its old one", sent)
		}
	})
}

// A claim given up (a dispatcher stopping) frees its deliveries and the
// cursor at once: the next claim, before the lease would end, takes the
// same events, with the same ids.
func TestReleaseClaim(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0), hard("k2", "b@example.com", t0))
		c, err := s.ClaimDeliveries(ctx, "app", 1, t0, time.Hour)
		if err != nil || len(c.Deliveries) != 1 {
			t.Fatalf("claim = %+v, %v", c, err)
		}
		if err := s.FinishDeliveries(ctx, c, []DeliveryResult{{NextAt: t0, Status: 500, Error: "HTTP 500"}}, t0); err != nil {
			t.Fatal(err)
		}
		first, err := s.ClaimDeliveries(ctx, "app", 10, t0, time.Hour) // a's retry, then b's event from the stream
		if err != nil || len(first.Deliveries) != 2 || first.Deliveries[0].ID == 0 || first.Deliveries[1].ID != 0 {
			t.Fatalf("claim = %q, %v; want a's tracked delivery and b's event", claimed(first.Deliveries), err)
		}
		if err := s.ReleaseClaim(ctx, first); err != nil {
			t.Fatal(err)
		}
		again, err := s.ClaimDeliveries(ctx, "app", 10, t0.Add(time.Minute), time.Hour)
		if err != nil || len(again.Deliveries) != 2 || again.Deliveries[0].EventID != first.Deliveries[0].EventID ||
			again.Deliveries[1].EventID != first.Deliveries[1].EventID {
			t.Fatalf("claim after the release = %+v, %v; want the same two events", again, err)
		}
	})
}

// An outbox row is deleted once every configured endpoint's cursor is past
// it; an endpoint that has not read yet keeps it.
func TestOutboxPrunedBehindEveryEndpoint(t *testing.T) {
	dialects(t, Options{Webhooks: hooks}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0))
		mustRecord(t, s, t0, hard("k2", "b@example.com", t0))
		rows := func() int {
			var n int
			if err := s.rdb.Get(&n, `SELECT count(*) FROM webhook_outbox`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		drainAll := func(endpoint string) {
			for {
				c, err := s.ClaimDeliveries(ctx, endpoint, 10, t0, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if len(c.Deliveries) == 0 {
					return
				}
				ok := make([]DeliveryResult, len(c.Deliveries))
				for i := range ok {
					ok[i].OK = true
				}
				if err := s.FinishDeliveries(ctx, c, ok, t0); err != nil {
					t.Fatal(err)
				}
			}
		}
		drainAll("app")
		if n := rows(); n != 2 {
			t.Errorf("after app read everything: %d outbox rows, want 2 (chat has not read them)", n)
		}
		drainAll("chat")
		if n := rows(); n != 0 {
			t.Errorf("after both read everything: %d outbox rows, want 0", n)
		}
	})
}
