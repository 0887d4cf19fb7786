package suppression

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/migrations"
)

// sqliteTime is how SQLite stores times: UTC, fixed width, so that the text
// compares like the time (see migrations/sqlite/00001_core.sql).
const sqliteTime = "2006-01-02 15:04:05.000"

// tv converts t into a query parameter for a timestamp column.
func (s *Store) tv(t time.Time) any {
	if s.dialect == migrations.SQLite {
		return t.UTC().Format(sqliteTime)
	}
	return t.UTC()
}

// tvp is tv for a nullable column: nil stays NULL.
func (s *Store) tvp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.tv(*t)
}

// dbTime scans a timestamp from either dialect (time.Time from Postgres,
// text or time.Time from SQLite).
type dbTime struct{ time.Time }

// Scan implements sql.Scanner; NULL scans as the zero time.
func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time = time.Time{}
	case time.Time:
		t.Time = x.UTC()
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	default:
		return fmt.Errorf("suppression: cannot scan %T as a time", v)
	}
	return nil
}

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{sqliteTime, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return fmt.Errorf("suppression: cannot parse time %q", s)
}

// timeInto scans a timestamp into *T (NULL as the zero time).
type timeInto struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d timeInto) Scan(v any) error {
	var t dbTime
	err := t.Scan(v)
	*d.t = t.Time
	return err
}

// nullTimeInto scans a nullable timestamp into **T (NULL as nil).
type nullTimeInto struct{ t **time.Time }

// Scan implements sql.Scanner.
func (d nullTimeInto) Scan(v any) error {
	var t dbTime
	err := t.Scan(v)
	*d.t = t.ptr()
	return err
}

// ptr returns nil for the zero time, else a pointer to it.
func (t dbTime) ptr() *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}

// scanAll runs a query and scans every row into a T through dests.
func scanAll[T any](ctx context.Context, q sqlx.QueryerContext, dests func(*T) []any, query string, args ...any) ([]T, error) {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(dests(&v)...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
