package suppression

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/dsn"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func rcpt(addr string, class dsn.Class, reason dsn.Reason) dsn.Recipient {
	return dsn.Recipient{FinalRecipient: addr, Action: "failed", Status: "5.1.1", Diagnostic: "550 no such user", Class: class, Reason: reason}
}

func bounce(key string, at time.Time, rs ...dsn.Recipient) Message {
	return Message{Key: key, Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN, ReportingMTA: "mx.example.net", Recipients: rs}}
}

func hard(key, addr string, at time.Time) Message {
	return bounce(key, at, rcpt(addr, dsn.ClassHard, dsn.ReasonUserUnknown))
}

func soft(key, addr string, at time.Time) Message {
	return bounce(key, at, rcpt(addr, dsn.ClassSoft, dsn.ReasonMailboxFull))
}

func mustRecord(t *testing.T, s *Store, now time.Time, msgs ...Message) Result {
	t.Helper()
	res, err := s.Record(context.Background(), msgs, now)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	return res
}

func mustEntry(t *testing.T, s *Store, email string) Entry {
	t.Helper()
	m, err := s.loadEntries(context.Background(), s.rdb, []string{email})
	if err != nil {
		t.Fatalf("loadEntries: %v", err)
	}
	e, ok := m[email]
	if !ok {
		t.Fatalf("no entry for %s", email)
	}
	return e
}

func ledger(t *testing.T, s *Store, key string) (outcome, errText string) {
	t.Helper()
	row := s.rdb.QueryRowxContext(context.Background(), s.q(`SELECT outcome, error FROM processed_messages WHERE message_key = ?`), key)
	if err := row.Scan(&outcome, &errText); err != nil {
		t.Fatalf("ledger %s: %v", key, err)
	}
	return outcome, errText
}

func countEvents(t *testing.T, s *Store, recipient string) int {
	t.Helper()
	var n int
	if err := s.rdb.GetContext(context.Background(), &n, s.q(`SELECT count(*) FROM bounce_events WHERE recipient = ?`), recipient); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordHardBounceSuppresses(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		res := mustRecord(t, s, t0.Add(time.Minute), hard("k1", " Bob@Example.COM", t0))
		if res.Events != 1 || res.ByClass[dsn.ClassHard] != 1 || !slices.Equal(res.NewlySuppressed, []string{"bob@example.com"}) {
			t.Fatalf("Record = %+v, want 1 hard event, bob@example.com newly suppressed", res)
		}
		e := mustEntry(t, s, "bob@example.com")
		if !e.Suppressed || e.HardCount != 1 || e.Source != SourceBounce || e.SuppressedReason != "userunknown" || e.ExpiresAt != nil {
			t.Errorf("entry = %+v, want permanently suppressed for userunknown", e)
		}
		if !e.SuppressedAt.Equal(t0) || !e.FirstSeen.Equal(t0) || !e.LastSeen.Equal(t0) || e.Domain != "example.com" {
			t.Errorf("entry times/domain = %v %v %v %q, want %v and example.com", e.SuppressedAt, e.FirstSeen, e.LastSeen, e.Domain, t0)
		}
		if e.LastStatus != "5.1.1" || e.LastDiagnostic != "550 no such user" || e.LastClass != "hard" {
			t.Errorf("last fields = %q %q %q", e.LastStatus, e.LastDiagnostic, e.LastClass)
		}
		if o, _ := ledger(t, s, "k1"); o != OutcomeRecorded {
			t.Errorf("ledger outcome = %q, want %q", o, OutcomeRecorded)
		}
	})
}

func TestRecordIdempotent(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		batch := []Message{soft("k1", "a@example.com", t0), soft("k2", "a@example.com", t0.Add(time.Hour)), soft("k1", "a@example.com", t0)}
		res := mustRecord(t, s, t0, batch...)
		if res.Messages != 3 || res.Duplicates != 1 || res.Events != 2 {
			t.Fatalf("first Record = %+v, want 3 messages, 1 duplicate, 2 events", res)
		}
		res = mustRecord(t, s, t0, batch...)
		if res.Duplicates != 3 || res.Events != 0 || len(res.NewlySuppressed) != 0 {
			t.Fatalf("second Record = %+v, want 3 duplicates and nothing written", res)
		}
		if e := mustEntry(t, s, "a@example.com"); e.SoftCount != 2 || e.Suppressed {
			t.Errorf("soft_count = %d suppressed = %v, want 2, false", e.SoftCount, e.Suppressed)
		}
		if n := countEvents(t, s, "a@example.com"); n != 2 {
			t.Errorf("bounce_events rows = %d, want 2", n)
		}
	})
}

