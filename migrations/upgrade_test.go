package migrations

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// A database at 00020 with ledgered messages upgrades to 00030 with each
// mailbox's newest message in mailbox_received, and its events still
// take new rows.
func TestUpgradeMailboxReceived(t *testing.T) {
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
			if _, err := p.UpTo(ctx, 20); err != nil {
				t.Fatal(err)
			}
			ts := func(s string) any {
				if d == SQLite {
					return s
				}
				at, _ := time.Parse("2006-01-02 15:04:05.000", s)
				return at
			}
			ins := `INSERT INTO processed_messages (message_key, mailbox, received_at, processed_at, type) VALUES ($1, $2, $3, $3, 'dsn')`
			for _, r := range [][]string{{"k1", "a", "2026-01-01 10:00:00.000"}, {"k2", "a", "2026-01-03 10:00:00.000"}, {"k3", "b", "2026-01-02 10:00:00.000"}} {
				if _, err := db.ExecContext(ctx, ins, r[0], r[1], ts(r[2])); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Up(ctx, db, d); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			rows, err := db.QueryContext(ctx, `SELECT mailbox, last_received_at FROM mailbox_received`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var m string
				var at any
				if err := rows.Scan(&m, &at); err != nil {
					t.Fatal(err)
				}
				if tm, ok := at.(time.Time); ok {
					at = tm.UTC().Format("2006-01-02 15:04:05.000")
				}
				got[m] = at.(string)
			}
			if len(got) != 2 || got["a"] != "2026-01-03 10:00:00.000" || got["b"] != "2026-01-02 10:00:00.000" {
				t.Errorf("mailbox_received = %v, want a at 2026-01-03 10:00, b at 2026-01-02 10:00", got)
			}
			ev := `INSERT INTO bounce_events (received_at, mailbox, message_key, recipient, domain, class, reason) VALUES ($1, 'a', 'k1', 'x@y.test', 'y.test', 'hard', 'user_unknown')`
			for range 2 {
				if _, err := db.ExecContext(ctx, ev, ts("2026-01-01 10:00:00.000")); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
