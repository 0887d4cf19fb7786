package storemetrics

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// dialects runs fn on a fresh SQLite store and a fresh Postgres store,
// each observed by Observer.
func dialects(t *testing.T, fn func(t *testing.T, s *suppression.Store)) {
	t.Helper()
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
			if d == "postgres" {
				url = testenv.PostgresURL(t)
			}
			s, err := suppression.Open(context.Background(), url, suppression.Options{Observer: Observer{}})
			if err != nil {
				t.Fatalf("Open(%s): %v", d, err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

func rcpt(addr string, class dsn.Class, reason dsn.Reason) dsn.Recipient {
	return dsn.Recipient{FinalRecipient: addr, Action: "failed", Status: "5.1.1", Class: class, Reason: reason}
}

func bounce(key string, at time.Time, rs ...dsn.Recipient) suppression.Message {
	return suppression.Message{Key: key, Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN, Recipients: rs}}
}

func mustRecord(t *testing.T, s *suppression.Store, now time.Time, msgs ...suppression.Message) {
	t.Helper()
	if _, err := s.Record(context.Background(), msgs, now); err != nil {
		t.Fatalf("Record: %v", err)
	}
}