func TestRecordSoftWindowAndExpiry(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		// Spread over more than the 7-day window: never 3 within it.
		mustRecord(t, s, t0, soft("s1", "far@example.com", t0), soft("s2", "far@example.com", t0.Add(4*24*time.Hour)))
		mustRecord(t, s, t0, soft("s3", "far@example.com", t0.Add(8*24*time.Hour)))
		if e := mustEntry(t, s, "far@example.com"); e.Suppressed || e.SoftCount != 3 {
			t.Errorf("far: suppressed = %v soft_count = %d, want false, 3", e.Suppressed, e.SoftCount)
		}
		// Three within the window, the third in a later batch.
		mustRecord(t, s, t0, soft("n1", "near@example.com", t0), soft("n2", "near@example.com", t0.Add(24*time.Hour)))
		res := mustRecord(t, s, t0.Add(50*time.Hour), soft("n3", "near@example.com", t0.Add(48*time.Hour)))
		if !slices.Equal(res.NewlySuppressed, []string{"near@example.com"}) {
			t.Errorf("NewlySuppressed = %v, want near@example.com", res.NewlySuppressed)
		}
		e := mustEntry(t, s, "near@example.com")
		wantExp := t0.Add(48*time.Hour + 720*time.Hour)
		if !e.Suppressed || e.ExpiresAt == nil || !e.ExpiresAt.Equal(wantExp) || e.SuppressedReason != "mailboxfull" {
			t.Errorf("near: %+v, want suppressed for mailboxfull until %v", e, wantExp)
		}
		if !e.Active(wantExp.Add(-time.Second)) || e.Active(wantExp) {
			t.Errorf("Active around expiry %v wrong", wantExp)
		}
		// A hard bounce makes it permanent.
		mustRecord(t, s, t0, hard("n4", "near@example.com", t0.Add(49*time.Hour)))
		if e := mustEntry(t, s, "near@example.com"); e.ExpiresAt != nil || e.SuppressedReason != "userunknown" {
			t.Errorf("after hard: expires %v reason %q, want permanent userunknown", e.ExpiresAt, e.SuppressedReason)
		}
	})
}

func TestRecordClasses(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		block := bounce("b1", t0, rcpt("blocked@example.com", dsn.ClassBlock, dsn.ReasonBlocked))
		ignore := bounce("i1", t0, rcpt("away@example.com", dsn.ClassIgnore, dsn.ReasonVacation))
		arf := Message{Key: "c1", Mailbox: "fbl", ReceivedAt: t0, Report: &dsn.Report{Type: dsn.TypeARF,
			Feedback:   &dsn.Feedback{Type: "abuse"},
			Recipients: []dsn.Recipient{{FinalRecipient: "angry@example.com", Reason: dsn.ReasonFeedback}}}}
		res := mustRecord(t, s, t0, block, block, block, ignore, arf)
		if res.ByClass[dsn.ClassBlock] != 1 || res.ByClass[dsn.ClassIgnore] != 1 || res.ByClass[dsn.ClassComplaint] != 1 {
			t.Errorf("ByClass = %v, want one block, one ignore, one complaint", res.ByClass)
		}
		if e := mustEntry(t, s, "blocked@example.com"); e.Suppressed || e.BlockCount != 1 {
			t.Errorf("block: suppressed = %v block_count = %d, want false, 1", e.Suppressed, e.BlockCount)
		}
		if _, err := s.loadEntries(context.Background(), s.rdb, []string{"away@example.com"}); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.loadEntries(context.Background(), s.rdb, []string{"away@example.com"}); len(m) != 0 {
			t.Errorf("ignore created an entry: %+v", m)
		}
		if n := countEvents(t, s, "away@example.com"); n != 1 {
			t.Errorf("ignore events = %d, want 1 (recorded only)", n)
		}
		e := mustEntry(t, s, "angry@example.com")
		if !e.Suppressed || e.Source != SourceComplaint || e.ComplaintCount != 1 {
			t.Errorf("complaint: %+v, want suppressed with source complaint", e)
		}
	})
}

