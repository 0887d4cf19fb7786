package migrations

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// A database at 00051 with events upgrades to 00060 with each event in the
// stream "default", and the message lookup probes the new index.
func TestUpgradeStreams(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			var db *sql.DB
			var err error
			if d == SQLite {
				db, err = sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "b.db"))
			} else {
				db, err = sql.Open("postgres", testenv.PostgresURL(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			db.SetMaxOpenConns(1)
			defer db.Close()
			ctx := context.Background()
			p, err := provider(db, d)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 51); err != nil {
				t.Fatal(err)
			}
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
}
