package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// upsertSent is docs/rates.md's statement for an application that shares
// the database, with the hour as a parameter.
const upsertSent = `INSERT INTO sent_counts (stream, hour, count) VALUES ($1, $2, $3)
ON CONFLICT (stream, hour) DO UPDATE SET count = sent_counts.count + excluded.count`

// A Postgres database at today's schema (every migration but 00067-00069)
// with sent counts over several months upgrades to 00067: the table is not
// copied (the old file becomes sent_counts_before, its primary key's index
// too), every count is still there, the next three months and a default
// partition exist, the primary key (stream, hour) holds across partitions,
// the documented upsert adds to old and new rows alike, an hour that is
// not whole is refused in a new partition, and 00067's Down gives back a
// plain table with the same counts.
func TestUpgradeSentCountsPartitions(t *testing.T) {
	db, p := upgradeDB(t, Postgres)
	ctx := context.Background()
	if _, err := p.UpTo(ctx, 66); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.ListSources() {
		if s.Version > 69 {
			if _, err := p.ApplyVersion(ctx, s.Version, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	const n = 300
	for i := range n {
		hour := thisMonth.AddDate(0, -i%5, 0).Add(time.Duration(i) * time.Hour)
		exec(upsertSent, fmt.Sprintf("s%d", i%3), hour, i)
		exec(`INSERT INTO sent_count_ids (id, stream, hour, count, received_at) VALUES ($1, $2, $3, $4, $3)`, fmt.Sprintf("id%d", i), fmt.Sprintf("s%d", i%3), hour, i)
	}
	sums := func() string {
		t.Helper()
		var s string
		if err := db.QueryRowContext(ctx, `SELECT count(*) || ' rows, ' || sum(count) || ' sent, ' || count(DISTINCT stream) || ' streams' FROM sent_counts`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := sums()
	var file, index uint32
	if err := db.QueryRowContext(ctx, `SELECT pg_relation_filenode('sent_counts'), pg_relation_filenode('sent_counts_pkey')`).Scan(&file, &index); err != nil {
		t.Fatal(err)
	}
	if _, err := Up(ctx, db, Postgres); err != nil {
		t.Fatal(err)
	}
	if got := sums(); got != want {
		t.Errorf("sent_counts after the upgrade: %s, want %s", got, want)
	}
	var file2, index2 uint32
	if err := db.QueryRowContext(ctx, `SELECT pg_relation_filenode('sent_counts_before'), pg_relation_filenode('sent_counts_before_pkey')`).Scan(&file2, &index2); err != nil ||
		file2 != file || index2 != index {
		t.Errorf("sent_counts_before's files are %d and %d (%v), want the old table's and primary key's %d and %d: not copied, not rebuilt", file2, index2, err, file, index)
	}
	next := thisMonth.AddDate(0, 1, 0)
	wantParts := []string{"sent_counts_before FOR VALUES FROM (MINVALUE) TO ('" + next.Format("2006-01-02") + " 00:00:00+00')", "sent_counts_default DEFAULT"}
	for i := range 3 {
		m := next.AddDate(0, i, 0)
		wantParts = append(wantParts, fmt.Sprintf("sent_counts_p%s FOR VALUES FROM ('%s 00:00:00+00') TO ('%s 00:00:00+00')",
			m.Format("2006_01"), m.Format(time.DateOnly), m.AddDate(0, 1, 0).Format(time.DateOnly)))
	}
	if got := partitionBounds(t, db, "sent_counts"); strings.Join(got, "\n") != strings.Join(wantParts, "\n") {
		t.Errorf("partitions:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantParts, "\n"))
	}
	old := thisMonth.AddDate(0, -4, 0).Add(4 * time.Hour) // i = 4: stream s1, count 4
	for range 2 {
		exec(upsertSent, "s1", old, 10)
		exec(upsertSent, "s1", next.Add(time.Hour), 10)
	}
	var oldCount, newCount int64
	var where string
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count FROM sent_counts WHERE stream = 's1' AND hour = $1),
		count, tableoid::regclass::text FROM sent_counts WHERE stream = 's1' AND hour = $2`, old, next.Add(time.Hour)).Scan(&oldCount, &newCount, &where); err != nil ||
		oldCount != 24 || newCount != 20 || where != "sent_counts_p"+next.Format("2006_01") {
		t.Errorf("after the documented upsert twice: old hour %d, new hour %d in %s (%v); want 24, and 20 in next month's partition", oldCount, newCount, where, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sent_counts (stream, hour, count) VALUES ('s1', $1, 1)`, next.Add(time.Hour)); err == nil {
		t.Error("a second row for one stream and hour was accepted")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sent_counts (stream, hour, count) VALUES ('s1', $1, 1)`, next.Add(time.Minute)); err == nil {
		t.Error("an hour that is not whole was accepted in a monthly partition")
	}
	exec(`DELETE FROM sent_counts WHERE hour = $1`, next.Add(time.Hour))
	exec(`UPDATE sent_counts SET count = 4 WHERE stream = 's1' AND hour = $1`, old)
	if _, err := p.ApplyVersion(ctx, 67, false); err != nil {
		t.Fatal(err)
	}
	if got := sums(); got != want {
		t.Errorf("sent_counts after 00067 down: %s, want %s", got, want)
	}
	if got := partitionBounds(t, db, "sent_counts"); len(got) != 0 {
		t.Errorf("after 00067 down sent_counts has partitions %q", got)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sent_counts (stream, hour, count) VALUES ('s1', $1, 1)`, old); err == nil {
		t.Error("after 00067 down: a second row for one stream and hour was accepted")
	}
}

// partitionBounds lists table's partitions as "name bound", by name, the
// bounds in UTC.
func partitionBounds(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if _, err := tx.Exec(`SET LOCAL TimeZone = 'UTC'`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(context.Background(), `SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY c.relname`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
