package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/migrations"
)

// TestMain lets a test run this binary as the bouncer command itself
// (runBouncer), so that separate processes can race each other.
func TestMain(m *testing.M) {
	if os.Getenv("BOUNCER_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runBouncer runs bouncer with args in a child process.
func runBouncer(args ...string) (string, error) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BOUNCER_TEST_AS_MAIN=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func sqliteConfig(t *testing.T) (path, stateDir string) {
	stateDir = filepath.Join(t.TempDir(), "state")
	return writeFile(t, "bouncer.yaml", "state_dir: "+stateDir+"\n"), stateDir
}

func TestMigrateCommandTwiceSQLite(t *testing.T) {
	cfg, stateDir := sqliteConfig(t)
	out, stderr, code := runCLI(t, "migrate", "--config", cfg)
	if code != 0 || !strings.Contains(out, "applied 00001\n") || !strings.Contains(out, "sqlite schema now at version") {
		t.Fatalf("first migrate: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	out, _, code = runCLI(t, "migrate", "up", "--config", cfg)
	if code != 0 || out != "sqlite schema is up to date; nothing applied\n" {
		t.Errorf("second migrate: exit %d, stdout %q; want nothing applied", code, out)
	}
	out, _, code = runCLI(t, "migrate", "status", "--config", cfg)
	if code != 0 || !strings.HasPrefix(out, "VERSION  STATE    FILE\n00001    applied  00001_core.sql\n") || strings.Contains(out, "pending") {
		t.Errorf("migrate status: exit %d:\n%s", code, out)
	}
	fi, err := os.Stat(stateDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir %s: %v, mode %v; want created with 0700", stateDir, err, fi.Mode().Perm())
	}
}

// Two bouncer processes migrating one fresh Postgres database at once both
// succeed, and each migration is applied once.
func TestMigrateCommandConcurrentPostgres(t *testing.T) {
	url := testenv.PostgresURL(t)
	cfg := writeFile(t, "bouncer.yaml", fmt.Sprintf("database: {url: %q}\n", url))
	outs := make([]string, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() { outs[i], errs[i] = runBouncer("migrate", "--config", cfg) })
	}
	wg.Wait()
	applied := 0
	for i := range outs {
		if errs[i] != nil {
			t.Errorf("process %d: %v:\n%s", i, errs[i], outs[i])
		}
		applied += strings.Count(outs[i], "applied 0")
	}
	db, dialect, err := openDB(context.Background(), &Config{Database: DatabaseConfig{URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := migrations.List(context.Background(), db.DB, dialect)
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(list) {
		t.Errorf("the two processes applied %d migrations together, want %d:\n%s\n%s", applied, len(list), outs[0], outs[1])
	}
	var rows, distinct int
	if err := db.QueryRow("SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(list) || distinct != len(list) {
		t.Errorf("goose_db_version has %d rows for %d versions, want %d each", rows, distinct, len(list))
	}
}

// openDB (migrate's way in) opens SQLite with the store's pragmas.
func TestOpenDBSQLitePragmas(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	db, dialect, err := openDB(context.Background(), &Config{StateDir: stateDir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if dialect != migrations.SQLite {
		t.Errorf("dialect = %q, want sqlite", dialect)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "bouncer.db")); err != nil {
		t.Errorf("database file not in state_dir: %v", err)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "10000", "foreign_keys": "1", "synchronous": "2"} {
		var got string
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	if n := db.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("max open connections = %d, want 1 (a single writer)", n)
	}
}

func TestOpenDBPostgres(t *testing.T) {
	db, dialect, err := openDB(context.Background(), &Config{Database: DatabaseConfig{URL: testenv.PostgresURL(t)}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if dialect != migrations.Postgres {
		t.Errorf("dialect = %q, want postgres", dialect)
	}
}

func TestOpenDBErrorHidesPassword(t *testing.T) {
	// Nothing listens on port 1; the error must not carry the password.
	cfg := &Config{Database: DatabaseConfig{URL: "postgres://u:pw-Hk29@127.0.0.1:1/db?sslmode=disable&connect_timeout=2"}}
	_, _, err := openDB(context.Background(), cfg)
	if err == nil || strings.Contains(err.Error(), "pw-Hk29") {
		t.Errorf("openDB error = %v, want an error without the password", err)
	}
}

func TestMigrateAtStartRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db, dialect, err := openDB(ctx, &Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrateAtStart(ctx, db, dialect); err != nil {
		t.Fatalf("migrateAtStart on a fresh database: %v", err)
	}
	if err := migrateAtStart(ctx, db, dialect); err != nil {
		t.Fatalf("migrateAtStart again: %v", err)
	}
	if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)"); err != nil {
		t.Fatal(err)
	}
	if err := migrateAtStart(ctx, db, dialect); !errors.Is(err, migrations.ErrSchemaTooNew) {
		t.Errorf("migrateAtStart on a newer schema = %v, want ErrSchemaTooNew", err)
	}
}

// TestMigrateOnNewerSchemaAndDown: migrate, migrate status on a schema a
// newer bouncer wrote, and migrate down, each say what to do.
func TestMigrateOnNewerSchemaAndDown(t *testing.T) {
	cfg, stateDir := sqliteConfig(t)
	if _, errOut, code := runCLI(t, "migrate", "--config", cfg); code != 0 {
		t.Fatalf("migrate: exit %d, %s", code, errOut)
	}
	db, _, err := openDB(context.Background(), &Config{StateDir: stateDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"migrate"}, {"migrate", "status"}} {
		_, errOut, code := runCLI(t, append(args, "--config", cfg)...)
		if code != 1 || !strings.Contains(errOut, "database at 99999") || !strings.Contains(errOut, "a newer bouncer migrated this database; run that version or a newer one") {
			t.Errorf("%v on a newer schema: exit %d, %q", args, code, errOut)
		}
	}
	_, errOut, code := runCLI(t, "migrate", "down", "--config", cfg)
	if code != exitUsage || !strings.Contains(errOut, "migrate down is not supported") || !strings.Contains(errOut, "restore a backup") {
		t.Errorf("migrate down: exit %d, %q", code, errOut)
	}
}
