package suppression

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The machine's Postgres until internal/testenv lands; BOUNCER_TEST_POSTGRES
// overrides it.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var dbSeq atomic.Int64

// postgresURL creates a fresh, uniquely named database and returns its URL;
// it is dropped when the test ends. Without a server the test is skipped,
// or fails when CI=true.
func postgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("BOUNCER_TEST_POSTGRES")
	if base == "" {
		base = defaultPostgres
	}
	admin, err := sql.Open("postgres", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("postgres unreachable at %s: %v", base, err)
		}
		t.Skipf("postgres unreachable (%v): start one or set BOUNCER_TEST_POSTGRES to run the postgres half", err)
	}
	name := fmt.Sprintf("bouncer_supp_%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	return strings.Replace(base, "/test?", "/"+name+"?", 1)
}

// dialects runs fn against a fresh SQLite store and a fresh Postgres store.
func dialects(t *testing.T, opts Options, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			fn(t, openTest(t, d, opts))
		})
	}
}

func openTest(t testing.TB, dialect string, opts Options) *Store {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
	if dialect == "postgres" {
		url = postgresURL(t)
	}
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dialect, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
