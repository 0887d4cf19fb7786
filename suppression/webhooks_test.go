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

// outboxRow is one delivery with its event, as the tests read them.
type outboxRow struct {
	Endpoint, Type, Subject string
	Data                    map[string]any
	EventID                 string
}

// outbox returns every delivery in order, with its event's body decoded.
func outbox(t *testing.T, s *Store) []outboxRow {
	t.Helper()
	type raw struct {
		endpoint, typ, subject, body, id string
	}
	rows, err := scanAll(context.Background(), s.rdb, func(r *raw) []any { return []any{&r.endpoint, &r.typ, &r.subject, &r.body, &r.id} },
		`SELECT endpoint, type, subject, body, event_id FROM webhook_deliveries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxRow
	for _, r := range rows {
		var body struct {
			Type      string         `json:"type"`
			Timestamp string         `json:"timestamp"`
			Data      map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Fatalf("body %q: %v", r.body, err)
		}
		if body.Type != r.typ || body.Timestamp == "" {
			t.Errorf("body %s: type %q timestamp %q, want type %q and a timestamp", r.body, body.Type, body.Timestamp, r.typ)
		}
		out = append(out, outboxRow{r.endpoint, r.typ, r.subject, body.Data, r.id})
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
		want := []string{"app complaint.received c@example.com", "app suppression.added a@example.com", "chat suppression.added a@example.com",
			"app suppression.added c@example.com", "chat suppression.added c@example.com"}
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
		if got[1].EventID != got[2].EventID || got[1].EventID == got[3].EventID {
			t.Errorf("event ids %s %s %s: one event per change, shared by its endpoints", got[1].EventID, got[2].EventID, got[3].EventID)
		}
		c := got[0].Data
		if c["email"] != "c@example.com" || c["feedback_type"] != "abuse" || c["stream"] != "news" || c["id"] == float64(0) {
			t.Errorf("complaint.received data = %v", c)
		}
		if got[3].Data["stream"] != "news" {
			t.Errorf("suppression.added of a complaint: stream %v, want news", got[3].Data["stream"])
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

// failOutbox makes the database refuse outbox rows about subject: the
// transaction that writes one fails after everything else was written.
func failOutbox(t *testing.T, s *Store, subject string) {
	t.Helper()
	stmts := []string{`CREATE FUNCTION refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.subject = '` + subject + `' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER refuse BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse_delivery()`}
	if s.dialect == migrations.SQLite {
		stmts = []string{`CREATE TRIGGER refuse BEFORE INSERT ON webhook_deliveries WHEN NEW.subject = '` + subject + `'
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

// Claims take the oldest pending delivery of each subject only, so events
// about one address go out in order; a finished delivery lets the next
// through; a lease keeps a claimed delivery from a second claim.
func TestClaimDeliveriesOrderPerSubject(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, hard("k1", "a@example.com", t0), hard("k2", "b@example.com", t0))
		if _, err := s.Remove(ctx, "a@example.com", t0); err != nil {
			t.Fatal(err)
		}
		got, err := s.ClaimDeliveries(ctx, "app", 10, t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Subject != "a@example.com" || got[0].Type != EventSuppressionAdded || got[1].Subject != "b@example.com" || len(got[0].Body) == 0 {
			t.Fatalf("first claim = %+v, want the added of a and of b, with bodies", got)
		}
		if again, err := s.ClaimDeliveries(ctx, "app", 10, t0.Add(30*time.Second), time.Minute); err != nil || len(again) != 0 {
			t.Fatalf("claim within the lease = %+v, %v; want nothing", again, err)
		}
		retry := t0.Add(time.Hour)
		if err := s.FinishDeliveries(ctx, []DeliveryResult{{ID: got[0].ID, OK: true}, {ID: got[1].ID, NextAt: retry, Status: 500, Error: "HTTP 500"}}, t0); err != nil {
			t.Fatal(err)
		}
		next, err := s.ClaimDeliveries(ctx, "app", 10, t0.Add(time.Second), time.Minute)
		if err != nil || len(next) != 1 || next[0].Type != EventSuppressionRemoved || next[0].EventID == got[0].EventID {
			t.Fatalf("second claim = %+v, %v; want the removal of a", next, err)
		}
		if err := s.FinishDeliveries(ctx, []DeliveryResult{{ID: next[0].ID, OK: true}}, t0); err != nil {
			t.Fatal(err)
		}
		later, err := s.ClaimDeliveries(ctx, "app", 10, retry, time.Minute)
		if err != nil || len(later) != 1 || later[0].ID != got[1].ID || later[0].EventID != got[1].EventID || later[0].Attempts != 1 {
			t.Fatalf("claim at the retry time = %+v, %v; want b's delivery again, same event id, 1 attempt", later, err)
		}
	})
}

// Claims running at once never hand out one delivery twice (Postgres: FOR
// UPDATE SKIP LOCKED; SQLite: one writer).
func TestClaimDeliveriesConcurrent(t *testing.T) {
	dialects(t, Options{Webhooks: hooks[:1]}, func(t *testing.T, s *Store) {
		var msgs []Message
		for i := range 200 {
			msgs = append(msgs, hard(string(rune('a'+i%26))+time.Duration(i).String(), time.Duration(i).String()+"x@example.com", t0))
		}
		mustRecord(t, s, t0, msgs...)
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					got, err := s.ClaimDeliveries(context.Background(), "app", 7, t0, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Errorf("claimed %d deliveries, want 200", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("delivery %d claimed %d times", id, n)
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
