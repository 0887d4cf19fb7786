package suppression

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/lib/pq"
)

// TestAppRoleGrants creates the application roles of docs/suppression.md
// (read-only) and docs/rates.md (sent counts) with the grants the docs give,
// on a real Postgres, and runs the documented look-ups and the documented
// sent-count INSERT as them: refused before the grants (and, for the writer,
// with INSERT and UPDATE alone), answered after, the count landing in
// sent_counts' monthly partition through the grants on the parent.
func TestAppRoleGrants(t *testing.T) {
	ctx := context.Background()
	base := testenv.PostgresURL(t)
	s, err := Open(ctx, base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Add(ctx, "Jörg@Bücher.example", Manual{Reason: "test"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	u, _ := url.Parse(base)
	dbname := strings.TrimPrefix(u.Path, "/")
	suffix := fmt.Sprintf("_%d", time.Now().UnixNano())
	reader, sender := "app_reader"+suffix, "app_sender"+suffix
	grants := func(doc, marker, role string) string {
		return strings.NewReplacer("DATABASE bouncer", "DATABASE "+dbname, marker, role).Replace(testenv.DocBlock(t, doc, "sql", "TO "+marker))
	}
	readerSQL := grants("../docs/suppression.md", "app_reader", reader)
	senderSQL := grants("../docs/rates.md", "app_sender", sender)
	createOnly := func(sqlText string) string { // the CREATE ROLE line alone
		line, _, _ := strings.Cut(sqlText, "\n")
		return line
	}
	for _, role := range []string{reader, sender} {
		t.Cleanup(func() {
			for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE IF EXISTS " + role} {
				if _, err := admin.Exec(q); err != nil && !strings.Contains(err.Error(), "does not exist") {
					t.Errorf("%s: %v", q, err)
				}
			}
		})
	}
	for _, q := range []string{createOnly(readerSQL), createOnly(senderSQL)} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	as := func(role string) *sql.DB {
		ru := *u
		ru.User = url.UserPassword(role, "CHANGE-ME")
		db, err := sql.Open("postgres", ru.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	rdb, sdb := as(reader), as(sender)
	lookup := func() error {
		var one int
		if err := rdb.QueryRowContext(ctx, `SELECT 1 FROM active_suppressions WHERE email = bouncer_normalize($1)`, "Jörg@Bücher.Example.").Scan(&one); err != nil {
			return err
		}
		var emails []string
		rows, err := rdb.QueryContext(ctx, `SELECT email FROM active_suppressions WHERE email = ANY($1)`, pq.Array([]string{"jörg@xn--bcher-kva.example", "ok@example.com"}))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				return err
			}
			emails = append(emails, e)
		}
		if len(emails) != 1 {
			return fmt.Errorf("ANY found %q, want jörg@xn--bcher-kva.example", emails)
		}
		return rows.Err()
	}
	insert := pgSentInsert(t)
	record := func() error { _, err := sdb.ExecContext(ctx, insert); return err }

	if err := lookup(); !denied(err) {
		t.Errorf("look-up without the grants: %v, want permission denied", err)
	}
	if err := record(); !denied(err) {
		t.Errorf("sent-count INSERT without the grants: %v, want permission denied", err)
	}
	if _, err := admin.ExecContext(ctx, "GRANT INSERT, UPDATE ON sent_counts TO "+sender); err != nil {
		t.Fatal(err)
	}
	if err := record(); !denied(err) {
		t.Errorf("sent-count INSERT … ON CONFLICT with INSERT, UPDATE alone: %v, want permission denied", err)
	}
	for _, q := range []string{readerSQL, senderSQL} {
		_, grantsOnly, _ := strings.Cut(q, "\n")
		if _, err := admin.ExecContext(ctx, grantsOnly); err != nil {
			t.Fatalf("%s: %v", grantsOnly, err)
		}
	}
	if err := lookup(); err != nil {
		t.Errorf("look-up as %s with the documented grants: %v", reader, err)
	}
	for range 2 { // the second adds to the first through ON CONFLICT … DO UPDATE
		if err := record(); err != nil {
			t.Fatalf("sent-count INSERT as %s with the documented grants: %v", sender, err)
		}
	}
	var n int64
	var part string
	if err := admin.QueryRowContext(ctx, `SELECT count, tableoid::regclass::text FROM sent_counts WHERE stream = 'newsletter'`).Scan(&n, &part); err != nil || n != 10000 || part == "sent_counts_default" {
		t.Errorf("sent_counts has %d in %s, %v; want 10000 in this month's partition", n, part, err)
	}
}

// denied reports whether err is Postgres's insufficient_privilege (42501).
func denied(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "42501"
}

// pgSentInsert is docs/rates.md's Postgres statement adding to an hour's
// sent count.
func pgSentInsert(t *testing.T) string {
	block := testenv.DocBlock(t, "../docs/rates.md", "sql", "-- Postgres\nINSERT INTO sent_counts")
	_, stmt, _ := strings.Cut(block, "-- Postgres\n")
	stmt, _, _ = strings.Cut(stmt, "\n\n")
	return stmt
}
