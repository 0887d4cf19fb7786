package migrations

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

// A database with webhook deliveries queued before 00075 (one row per
// event and endpoint) keeps them, pending and dead as they were: the
// dispatcher sends them before any event of the stream about their
// addresses (suppression's TestOutboxUpgradeKeepsQueued).
func TestUpgradeWebhookOutbox(t *testing.T) {
	upgradeFrom(t, 71, func(t *testing.T, d Dialect, db *sql.DB, _ *goose.Provider) {
		insertDeliveries(t, d, db)
		if _, err := Up(context.Background(), db, d); err != nil {
			t.Fatal(err)
		}
		got := countRows(t, db, `SELECT event_id, state, endpoint, count(*) FROM webhook_deliveries GROUP BY event_id, state, endpoint`)
		if len(got) != 2 || got["msg_pending pending app"] != 1 || got["msg_dead dead app"] != 1 {
			t.Errorf("deliveries after the upgrade: %v, want the pending one and the dead one", got)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM webhook_outbox`).Scan(&n); err != nil || n != 0 {
			t.Errorf("webhook_outbox: %d rows, %v; want an empty table", n, err)
		}
	})
}

// insertDeliveries queues a pending and a dead suppression.added about
// a@example.com for endpoint app (event ids msg_pending, msg_dead), in the
// columns every version since 00070 has.
func insertDeliveries(t *testing.T, d Dialect, db *sql.DB) {
	t.Helper()
	var at any = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if d == SQLite {
		at = at.(time.Time).Format("2006-01-02 15:04:05.000")
	}
	for _, state := range []string{"pending", "dead"} {
		if _, err := db.Exec(`INSERT INTO webhook_deliveries (event_id, type, endpoint, subject, body, state, queued_at, next_at)
VALUES ($1, 'suppression.added', 'app', 'a@example.com', '{}', $2, $3, $3)`, "msg_"+state, state, at); err != nil {
			t.Fatal(err)
		}
	}
}
