package suppression

import (
	"context"
	"fmt"
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

// dayExpr is the UTC day of a timestamp column as "YYYY-MM-DD".
func (s *Store) dayExpr(col string) string {
	if s.dialect == migrations.SQLite {
		return "substr(" + col + ", 1, 10)"
	}
	return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
}

// DailyClasses counts the window's recipient events per UTC day and class
// (hard, soft, block, complaint, ignore), by day then class.
func (s *Store) DailyClasses(ctx context.Context, w Window) ([]DayCount, error) {
	day := s.dayExpr("received_at")
	query := `SELECT ` + day + ` AS d, class, COUNT(*) FROM bounce_events
WHERE received_at >= ? AND received_at < ? GROUP BY d, class ORDER BY d, class`
	out, err := queryRows(ctx, s, query, s.window(w), scanDayCount)
	if err != nil {
		return nil, fmt.Errorf("suppression: daily classes: %w", err)
	}
	return out, nil
}

// DailySuppressed counts per UTC day the addresses whose current
// suppression started in the window (Key "suppressed").
func (s *Store) DailySuppressed(ctx context.Context, w Window) ([]DayCount, error) {
	day := s.dayExpr("suppressed_at")
	query := `SELECT ` + day + ` AS d, 'suppressed', COUNT(*) FROM suppressions
WHERE suppressed AND suppressed_at >= ? AND suppressed_at < ? GROUP BY d ORDER BY d`
	out, err := queryRows(ctx, s, query, s.window(w), scanDayCount)
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
