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
	"github.com/lib/pq"    // driver "postgres"
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
	slog.Warn(fmt.Sprintf("the SQLite database is %s (mode %o): chmod 600 %s", accessText(fi.Mode().Perm()), fi.Mode().Perm(), path),
		"path", path)
}

// accessText says what a file's mode lets users other than its owner do,
// as its bits say: "readable by its group and other users" (644),
// "writable by its group" (620), "readable and writable by its group,
// readable by other users" (664).
func accessText(perm os.FileMode) string {
	can := func(bits os.FileMode) string {
		var w []string
		for _, b := range []struct {
			bit  os.FileMode
			word string
		}{{4, "readable"}, {2, "writable"}, {1, "executable"}} {
			if bits&b.bit != 0 {
				w = append(w, b.word)
			}
		}
		return strings.Join(w, " and ")
	}
	group, other := can(perm>>3&7), can(perm&7)
	switch {
	case group == other:
		return group + " by its group and other users"
	case other == "":
		return group + " by its group"
	case group == "":
		return other + " by other users"
	}
	return group + " by its group, " + other + " by other users"
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
// a name that did not resolve) or Postgres answered with an error that
// passes (suppression.Transient: 57P03 starting up or shutting down, 53300
// too many connections, …), so a cron wrapper retries it; any other error
// is returned as it is.
func tempFailUnreachable(err error) error {
	var ee *exitError
	var ne net.Error
	var pe *pq.Error
	if errors.As(err, &ee) || !errors.As(err, &ne) && !(errors.As(err, &pe) && suppression.Transient(err)) {
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
