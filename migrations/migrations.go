// Package migrations owns bouncer's database schema: numbered SQL files per
// dialect, embedded in the binary, applied with goose under a Postgres
// advisory lock so that several instances starting together cannot race.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect names a supported database.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrSchemaTooNew is returned when the database holds migrations this binary
// does not know: an older binary must not write to a newer schema.
var ErrSchemaTooNew = errors.New("migrations: database schema is newer than this binary")

// ErrPending is returned by Check when migrations are waiting to be applied.
var ErrPending = errors.New("migrations: pending migrations")

func provider(db *sql.DB, d Dialect) (*goose.Provider, error) {
	sub, err := fs.Sub(files, string(d))
	if err != nil {
		return nil, fmt.Errorf("migrations: %s: %w", d, err)
	}
	// Work on the schema goes on in parallel, each stream with its own
	// range of versions, so a database can already hold a higher version
	// when a lower one lands: apply it then (goose refuses by default).
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	gd := goose.DialectSQLite3
	if d == Postgres {
		gd = goose.DialectPostgres
		// Probe the lock every second (goose's default is every 5 s) for up
		// to 5 minutes: a replica that starts beside another waits about as
		// long as the other's migrations take, not 5 s more.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %s: %w", d, err)
	}
	return p, nil
}

// Up applies every pending migration, each in its own transaction, and
// returns the versions it applied (none when the schema was current). A
// pending version lower than the database's is applied too (out of order). It
// refuses a database whose schema is newer than the embedded migrations.
func Up(ctx context.Context, db *sql.DB, d Dialect) ([]int64, error) {
	p, err := provider(db, d)
	if err != nil {
		return nil, err
	}
	if err := checkNotNewer(ctx, p); err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: up: %w", err)
	}
	applied := make([]int64, 0, len(res))
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Status describes one migration: its version, file and whether it is applied.
type Status struct {
	Version int64
	Path    string
	Applied bool
}

// List reports the state of every embedded migration.
func List(ctx context.Context, db *sql.DB, d Dialect) ([]Status, error) {
	p, err := provider(db, d)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: status: %w", err)
	}
	out := make([]Status, 0, len(st))
	for _, s := range st {
		out = append(out, Status{Version: s.Source.Version, Path: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// Check returns nil when the schema matches this binary exactly, ErrPending
// when migrations wait, and ErrSchemaTooNew when the database is ahead.
func Check(ctx context.Context, db *sql.DB, d Dialect) error {
	p, err := provider(db, d)
	if err != nil {
		return err
	}
	if err := checkNotNewer(ctx, p); err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("migrations: check: %w", err)
	}
	if pending {
		return ErrPending
	}
	return nil
}

func checkNotNewer(ctx context.Context, p *goose.Provider) error {
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		if errors.Is(err, goose.ErrVersionNotFound) {
			return nil
		}
		return fmt.Errorf("migrations: version: %w", err)
	}
	var latest int64
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
	}
	if cur > latest {
		return fmt.Errorf("%w (database at %d, binary knows up to %d)", ErrSchemaTooNew, cur, latest)
	}
	return nil
}
