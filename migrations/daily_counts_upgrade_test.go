package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

// A database with events and suppressions at the schema before 00052 (every
// other migration applied, 00060 included, so 00052 and 00053 arrive out
// of order) upgrades with daily_counts equal to a recount of its rows.
func TestUpgradeDailyCounts(t *testing.T) {
	upgradeFrom(t, 51, func(t *testing.T, d Dialect, db *sql.DB, p *goose.Provider) {
		ctx := context.Background()
		for _, s := range p.ListSources() {
			if s.Version > 59 { // past the dashboard's range, 00052-00059
				if _, err := p.ApplyVersion(ctx, s.Version, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := seedDailyCounts(t, db, d)
		if _, err := Up(ctx, db, d); err != nil {
			t.Fatal(err)
		}
		if got := dailyCounts(t, db, d); !reflect.DeepEqual(got, want) {
			t.Errorf("daily_counts after the upgrade:\n%v\nwant the recount\n%v", got, want)
		}
	})
}

// seedDailyCounts writes events over three days (one at 23:59:59 UTC, one
// with a diagnostic longer than the 500 characters a key keeps) and
// suppressions, and returns the rows daily_counts should hold, as
// "day dim key n".
func seedDailyCounts(t *testing.T, db *sql.DB, d Dialect) map[string]int {
	t.Helper()
	ts := func(day, h, m int) any {
		at := time.Date(2026, 2, day, h, m, 59, 0, time.UTC)
		if d == SQLite {
			return at.Format("2006-01-02 15:04:05.000")
		}
		return at
	}
	long := "550 " + strings.Repeat("é", 600)
	events := []struct {
		at                                     any
		class, reason, domain, mta, diagnostic string
	}{
		{ts(1, 10, 0), "hard", "userunknown", "a.test", "mx.a.test", "550 5.1.1 unknown"},
		{ts(1, 23, 59), "hard", "userunknown", "a.test", "", "550 5.1.1 unknown"},
		{ts(2, 0, 0), "block", "blocked", "b.test", "mx.b.test", "554 blocked using zen.spamhaus.org"},
		{ts(2, 1, 0), "block", "blocked", "b.test", "mx.b.test", long},
		{ts(2, 2, 0), "block", "blocked", "b.test", "mx.b.test", ""},
		{ts(2, 3, 0), "soft", "mailboxfull", "a.test", "mx.a.test", "452 full"},
		{ts(3, 4, 0), "complaint", "feedback", "c.test", "", ""},
		{ts(3, 5, 0), "ignore", "autoreply", "c.test", "", ""},
	}
	want := map[string]int{}
	add := func(day int, dim, key string) { want[fmt.Sprintf("2026-02-%02d %s %s", day, dim, key)]++ }
	for i, e := range events {
		_, err := db.Exec(`INSERT INTO bounce_events (received_at, mailbox, message_key, recipient, domain, class, reason, diagnostic, remote_mta)
VALUES ($1, 'b', $2, $3, $4, $5, $6, $7, $8)`, e.at, fmt.Sprint("k", i), "x@"+e.domain, e.domain, e.class, e.reason, e.diagnostic, e.mta)
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, day := range []struct {
		n                                      int
		class, reason, domain, mta, diagnostic string
	}{
		{1, "hard", "userunknown", "a.test", "mx.a.test", "550 5.1.1 unknown"},
		{1, "hard", "userunknown", "a.test", "", "550 5.1.1 unknown"},
		{2, "block", "blocked", "b.test", "mx.b.test", "554 blocked using zen.spamhaus.org"},
		{2, "block", "blocked", "b.test", "mx.b.test", "550 " + strings.Repeat("é", 496)},
		{2, "block", "blocked", "b.test", "mx.b.test", ""},
		{2, "soft", "mailboxfull", "a.test", "mx.a.test", "452 full"},
		{3, "complaint", "", "", "", ""},
		{3, "ignore", "", "", "", ""},
	} {
		add(day.n, "class", day.class)
		if day.reason != "" {
			add(day.n, "reason", day.reason)
			add(day.n, "domain", day.domain)
		}
		if day.mta != "" {
			add(day.n, "remote_mta", day.mta)
		}
		if day.class == "block" {
			add(day.n, "block", day.diagnostic)
		}
	}
	for i, s := range []struct {
		day        int
		suppressed bool
		source     string
	}{{1, true, "bounce"}, {1, true, "bounce"}, {2, true, "manual"}, {3, false, "bounce"}} {
		_, err := db.Exec(`INSERT INTO suppressions (email, domain, first_seen, last_seen, suppressed, suppressed_at, source)
VALUES ($1, 'a.test', $2, $2, $3, $2, $4)`, fmt.Sprintf("s%d@a.test", i), ts(s.day, 9, 0), s.suppressed, s.source)
		if err != nil {
			t.Fatal(err)
		}
		if s.suppressed {
			add(s.day, "suppressed", s.source)
		}
	}
	return want
}

// dailyCounts reads daily_counts as "day dim key n".
func dailyCounts(t *testing.T, db *sql.DB, d Dialect) map[string]int {
	t.Helper()
	day := "day"
	if d == Postgres {
		day = "to_char(day, 'YYYY-MM-DD')"
	}
	return countRows(t, db, `SELECT `+day+`, dim, key, n FROM daily_counts`)
}

// countRows reads the rows (three texts, a count) of query as
// "text text text" -> count.
func countRows(t *testing.T, db *sql.DB, query string) map[string]int {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var a, b, c string
		var n int
		if err := rows.Scan(&a, &b, &c, &n); err != nil {
			t.Fatal(err)
		}
		got[a+" "+b+" "+c] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
