package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // driver "postgres"
	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/bouncer-mail/bouncer/migrations"
)

// sqlitePragmas apply to every connection of the embedded database: WAL so
// readers never block the writer, a busy timeout instead of SQLITE_BUSY,
// foreign keys enforced, and write transactions that take the lock at BEGIN.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"

// databaseURL returns the database cfg names: database.url, or when it is
// empty sqlite:STATE_DIR/bouncer.db. It creates the directory that will
// hold a SQLite file (mode 0700) when missing.
func databaseURL(cfg *Config) (string, error) {
	u := cfg.Database.URL
	if u == "" {
		u = "sqlite:" + filepath.Join(cfg.StateDir, "bouncer.db")
	}
	if path, ok := sqlitePath(u); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", fmt.Errorf("database: state directory: %w", err)
		}
	}
	return u, nil
}

// sqlitePath returns the file of a sqlite:PATH (or sqlite://PATH) URL, the
// same way suppression.Open reads it.
func sqlitePath(u string) (string, bool) {
	path, ok := strings.CutPrefix(u, "sqlite:")
	return strings.TrimPrefix(path, "//"), ok
}

// openDB connects to the configured database without touching its schema
// (see migrateAtStart) and reports its dialect. SQLite gets one connection,
// so there is a single writer. Errors never contain a password.
func openDB(ctx context.Context, cfg *Config) (*sqlx.DB, migrations.Dialect, error) {
	raw, err := databaseURL(cfg)
	if err != nil {
		return nil, "", err
	}
	driver, dsn, dialect := "postgres", raw, migrations.Postgres
	if path, ok := sqlitePath(raw); ok {
		driver, dsn, dialect = "sqlite", "file:"+path+"?"+sqlitePragmas, migrations.SQLite
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, "", fmt.Errorf("database: open %s: %w", dialect, redactErr(err, raw))
	}
	if dialect == migrations.SQLite {
		db.SetMaxOpenConns(1)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("database: connect %s: %w", dialect, redactErr(err, raw))
	}
	return db, dialect, nil
}

// redactErr replaces the password of rawURL wherever err's text holds it.
func redactErr(err error, rawURL string) error {
	u, perr := url.Parse(rawURL)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}
