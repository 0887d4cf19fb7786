package suppression

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/migrations"
)

// pgTime is how times go to Postgres in COPY text and arrays: with a
// numeric offset ("+00"), which timestamptz input reads in half the time
// it takes for RFC 3339's "Z" (a time zone abbreviation it looks up). A
// batch of 5,000 events parses about 25,000 times.
const pgTime = "2006-01-02 15:04:05.999999999-07"

// batch is a set of rows held column by column, to be written with one
// statement: unnest over arrays on Postgres, json_each over one JSON
// document on SQLite. Never one statement per row.
type batch struct {
	names []string
	cols  []any // []string, []time.Time, []*time.Time, []bool or []int64, all of one length
}

func (b *batch) text(name string, v []string) *batch         { return b.add(name, v) }
func (b *batch) time(name string, v []time.Time) *batch      { return b.add(name, v) }
func (b *batch) nullTime(name string, v []*time.Time) *batch { return b.add(name, v) }
func (b *batch) boolean(name string, v []bool) *batch        { return b.add(name, v) }
func (b *batch) integer(name string, v []int64) *batch       { return b.add(name, v) }
func (b *batch) add(name string, col any) *batch {
	b.names = append(b.names, name)
	b.cols = append(b.cols, col)
	return b
}
func (b *batch) columns() string { return strings.Join(b.names, ", ") }

// len returns the number of rows.
func (b *batch) len() int {
	if len(b.cols) == 0 {
		return 0
	}
	switch c := b.cols[0].(type) {
	case []string:
		return len(c)
	case []time.Time:
		return len(c)
	case []*time.Time:
		return len(c)
	case []bool:
		return len(c)
	case []int64:
		return len(c)
	}
	return 0
}

// source returns a FROM item yielding the batch's rows under its column
// names, with its one ? parameter per column (Postgres) or in all (SQLite).
func (s *Store) source(b *batch) (string, []any) {
	if s.dialect == migrations.Postgres {
		return pgSource(b)
	}
	return sqliteSource(b)
}

func pgSource(b *batch) (string, []any) {
	exprs := make([]string, len(b.cols))
	args := make([]any, len(b.cols))
	for i, c := range b.cols {
		switch v := c.(type) {
		case []string:
			exprs[i], args[i] = "?::text[]", pq.StringArray(v)
		case []time.Time:
			ts := make(pq.StringArray, len(v))
			for j, t := range v {
				ts[j] = t.UTC().Format(pgTime)
			}
			exprs[i], args[i] = "?::timestamptz[]", ts
		case []*time.Time:
			ts := make([]sql.NullString, len(v))
			for j, t := range v {
				if t != nil {
					ts[j] = sql.NullString{String: t.UTC().Format(pgTime), Valid: true}
				}
			}
			exprs[i], args[i] = "?::timestamptz[]", pq.GenericArray{A: ts}
		case []bool:
			exprs[i], args[i] = "?::boolean[]", pq.BoolArray(v)
		case []int64:
			exprs[i], args[i] = "?::bigint[]", pq.Int64Array(v)
		}
	}
	return fmt.Sprintf("unnest(%s) AS t(%s)", strings.Join(exprs, ", "), b.columns()), args
}

func sqliteSource(b *batch) (string, []any) {
	n := b.len()
	rows := make([][]any, n)
	for j := range rows {
		rows[j] = make([]any, len(b.cols))
	}
	sel := make([]string, len(b.cols))
	for i, c := range b.cols {
		sel[i] = fmt.Sprintf("value->>%d AS %s", i, b.names[i])
		switch v := c.(type) {
		case []string:
			for j, x := range v {
				rows[j][i] = x
			}
		case []time.Time:
			for j, x := range v {
				rows[j][i] = x.UTC().Format(sqliteTime)
			}
		case []*time.Time:
			for j, x := range v {
				if x != nil {
					rows[j][i] = x.UTC().Format(sqliteTime)
				}
			}
		case []bool:
			for j, x := range v {
				rows[j][i] = 0
				if x {
					rows[j][i] = 1
				}
			}
		case []int64:
			for j, x := range v {
				rows[j][i] = x
			}
		}
	}
	doc, _ := json.Marshal(rows) // strings, ints: cannot fail
	return fmt.Sprintf("(SELECT %s FROM json_each(?)) AS t", strings.Join(sel, ", ")), []any{string(doc)}
}

// inList returns "col IN (…)" for a set of strings, as one parameter.
func (s *Store) inList(col string, vals []string) (string, any) {
	if s.dialect == migrations.Postgres {
		return col + " = ANY(?)", pq.StringArray(vals)
	}
	doc, _ := json.Marshal(vals)
	return col + " IN (SELECT value FROM json_each(?))", string(doc)
}

// appendRows inserts the batch's rows into table, which must have no
// conflicting rows: COPY on Postgres (the fastest path, several times an
// INSERT over unnest); on SQLite, in process, one prepared INSERT run per
// row (faster there than decoding one JSON document).
func (s *Store) appendRows(ctx context.Context, tx *sqlx.Tx, table string, b *batch) error {
	return s.appendRowsWhile(ctx, tx, table, b, nil)
}

// appendRowsWhile is appendRows running during (if not nil) once the rows
// are sent: on Postgres, while the server still takes them in, so work of
// this process that needs no database overlaps the server's.
func (s *Store) appendRowsWhile(ctx context.Context, tx *sqlx.Tx, table string, b *batch, during func()) error {
	q := "COPY " + table + " (" + b.columns() + ") FROM STDIN"
	if conn, ok := s.txConns.Load(tx); ok && s.dialect == migrations.Postgres {
		return rawCopy(ctx, conn.(*sqlx.Conn), q, b, during)
	}
	if during != nil {
		defer during()
	}
	if s.dialect == migrations.SQLite {
		q = "INSERT INTO " + table + " (" + b.columns() + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	row := make([]any, len(b.cols))
	for i := range b.len() {
		for c := range b.cols {
			row[c] = s.rowValue(b, c, i)
		}
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return err
		}
	}
	if s.dialect == migrations.Postgres {
		_, err = stmt.ExecContext(ctx) // ends the COPY
	}
	return err
}

// rowValue is b.value with times as SQLite stores them.
func (s *Store) rowValue(b *batch, c, i int) any {
	v := b.value(c, i)
	if t, ok := v.(time.Time); ok && s.dialect == migrations.SQLite {
		return t.Format(sqliteTime)
	}
	return v
}

// value returns the value of column c in row i, as a driver value.
func (b *batch) value(c, i int) any {
	switch v := b.cols[c].(type) {
	case []string:
		return v[i]
	case []time.Time:
		return v[i].UTC()
	case []*time.Time:
		if v[i] == nil {
			return nil
		}
		return v[i].UTC()
	case []bool:
		return v[i]
	case []int64:
		return v[i]
	}
	return nil
}
