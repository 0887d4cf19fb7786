package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // driver "postgres"
	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/bouncer-mail/bouncer/migrations"
	"github.com/bouncer-mail/bouncer/suppression"
)

// storeURL returns the database cfg names: database.url, or when it is
// empty sqlite:STATE_DIR/bouncer.db.
func storeURL(cfg *Config) string {
	if cfg.Database.URL != "" {
		return cfg.Database.URL
	}
	return "sqlite:" + filepath.Join(cfg.StateDir, "bouncer.db")
}

// databaseURL returns storeURL(cfg), creating the directory that will
// hold a SQLite file (mode 0700) when missing.
func databaseURL(cfg *Config) (string, error) {
	u := storeURL(cfg)
	if path, ok := sqlitePath(u); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", fmt.Errorf("database: state directory: %w", err)
		}
		warnSharedSQLite(path)
	}
	return u, nil
}

// warnedShared holds the SQLite paths warnSharedSQLite has warned about.
var warnedShared sync.Map

// warnSharedSQLite warns, once per path and process, when an existing
// SQLite database can be read or written by users other than its owner:
// bouncer creates it 0600 (it holds addresses and diagnostics), but a file
// made by an older migrate, a copy or a restore keeps the mode it was given.
// The mode is the operator's to change; bouncer does not change it.
func warnSharedSQLite(path string) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	if _, seen := warnedShared.LoadOrStore(path, true); seen {
		return
	}
	slog.Warn(fmt.Sprintf("the SQLite database is readable by other users (mode %o): chmod 600 %s", fi.Mode().Perm(), path),
		"path", path)
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
		// The store's own pragmas, and a new file created 0600 (it holds
		// personal data), with write transactions that lock at BEGIN.
		if dsn, err = suppression.SQLiteDSN(path); err != nil {
			return nil, "", fmt.Errorf("database: %w", err)
		}
		driver, dsn, dialect = "sqlite", dsn+"&_txlock=immediate", migrations.SQLite
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

// tempFailUnreachable gives err exit 75 (EX_TEMPFAIL: try again later) when
// the database could not be reached over the network (refused, timed out,
// a name that did not resolve), so a cron wrapper retries it; any other
// error is returned as it is.
func tempFailUnreachable(err error) error {
	var ee *exitError
	var ne net.Error
	if errors.As(err, &ee) || !errors.As(err, &ne) {
		return err
	}
	return withExit(exitTempFail, err)
}

// exitNoDatabase is the exit status of a command that found no database to
// read (the same as suppression check's "could not check").
const exitNoDatabase = 2

// requireDatabase returns an error (exit 2) unless the configured database
// exists and holds bouncer's schema. It creates nothing: a read command
// run from the wrong directory, or before the first run, must say so
// instead of answering from a new, empty store ("deliverable" for an
// address the real list suppresses).
func requireDatabase(ctx context.Context, cfg *Config) error {
	u := storeURL(cfg)
	if path, ok := sqlitePath(u); ok {
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			return noDatabase(cfg, u)
		}
	}
	db, dialect, err := openDB(ctx, cfg)
	if err != nil {
		return withExit(exitNoDatabase, err)
	}
	defer db.Close()
	ok, err := migrations.Initialized(ctx, db.DB, dialect)
	if err != nil {
		return withExit(exitNoDatabase, err)
	}
	if !ok {
		return noDatabase(cfg, u)
	}
	return nil
}

// noDatabase explains a missing database and what to do about it.
func noDatabase(cfg *Config, u string) error {
	where := "no config file found (--config, $BOUNCER_CONFIG, " + strings.Join(defaultConfigPaths, ", ") + "), so the default database was tried"
	if cfg.Path != "" {
		where = "config " + cfg.Path
	}
	return withExit(exitNoDatabase, fmt.Errorf("no bouncer database at %s (%s): name the right config with --config FILE or $BOUNCER_CONFIG, "+
		"or create the database with `bouncer migrate` (or `bouncer run`)", redactURL(u), where))
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
