package suppression

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/migrations"
)

// Sentinel errors.
var (
	// ErrNotFound is returned when an address has no entry.
	ErrNotFound = errors.New("suppression: not found")
	// ErrInvalidAddress is returned, wrapped with the address, for input
	// that is not an email address.
	ErrInvalidAddress = errors.New("invalid address")
	// ErrAllowlisted is returned when adding an address the allowlist covers.
	ErrAllowlisted = errors.New("suppression: address is allowlisted")
	// ErrUnsupportedURL is returned by Open for a database URL it does not know.
	ErrUnsupportedURL = errors.New("suppression: unsupported database url (want postgres://… or sqlite:PATH)")
)

// Options configure a Store. The zero value is usable: the default policy,
// case-insensitive local parts, 10 Postgres connections.
type Options struct {
	Policy *Policy // nil: DefaultPolicy()
	// CaseSensitive keeps the case of local parts ("Bob@x" and "bob@x" are
	// then different addresses). Domains are always lower-cased.
	CaseSensitive bool
	// MaxOpenConns caps the Postgres pool (and the SQLite reader pool);
	// 0 means 10.
	MaxOpenConns int
}

// Store is the suppression list in Postgres or SQLite. It is safe for
// concurrent use.
type Store struct {
	db      *sqlx.DB // writes (SQLite: one connection)
	rdb     *sqlx.DB // reads (Postgres: the same pool as db)
	ldb     *sqlx.DB // Postgres: connections held by TryLock, apart so locks never starve db
	dialect migrations.Dialect
	opts    Options
	metrics *Metrics

	mu    sync.Mutex
	locks map[string]bool // SQLite TryLock names held by this process

	txConns sync.Map // *sqlx.Tx → its *sqlx.Conn, while inTx runs
	stmts   sync.Map // query → *sqlx.Stmt prepared on db (see stmt)
}

// stmt returns query (Postgres) prepared on the pool, preparing it the first time. database/sql prepares it on each
// connection the first time that connection runs it and keeps it there, so
// the hot queries (Record's look-ups, Get) skip Postgres's parse and plan,
// about a third of a small query's server CPU. Use it through runner.
func (s *Store) stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := s.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// queryPrepared runs a query (already rebound for the dialect) on tx, or on
// the read pool when tx is nil: prepared on Postgres, as it is on SQLite
// (in process, where preparing costs next to nothing).
func (s *Store) queryPrepared(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (*sqlx.Rows, error) {
	if s.dialect != migrations.Postgres {
		if tx != nil {
			return tx.QueryxContext(ctx, query, args...)
		}
		return s.rdb.QueryxContext(ctx, query, args...)
	}
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx != nil {
		st = tx.StmtxContext(ctx, st)
	}
	return st.QueryxContext(ctx, args...)
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() migrations.Dialect { return s.dialect }

// DB returns the read pool, for read-only queries built outside this
// package (the daily report). Writes go through Store methods.
func (s *Store) DB() *sqlx.DB { return s.rdb }

// Policy returns the policy Record applies.
func (s *Store) Policy() Policy {
	if s.opts.Policy == nil {
		return DefaultPolicy()
	}
	return s.opts.Policy.withDefaults()
}

// Metrics returns the counters this store feeds (messages by class, poll
// results); never nil.
func (s *Store) Metrics() *Metrics { return s.metrics }

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	s.stmts.Range(func(_, st any) bool {
		err = errors.Join(err, st.(*sqlx.Stmt).Close())
		return true
	})
	err = errors.Join(err, s.db.Close())
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if s.ldb != nil {
		err = errors.Join(err, s.ldb.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("suppression: ping: %w", err)
	}
	return nil
}

// q rewrites a query written with ? placeholders for the dialect.
func (s *Store) q(query string) string {
	if s.dialect == migrations.Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}

// inTx runs fn in one write transaction and commits it. On Postgres it first
// takes the transaction-scoped write lock, so that concurrent writers (other
// replicas, the CLI) read-modify-write suppressions one at a time; SQLite
// transactions are already serialised (BEGIN IMMEDIATE, one writer).
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()       //nolint:errcheck // a no-op after Commit
	s.txConns.Store(tx, conn) // for rawCopy
	defer s.txConns.Delete(tx)
	if s.dialect == migrations.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('bouncer.suppressions'))`); err != nil {
			return fmt.Errorf("write lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// pgCode returns the SQLSTATE of a Postgres error, or "".
func pgCode(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return string(pe.Code)
	}
	return ""
}

// retryable reports whether a transaction failed on a serialisation failure,
// a deadlock or a unique violation (SQLSTATE 40001, 40P01, 23505: a writer
// that did not take the write lock added the same key) and may simply be
// run again.
func retryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01", "23505":
		return true
	}
	return false
}

// inTxRetry is inTx, run up to three times while it fails retryably.
func (s *Store) inTxRetry(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	var err error
	for range 3 {
		if err = s.inTx(ctx, fn); !retryable(err) {
			return err
		}
	}
	return err
}

// IsDataError reports whether err (from Record) was caused by the data of
// the batch rather than by the database: Postgres SQLSTATE class 22 (data
// exception) or 23 (integrity violation). Retrying the same batch fails
// again; record its messages one at a time and quarantine the one that
// fails (Message with a nil Report), so one message cannot block a mailbox.
func IsDataError(err error) bool {
	c := pgCode(err)
	return len(c) == 5 && (c[:2] == "22" || c[:2] == "23")
}
