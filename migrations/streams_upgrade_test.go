package migrations

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

// A database at 00051 with events upgrades to 00060 with each event in the
// stream "default", and the message lookup probes the new index.
func TestUpgradeStreams(t *testing.T) {
	upgradeFrom(t, 51, func(t *testing.T, d Dialect, db *sql.DB, p *goose.Provider) {
		ctx := context.Background()
		ev := `INSERT INTO bounce_events (received_at, mailbox, message_key, recipient, domain, class, reason, original_message_id) VALUES ($1, 'a', 'k1', 'x@y.test', 'y.test', 'hard', 'user_unknown', '<m1@app>')`
		if _, err := db.ExecContext(ctx, ev, time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if _, err := Up(ctx, db, d); err != nil {
			t.Fatal(err)
		}
		var stream string
		if err := db.QueryRowContext(ctx, `SELECT stream FROM bounce_events WHERE original_message_id = '<m1@app>'`).Scan(&stream); err != nil || stream != "default" {
			t.Errorf("upgraded event: stream %q, %v; want default", stream, err)
		}
	})
}
