package suppression

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // driver "postgres"
	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/bouncer-mail/bouncer/migrations"
)

// ErrDatabaseMissing is returned by Open when the Postgres database named in
// the URL does not exist (SQLSTATE 3D000).
var ErrDatabaseMissing = errors.New("suppression: database does not exist")

// Open connects to the database named by rawURL, applies pending migrations
// and returns the store. rawURL is postgres://… (or postgresql://…), or
// sqlite:PATH for the embedded database (created when missing; WAL journal,
// foreign keys, one writer connection). Errors never include the URL, which
// may hold a password.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	s := &Store{opts: opts, locks: map[string]bool{}}
	var err error
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		err = s.openPostgres(ctx, rawURL)
	case strings.HasPrefix(rawURL, "sqlite:"):
		err = s.openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"))
	default:
		return nil, ErrUnsupportedURL
	}
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Up(ctx, s.db.DB, s.dialect); err != nil {
		s.Close()
		return nil, fmt.Errorf("suppression: open: %w", err)
	}
	if s.dialect == migrations.Postgres {
		if err := s.prepare(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) openPostgres(ctx context.Context, rawURL string) error {
	db, err := sqlx.Open("postgres", oneRoundTrip(rawURL))
	if err != nil {
		return fmt.Errorf("suppression: open postgres: %w", redact(err, rawURL))
	}
	n := s.opts.MaxOpenConns
	if n <= 0 {
		n = 10
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	s.poolSize = n
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if pgCode(err) == "3D000" {
			return fmt.Errorf("%w: %w", ErrDatabaseMissing, err)
		}
		return fmt.Errorf("suppression: connect postgres: %w", redact(err, rawURL))
	}
	locks, err := sqlx.Open("postgres", rawURL) // connects on first TryLock
	if err != nil {
		db.Close()
		return fmt.Errorf("suppression: open postgres: %w", redact(err, rawURL))
	}
	locks.SetMaxIdleConns(0)
	s.db, s.rdb, s.ldb, s.dialect = db, db, locks, migrations.Postgres
	return nil
}

// oneRoundTrip adds binary_parameters=yes to a Postgres URL that does not
// set it: lib/pq then sends a query with arguments as one unnamed
// Parse/Bind/Execute, one round trip instead of two (a Record batch makes
// half a dozen). Only []byte arguments change form (binary), and the store
// passes none. A URL that does not parse is returned as it is, for
// sqlx.Open to report.
func oneRoundTrip(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return rawURL
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}

// sqlitePragmas apply to every SQLite connection. synchronous(FULL): in
// WAL mode NORMAL may lose the last commits on a power cut, and the poller
// moves mail out of the mailbox once a commit returns.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"

// sqliteURIPath escapes the characters a file: URI gives a meaning to.
var sqliteURIPath = strings.NewReplacer("%", "%25", "#", "%23")

// SQLiteDSN returns the data source name for the "sqlite" driver
// (modernc.org/sqlite) that opens the database file at path the way the
// store does (WAL, foreign keys, synchronous FULL, a busy timeout), and
// creates the file, readable by its owner only, when it is missing (see
// createPrivate). Whoever opens the store's SQLite file without Open (the
// migrate command) goes through it, so no path creates it with the
// umask's mode.
func SQLiteDSN(path string) (string, error) {
	path = strings.TrimPrefix(path, "//")
	if path == "" || strings.Contains(path, "?") || path == ":memory:" {
		return "", fmt.Errorf("suppression: sqlite: want sqlite:PATH with a file path, got %q", path)
	}
	if err := createPrivate(path); err != nil {
		return "", fmt.Errorf("suppression: open sqlite %s: %w", path, err)
	}
	// The path goes into a file: URI, where '#' would end it and '%' start
	// an escape: a directory named "run#2" must not open "run".
	return "file:" + sqliteURIPath.Replace(path) + "?" + sqlitePragmas, nil
}

func (s *Store) openSQLite(ctx context.Context, path string) error {
	path = strings.TrimPrefix(path, "//")
	dsn, err := SQLiteDSN(path)
	if err != nil {
		return err
	}
	w, err := sqlx.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("suppression: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	s.poolSize = 1
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("suppression: open sqlite %s: %w", path, err)
	}
	r, err := sqlx.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("suppression: open sqlite %s: %w", path, err)
	}
	n := s.opts.MaxOpenConns
	if n <= 0 {
		n = 10
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n) // opening a connection runs the pragmas and reads the schema: keep them
	files, err := openFileLocks(path)
	if err != nil {
		w.Close()
		r.Close()
		return err
	}
	s.db, s.rdb, s.files, s.dialect = w, r, files, migrations.SQLite
	return nil
}

// createPrivate creates the database file, empty and readable by its owner
// only (0600), when it does not exist: SQLite gives its -wal and -shm
// files the database file's mode, and the suppression list is personal
// data. An existing file keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// redact removes the URL (and its password) from an error's text.
func redact(err error, rawURL string) error {
	msg := err.Error()
	if u, perr := url.Parse(rawURL); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(msg, pw) {
			return errors.New(strings.ReplaceAll(msg, pw, "xxxxx"))
		}
	}
	return err
}