func TestRecordFoldsRepeatsOfOneAddress(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		var batch []Message
		for i := range 5 {
			batch = append(batch, soft(string(rune('a'+i)), "Same@Example.com", t0.Add(time.Duration(i)*time.Hour)))
		}
		batch = append(batch, bounce("multi", t0, rcpt("same@example.com", dsn.ClassBlock, dsn.ReasonBlocked), rcpt("SAME@example.com", dsn.ClassBlock, dsn.ReasonBlocked)))
		res := mustRecord(t, s, t0, batch...)
		if res.Events != 7 {
			t.Errorf("Events = %d, want 7", res.Events)
		}
		e := mustEntry(t, s, "same@example.com")
		if e.SoftCount != 5 || e.BlockCount != 2 || !e.Suppressed {
			t.Errorf("entry = %+v, want soft 5, block 2, suppressed", e)
		}
		if !e.SuppressedAt.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("suppressed_at = %v, want the third soft bounce %v", e.SuppressedAt, t0.Add(2*time.Hour))
		}
	})
}

func TestRecordWithoutUsableRecipient(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		noRcpt := bounce("n1", t0, rcpt("", dsn.ClassHard, dsn.ReasonUserUnknown))
		verified := bounce("v1", t0, rcpt("", dsn.ClassHard, dsn.ReasonUserUnknown))
		verified.Verified, verified.VerifiedRecipient = true, "Token@Example.com"
		garbage := bounce("g1", t0, rcpt("not an address", dsn.ClassHard, dsn.ReasonUserUnknown))
		unparsed := Message{Key: "u1", Mailbox: "bounces", ReceivedAt: t0, ParseError: "truncated MIME", Subject: "Undeliverable", From: "MAILER-DAEMON"}
		other := Message{Key: "o1", Mailbox: "bounces", ReceivedAt: t0, Report: &dsn.Report{Type: dsn.TypeOther}}
		res := mustRecord(t, s, t0, noRcpt, verified, garbage, unparsed, other)
		if res.Events != 1 || res.NoRecipient != 2 || res.Unparsed != 1 {
			t.Errorf("Result = %+v, want 1 event, 2 without recipient, 1 unparsed", res)
		}
		if e := mustEntry(t, s, "token@example.com"); !e.Suppressed {
			t.Errorf("verified recipient not suppressed: %+v", e)
		}
		for key, want := range map[string]string{"n1": OutcomeNoRecipient, "g1": OutcomeNoRecipient, "u1": OutcomeQuarantined, "o1": OutcomeNotReport, "v1": OutcomeRecorded} {
			if o, _ := ledger(t, s, key); o != want {
				t.Errorf("ledger %s outcome = %q, want %q", key, o, want)
			}
		}
		if _, e := ledger(t, s, "g1"); e != `record 1: invalid address "not an address": no @` {
			t.Errorf("ledger g1 error = %q", e)
		}
		if _, e := ledger(t, s, "u1"); e != "truncated MIME" {
			t.Errorf("ledger u1 error = %q, want the parse error", e)
		}
	})
}

func TestRecordRequireVerified(t *testing.T) {
	dialects(t, Options{Policy: &Policy{RequireVerified: true}}, func(t *testing.T, s *Store) {
		v := hard("v", "signed@example.com", t0)
		v.Verified = true
		res := mustRecord(t, s, t0, hard("u", "forged@example.com", t0), v)
		if res.Events != 2 || !slices.Equal(res.NewlySuppressed, []string{"signed@example.com"}) {
			t.Errorf("Result = %+v, want 2 events, only signed@example.com suppressed", res)
		}
		if n := countEvents(t, s, "forged@example.com"); n != 1 {
			t.Errorf("unverified event rows = %d, want 1 (kept as evidence)", n)
		}
	})
}

func TestRecordRejectsMissingKey(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		_, err := s.Record(context.Background(), []Message{hard("", "a@example.com", t0)}, t0)
		if !errors.Is(err, ErrNoKey) {
			t.Errorf("Record without key: err = %v, want ErrNoKey", err)
		}
	})
}

func TestRecordCapsRecordsPerMessage(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	var rs []dsn.Recipient
	for i := range MaxRecordsPerMessage + 5 {
		rs = append(rs, rcpt(fmt.Sprintf("u%d@example.com", i), dsn.ClassHard, dsn.ReasonUserUnknown))
	}
	res := mustRecord(t, s, t0, bounce("huge", t0, rs...))
	if res.Events != MaxRecordsPerMessage {
		t.Errorf("Events = %d, want %d", res.Events, MaxRecordsPerMessage)
	}
	if _, e := ledger(t, s, "huge"); e != "5 records past the first 1000 ignored" {
		t.Errorf("ledger error = %q", e)
	}
}

func TestIsDataError(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("suppression: record: %w", &pq.Error{Code: "22021"}), true},
		{&pq.Error{Code: "23505"}, true},
		{&pq.Error{Code: "57P01"}, false},
		{errors.New("connection refused"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsDataError(tt.err); got != tt.want {
			t.Errorf("IsDataError(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
