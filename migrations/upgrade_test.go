package migrations

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// A database at 00020 with ledgered messages upgrades to 00030 with each
// mailbox's newest message in mailbox_received, and its events still
// take new rows.
func TestUpgradeMailboxReceived(t *testing.T) {
	upgradeFrom(t, 20, func(t *testing.T, d Dialect, db *sql.DB, p *goose.Provider) {
		ctx := context.Background()
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

// A database at 00030 with suppressions upgrades through 00050 and 00051:
// the audit log takes rows, the list's new indexes exist, and the old
// entries are still there.
func TestUpgradeAuditAndListIndexes(t *testing.T) {
	upgradeFrom(t, 30, func(t *testing.T, d Dialect, db *sql.DB, p *goose.Provider) {
		ctx := context.Background()
		at := any("2026-01-01 10:00:00.000")
		if d == Postgres {
			at = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO suppressions (email, domain, first_seen, last_seen) VALUES ('a@x.test', 'x.test', $1, $1)`, at); err != nil {
			t.Fatal(err)
		}
		if _, err := Up(ctx, db, d); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO audit_log (at, actor, via, action, subject) VALUES ($1, 'cli:a', 'cli', 'remove', 'a@x.test')`, at); err != nil {
			t.Errorf("audit_log insert after upgrade: %v", err)
		}
		indexes := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'suppressions'`
		if d == Postgres {
			indexes = `SELECT indexname FROM pg_indexes WHERE tablename = 'suppressions'`
		}
		rows, err := db.QueryContext(ctx, indexes)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]bool{}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			got[n] = true
		}
		if !got["suppressions_domain_email_idx"] || !got["suppressions_last_seen_idx"] || got["suppressions_domain_idx"] {
			t.Errorf("indexes after upgrade = %v, want (domain, email) and (last_seen, email) in place of (domain)", got)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM suppressions WHERE email LIKE 'a@%'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("entries after upgrade = %d, %v", n, err)
		}
	})
}

// upgradeFrom runs fn for each dialect on a fresh database migrated up to
// version.
func upgradeFrom(t *testing.T, version int64, fn func(t *testing.T, d Dialect, db *sql.DB, p *goose.Provider)) {
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			db, p := upgradeDB(t, d)
			if _, err := p.UpTo(context.Background(), version); err != nil {
				t.Fatal(err)
			}
			fn(t, d, db, p)
		})
	}
}

// upgradeDB opens a fresh database of dialect d on one connection (closed
// with the test) and its migration provider, for upgrade tests.
func upgradeDB(t *testing.T, d Dialect) (*sql.DB, *goose.Provider) {
	t.Helper()
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
	t.Cleanup(func() { db.Close() })
	p, err := provider(db, d)
	if err != nil {
		t.Fatal(err)
	}
	return db, p
}
