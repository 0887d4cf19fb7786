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
			Status: "5.1.1", Diagnostic: "550 no such user", ReportingMTA: "mx.example.net", Verified: true, OriginalMessageID: "<orig@example.org>"}
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
