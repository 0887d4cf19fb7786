package suppression

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/migrations"
)

// This file holds the read-only queries behind the dashboard's overview:
// figures per UTC day and the alerts sent.

// DayCount is one UTC day's count of one key (a class, or "suppressed").
type DayCount struct {
	Day string // "2006-01-02", UTC
	Key string
	N   int
}

// The overview reads daily_counts (rollup.go), never bounce_events: a
// read costs the same whatever the events, and pruning events changes
// nothing. A window counts the UTC days from the one From falls in to the
// one before To (To's day too when To is not midnight).

// dayRange returns the first day of w and the day after its last.
func dayRange(w Window) (from, to string) {
	end := w.To.UTC()
	if !end.Equal(end.Truncate(24 * time.Hour)) {
		end = end.AddDate(0, 0, 1)
	}
	return utcDay(w.From), utcDay(end)
}

// dayArgs returns dayRange(w) as query arguments, and the placeholder that
// compares with daily_counts.day.
func (s *Store) dayArgs(w Window) (args []any, param string) {
	from, to := dayRange(w)
	if s.dialect == migrations.SQLite {
		return []any{from, to}, "?"
	}
	return []any{from, to}, "?::date"
}

// dayText is daily_counts.day as "YYYY-MM-DD".
func (s *Store) dayText() string {
	if s.dialect == migrations.SQLite {
		return "day"
	}
	return "to_char(day, 'YYYY-MM-DD')"
}

// DailyClasses counts the window's recipient events per UTC day and class
// (hard, soft, block, complaint, ignore), by day then class.
func (s *Store) DailyClasses(ctx context.Context, w Window) ([]DayCount, error) {
	args, p := s.dayArgs(w)
	query := `SELECT ` + s.dayText() + `, key, n FROM daily_counts
WHERE dim = 'class' AND day >= ` + p + ` AND day < ` + p + ` ORDER BY day, key`
	out, err := queryRows(ctx, s, query, args, scanDayCount)
	if err != nil {
		return nil, fmt.Errorf("suppression: daily classes: %w", err)
	}
	return out, nil
}

// DailySuppressed counts per UTC day of the window the suppressions that
// started on it (Key "suppressed"): by Record, by hand, by import or by
// Recompute, each counted when it started, whatever happened to it later
// (a removal does not uncount it).
func (s *Store) DailySuppressed(ctx context.Context, w Window) ([]DayCount, error) {
	args, p := s.dayArgs(w)
	query := `SELECT ` + s.dayText() + `, 'suppressed', SUM(n) FROM daily_counts
WHERE dim = 'suppressed' AND day >= ` + p + ` AND day < ` + p + ` GROUP BY day ORDER BY day`
	out, err := queryRows(ctx, s, query, args, scanDayCount)
	if err != nil {
		return nil, fmt.Errorf("suppression: daily suppressed: %w", err)
	}
	return out, nil
}

func scanDayCount(rows *sqlx.Rows) (DayCount, error) {
	var c DayCount
	err := rows.Scan(&c.Day, &c.Key, &c.N)
	return c, err
}

// SentAlert is an alert the daemon mailed (package notify's alerts table):
// its key ("kind:subject"), when it was last sent and how often.
type SentAlert struct {
	Key      string
	LastSent time.Time
	Count    int
}

// RecentAlerts returns the alerts last sent at or after since, newest first.
func (s *Store) RecentAlerts(ctx context.Context, since time.Time, limit int) ([]SentAlert, error) {
	query := `SELECT alert_key, last_sent_at, sent_count FROM alerts WHERE last_sent_at >= ?
ORDER BY last_sent_at DESC, alert_key` + limitClause(limit)
	out, err := queryRows(ctx, s, query, []any{s.tv(since)}, func(rows *sqlx.Rows) (SentAlert, error) {
		var a SentAlert
		var at dbTime
		err := rows.Scan(&a.Key, &at, &a.Count)
		a.LastSent = at.Time
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: recent alerts: %w", err)
	}
	return out, nil
}

// Dimensions of block events, for TopDaily only: ByBlocklist by the block
// list their diagnostic names (dsn.BlocklistOf), as Record counts them;
// ByBlockDiagnostic by diagnostic (its first 500 characters), as migration
// 00052 counted the events stored before it, to be named by the reader.
const (
	ByBlocklist       Dimension = "blocklist"
	ByBlockDiagnostic Dimension = "block"
)

// dailyDims maps a Dimension to its daily_counts.dim; only these names
// ever reach the SQL text.
var dailyDims = map[Dimension]string{ByReason: dimReason, ByDomain: dimDomain, ByRemoteMTA: dimRemoteMTA, ByBlockDiagnostic: dimBlock, ByBlocklist: dimBlocklist}

// rankPerDay is how many of each day's largest keys Postgres considers
// when TopDaily ranks a window.
const rankPerDay = 30

// topDailyPGSQL ranks in two steps so a read costs the same whatever the
// number of keys: candidates from each day's rankPerDay largest keys
// (one index range per day, $5 of them by their summed counts), then
// their exact totals over the window. A key outside every day's largest
// could rank too low; its count, when shown, is exact.
var topDailyPGSQL = `WITH cand AS (
  SELECT t.key FROM generate_series($2::date, $3::date - 1, interval '1 day') AS g(day),
  LATERAL (SELECT key, n FROM daily_counts c WHERE c.dim = $1 AND c.day = g.day::date ORDER BY n DESC LIMIT ` +
	strconv.Itoa(rankPerDay) + `) t
  GROUP BY t.key ORDER BY sum(t.n) DESC, t.key LIMIT $5)
SELECT c.key, SUM(c.n) AS total FROM daily_counts c
WHERE c.dim = $1 AND c.key IN (SELECT key FROM cand) AND c.day >= $2::date AND c.day < $3::date
GROUP BY c.key ORDER BY total DESC, c.key LIMIT $4`

// topDailySQLiteSQL sums every key of the window (SQLite lists are small).
const topDailySQLiteSQL = `SELECT key, SUM(n) AS total FROM daily_counts
WHERE dim = ? AND day >= ? AND day < ? GROUP BY key ORDER BY total DESC, key LIMIT ?`

// TopDaily ranks the window's failure events (hard, soft, block) by a
// dimension, or its block events (ByBlocklist, ByBlockDiagnostic), most
// frequent first, ties by value, from the daily counts; empty values are
// left out but for diagnostics. limit must be positive.
func (s *Store) TopDaily(ctx context.Context, w Window, by Dimension, limit int) ([]Count, error) {
	dim, ok := dailyDims[by]
	if !ok || limit <= 0 {
		return nil, fmt.Errorf("suppression: top daily: dimension %q, limit %d", by, limit)
	}
	from, to := dayRange(w)
	query, args := topDailySQLiteSQL, []any{dim, from, to, limit}
	if s.dialect == migrations.Postgres {
		query, args = topDailyPGSQL, append(args, max(2*limit, 20))
	}
	rows, err := s.rdb.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("suppression: top daily %s: %w", by, err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		c, err := scanCount(rows)
		if err != nil {
			return nil, fmt.Errorf("suppression: top daily %s: %w", by, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("suppression: top daily %s: %w", by, err)
	}
	return out, nil
}
