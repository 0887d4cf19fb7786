package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

// A database with events at the schema before 00054 upgrades with
// rate_counts equal to a recount of its events per UTC hour, stream and
// class: with every other migration applied (00054 arrives out of order,
// after 00060 gave events their stream), and older than 00060 too (every
// event of the stream 'default').
func TestUpgradeRateCounts(t *testing.T) {
	for _, streams := range []bool{true, false} {
		t.Run(fmt.Sprint("streams=", streams), func(t *testing.T) {
			upgradeFrom(t, 53, func(t *testing.T, d Dialect, db *sql.DB, p *goose.Provider) {
				ctx := context.Background()
				for _, s := range p.ListSources() {
					if streams && s.Version > 59 {
						if _, err := p.ApplyVersion(ctx, s.Version, true); err != nil {
							t.Fatal(err)
						}
					}
				}
				want := seedRateCounts(t, db, d, streams)
				if _, err := Up(ctx, db, d); err != nil {
					t.Fatal(err)
				}
				hour := "substr(hour, 1, 13)"
				if d == Postgres {
					hour = "to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
				}
				if got := countRows(t, db, `SELECT `+hour+`, stream, class, n FROM rate_counts`); !reflect.DeepEqual(got, want) {
					t.Errorf("rate_counts after the upgrade:\n%v\nwant the recount\n%v", got, want)
				}
			})
		})
	}
}

// seedRateCounts writes events of two streams (when the table has them)
// over three hours, one at 10:59:59 UTC and one of a class rates do not
// count, and returns the rows rate_counts should hold, as "hour stream
// class" -> n.
func seedRateCounts(t *testing.T, db *sql.DB, d Dialect, streams bool) map[string]int {
	t.Helper()
	want := map[string]int{}
	for i, e := range []struct {
		h, m, s       int
		stream, class string
	}{
		{10, 0, 0, "news", "hard"}, {10, 59, 59, "news", "hard"}, {10, 30, 0, "receipts", "hard"},
		{11, 0, 0, "news", "hard"}, {11, 5, 0, "news", "soft"}, {11, 6, 0, "news", "block"},
		{12, 0, 0, "receipts", "complaint"}, {12, 1, 0, "receipts", "ignore"},
	} {
		var at any = time.Date(2026, 2, 1, e.h, e.m, e.s, 0, time.UTC)
		if d == SQLite {
			at = at.(time.Time).Format("2006-01-02 15:04:05.000")
		}
		cols, vals, args := "", "", []any{at, fmt.Sprint("k", i), e.class}
		if streams {
			cols, vals, args = ", stream", ", $4", append(args, e.stream)
		} else {
			e.stream = "default"
		}
		_, err := db.Exec(`INSERT INTO bounce_events (received_at, mailbox, message_key, recipient, domain, class, reason`+cols+`)
VALUES ($1, 'b', $2, 'x@a.test', 'a.test', $3, ''`+vals+`)`, args...)
		if err != nil {
			t.Fatal(err)
		}
		if e.class != "ignore" {
			want[fmt.Sprintf("2026-02-01 %02d %s %s", e.h, e.stream, e.class)]++
		}
	}
	return want
}
