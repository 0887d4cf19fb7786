package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/migrations"
)

func openPostgres(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "b.db")+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// known returns the versions embedded for d, ascending.
func known(t *testing.T, db *sql.DB, d migrations.Dialect) []int64 {
	t.Helper()
	list, err := migrations.List(context.Background(), db, d)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var vs []int64
	for _, s := range list {
		vs = append(vs, s.Version)
	}
	if len(vs) == 0 {
		t.Fatalf("no %s migrations embedded", d)
	}
	return vs
}

// versionRows counts goose's applied rows per version.
func versionRows(t *testing.T, db *sql.DB) map[int64]int {
	t.Helper()
	rows, err := db.Query("SELECT version_id, count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied GROUP BY version_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[int64]int{}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		counts[v] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

func testUpTwice(t *testing.T, db *sql.DB, d migrations.Dialect) {
	ctx := context.Background()
	want := known(t, db, d)
	if err := migrations.Check(ctx, db, d); !errors.Is(err, migrations.ErrPending) {
		t.Errorf("Check on a fresh database = %v, want ErrPending", err)
	}
	first, err := migrations.Up(ctx, db, d)
	if err != nil {
		t.Fatalf("first Up: %v", err)
	}
	if !slices.Equal(first, want) {
		t.Errorf("first Up applied %v, want %v", first, want)
	}
	second, err := migrations.Up(ctx, db, d)
	if err != nil || len(second) != 0 {
		t.Errorf("second Up = %v, %v; want nothing applied", second, err)
	}
	if err := migrations.Check(ctx, db, d); err != nil {
		t.Errorf("Check after Up = %v, want nil", err)
	}
	list, err := migrations.List(ctx, db, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if !s.Applied {
			t.Errorf("List after Up: %d (%s) not applied", s.Version, s.Path)
		}
	}
	for v, n := range versionRows(t, db) {
		if n != 1 {
			t.Errorf("version %d recorded %d times, want 1", v, n)
		}
	}
}

// testOutOfOrder: a database whose schema is ahead of a version that
// landed later (its number lower: schema work goes on in parallel, each in
// its own range) gets that version on the next Up, instead of an error.
// 00045 (bouncer_normalize) landed after 00060 did.
func testOutOfOrder(t *testing.T, db *sql.DB, d migrations.Dialect) {
	ctx := context.Background()
	if _, err := migrations.Up(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	versions := known(t, db, d)
	const missing = 45
	if _, err := db.Exec(fmt.Sprintf("DELETE FROM goose_db_version WHERE version_id = %d", missing)); err != nil {
		t.Fatal(err)
	}
	if d == migrations.Postgres {
		if _, err := db.Exec("DROP FUNCTION bouncer_normalize(text, boolean); DROP FUNCTION bouncer_punycode(text); DROP FUNCTION bouncer_lower(text)"); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrations.Check(ctx, db, d); !errors.Is(err, migrations.ErrPending) {
		t.Errorf("Check with %d missing = %v, want ErrPending", missing, err)
	}
	applied, err := migrations.Up(ctx, db, d)
	if err != nil || !slices.Equal(applied, []int64{missing}) {
		t.Fatalf("Up with %d missing below %d = %v, %v; want [%d] applied", missing, versions[len(versions)-1], applied, err, missing)
	}
	if err := migrations.Check(ctx, db, d); err != nil {
		t.Errorf("Check after Up = %v, want nil", err)
	}
}

func TestOutOfOrderPostgres(t *testing.T) {
	testOutOfOrder(t, openPostgres(t, testenv.PostgresURL(t)), migrations.Postgres)
}

func TestOutOfOrderSQLite(t *testing.T) {
	testOutOfOrder(t, openSQLite(t), migrations.SQLite)
}

func TestUpTwicePostgres(t *testing.T) {
	testUpTwice(t, openPostgres(t, testenv.PostgresURL(t)), migrations.Postgres)
}

func TestUpTwiceSQLite(t *testing.T) {
	testUpTwice(t, openSQLite(t), migrations.SQLite)
}

// Two instances starting together on one fresh database: the advisory lock
// lets each migration run once, and both succeed.
func TestConcurrentUpPostgres(t *testing.T) {
	url := testenv.PostgresURL(t)
	const instances = 2
	applied := make([][]int64, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		db := openPostgres(t, url) // a pool each, as separate processes have
		wg.Go(func() { applied[i], errs[i] = migrations.Up(context.Background(), db, migrations.Postgres) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: Up: %v", i, err)
		}
	}
	db := openPostgres(t, url)
	want := known(t, db, migrations.Postgres)
	all := slices.Concat(applied...)
	slices.Sort(all)
	if !slices.Equal(all, want) {
		t.Errorf("instances applied %v together, want each of %v exactly once", applied, want)
	}
	counts := versionRows(t, db)
	for _, v := range want {
		if counts[v] != 1 {
			t.Errorf("version %d has %d rows in goose_db_version, want 1", v, counts[v])
		}
	}
}

func testTooNew(t *testing.T, db *sql.DB, d migrations.Dialect, insert string) {
	ctx := context.Background()
	if _, err := migrations.Up(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(insert); err != nil {
		t.Fatalf("record a future migration: %v", err)
	}
	if _, err := migrations.Up(ctx, db, d); !errors.Is(err, migrations.ErrSchemaTooNew) {
		t.Errorf("Up on a newer schema = %v, want ErrSchemaTooNew", err)
	}
	if err := migrations.Check(ctx, db, d); !errors.Is(err, migrations.ErrSchemaTooNew) {
		t.Errorf("Check on a newer schema = %v, want ErrSchemaTooNew", err)
	}
}

func TestSchemaTooNewPostgres(t *testing.T) {
	testTooNew(t, openPostgres(t, testenv.PostgresURL(t)), migrations.Postgres,
		"INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)")
}

func TestSchemaTooNewSQLite(t *testing.T) {
	testTooNew(t, openSQLite(t), migrations.SQLite,
		"INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)")
}

// TestInitialized checks Initialized is false on an empty database, true
// after Up, and creates nothing itself (both dialects).
func TestInitialized(t *testing.T) {
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			var db *sql.DB
			if d == migrations.Postgres {
				db = openPostgres(t, testenv.PostgresURL(t))
			} else {
				db = openSQLite(t)
			}
			for range 2 { // the first call must not have created the table
				if ok, err := migrations.Initialized(context.Background(), db, d); ok || err != nil {
					t.Fatalf("Initialized(empty) = %v, %v; want false, nil", ok, err)
				}
			}
			if _, err := migrations.Up(context.Background(), db, d); err != nil {
				t.Fatal(err)
			}
			if ok, err := migrations.Initialized(context.Background(), db, d); !ok || err != nil {
				t.Errorf("Initialized(after Up) = %v, %v; want true, nil", ok, err)
			}
		})
	}
}
