package suppression

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

func TestGet(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		m := hard("k1", "bob@example.com", t0)
		m.Verified = true
		m.Report.Original.MessageID = "<orig@example.org>"
		m.Report.Message.MessageID = "<bounce@mx.example.net>"
		mustRecord(t, s, t0, soft("k0", "bob@example.com", t0.Add(-time.Hour)), m)
		d, err := s.Get(ctx, "BOB@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if d.Entry.Email != "bob@example.com" || !d.Entry.Suppressed || len(d.Events) != 2 || d.Allowlisted {
			t.Fatalf("Get = %+v", d)
		}
		ev := d.Events[0] // newest first
		want := Event{ID: ev.ID, ReceivedAt: t0, Mailbox: "bounces", MessageKey: "k1", MessageID: "<bounce@mx.example.net>",
			Recipient: "bob@example.com", Domain: "example.com", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown,
			Status: "5.1.1", Diagnostic: "550 no such user", ReportingMTA: "mx.example.net", Verified: true, OriginalMessageID: "<orig@example.org>", Stream: DefaultStream, Action: "failed"}
		if ev != want {
			t.Errorf("event = %+v\nwant    %+v", ev, want)
		}
		if _, err := s.Get(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(unknown) err = %v, want ErrNotFound", err)
		}
		if _, err := s.Get(ctx, "garbage"); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("Get(garbage) err = %v, want ErrInvalidAddress", err)
		}
	})
}

// An address with events that never counted has an empty entry and its
// events, newest first; the allowlist is reported for it too (by domain).
func TestGetWithoutEntry(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.AllowAdd(ctx, "partner.example", "", t0); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, t0,
			bounce("a1", t0, rcpt("auto@example.com", dsn.ClassIgnore, dsn.ReasonUndefined)),
			bounce("a2", t0.Add(time.Minute), rcpt("auto@example.com", dsn.ClassIgnore, dsn.ReasonUndefined)),
			bounce("a3", t0, rcpt("x@partner.example", dsn.ClassIgnore, dsn.ReasonUndefined)))
		d, err := s.Get(ctx, "auto@example.com")
		if err != nil {
			t.Fatal(err)
		}
		want := Entry{Email: "auto@example.com", Domain: "example.com", Source: SourceBounce}
		if d.Entry != want || d.Allowlisted || len(d.Events) != 2 || d.Events[0].MessageKey != "a2" || d.Events[1].MessageKey != "a1" {
			t.Fatalf("Get = %+v", d)
		}
		if d, err := s.Get(ctx, "x@partner.example"); err != nil || !d.Allowlisted || len(d.Events) != 1 || d.Entry.Email != "x@partner.example" {
			t.Fatalf("Get(allowlisted, no entry) = %+v, %v", d, err)
		}
	})
}
