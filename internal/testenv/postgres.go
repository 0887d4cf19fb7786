package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq" // driver "postgres"
)

// PostgresURL creates a uniquely named, empty database on the server named
// by BOUNCER_TEST_DATABASE_URL and returns its URL; the database is dropped
// when the test ends. Every call gives a new database, so tests may run in
// parallel.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := lookup(EnvDatabaseURL)
	if base == "" {
		unavailable(t, "no Postgres: %s is not set", EnvDatabaseURL)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("testenv: %s: %v", EnvDatabaseURL, err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		unavailable(t, "Postgres unreachable: %v", err)
	}
	name := dbName(t.Name())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, base, name) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: %s: %v", EnvDatabaseURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(t testing.TB, base, name string) {
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
	}
}

var notIdent = regexp.MustCompile(`[^a-z0-9]+`)

// dbName is a valid unquoted identifier: a prefix, part of the test name for
// whoever reads pg_database, and 12 random hex digits.
func dbName(test string) string {
	s := strings.Trim(notIdent.ReplaceAllString(strings.ToLower(test), "_"), "_")
	if len(s) > 30 {
		s = s[:30]
	}
	return "bt_" + s + "_" + randomHex(6)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
