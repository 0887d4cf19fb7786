package suppression

import (
	"context"
	"database/sql/driver"
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
	ErrNotFound = errors.New("not found")
	// ErrInvalidAddress is returned, wrapped with the address, for input
	// that is not an email address.
	ErrInvalidAddress = errors.New("invalid address")
	// ErrAllowlisted is returned when adding an address the allowlist covers.
	ErrAllowlisted = errors.New("address is allowlisted")
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
	// Observer is told what the store does, for metrics; nil: nothing.
	Observer Observer
	// Webhooks are the endpoints changes are announced to, each with its
	// event types; none: no outbox row is written (see writeOutbox).
	Webhooks []Subscription
	// Retention is how long Prune is configured to keep rows: AddSent
	// refuses a count for an hour Retention.Sent would prune. Zero: for ever.
	Retention Retention
}

// Store is the suppression list in Postgres or SQLite. It is safe for
// concurrent use.
type Store struct {
	db      *sqlx.DB // writes (SQLite: one connection)
	rdb     *sqlx.DB // reads (Postgres: the same pool as db)
	ldb     *sqlx.DB // Postgres: connections held by TryLock, apart so locks never starve db
	dialect migrations.Dialect
	opts    Options
	// poolSize is the write pool's idle connections (see dropIdle).
	poolSize int

	mu    sync.Mutex
	locks map[string]bool // SQLite TryLock names held by this process
	files *fileLocks      // SQLite: the same, held on the database's lock file

	pollMu    sync.Mutex
	unwritten []PollStatus // poll outcomes RecordPoll could not write yet

	txConns sync.Map // *sqlx.Tx → its *sqlx.Conn, while inTx runs
	// The webhook outbox's readers: the endpoints whose cursor exists, and
	// the last row rendered for each (webhookcursor.go).
	cursors, renderCache sync.Map
	stmts                map[string]*sqlx.Stmt // Postgres: preparedQueries, set by Open
}

// preparedQueries are the hot queries prepared on Postgres when the store
// opens: database/sql then prepares each on a connection the first time
// that connection runs it and keeps it there, so they skip Postgres's parse
// and plan (about a third of a small query's server CPU). Preparing them
// up front, not on first use, matters: Tx.Stmt prepares on the
// transaction's own connection, while DB.Prepare would wait for a free one
// (forever, inside a transaction holding the pool's last connection).
func preparedQueries() []string {
	return []string{getPGSQL, ledgerKnownPGSQL, pgStateSQL, sqlx.Rebind(sqlx.DOLLAR, noteReceivedSQL), fatePGSQL, horizonGetPGSQL, dailyUpsertPGSQL}
}

// prepare prepares preparedQueries (Postgres).
func (s *Store) prepare(ctx context.Context) error {
	s.stmts = map[string]*sqlx.Stmt{}
	for _, q := range preparedQueries() {
		st, err := s.db.PreparexContext(ctx, q)
		if err != nil {
			return fmt.Errorf("suppression: prepare: %w", err)
		}
		s.stmts[q] = st
	}
	return nil
}

// queryPrepared runs a query (already rebound for the dialect) on tx, or on
// the read pool when tx is nil, through its prepared statement when it is
// one of preparedQueries.
func (s *Store) queryPrepared(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (*sqlx.Rows, error) {
	st, ok := s.stmts[query]
	switch {
	case !ok && tx != nil:
		return tx.QueryxContext(ctx, query, args...)
	case !ok:
		return s.rdb.QueryxContext(ctx, query, args...)
	case tx != nil:
		st = tx.StmtxContext(ctx, st)
	}
	return st.QueryxContext(ctx, args...)
}

// execPrepared is queryPrepared for a statement that returns no rows, run
// on tx.
func (s *Store) execPrepared(ctx context.Context, tx *sqlx.Tx, query string, args ...any) error {
	var err error
	if st, ok := s.stmts[query]; ok {
		_, err = tx.StmtxContext(ctx, st).ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, query, args...)
	}
	return err
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() migrations.Dialect { return s.dialect }

// Policy returns the policy Record applies.
func (s *Store) Policy() Policy {
	if s.opts.Policy == nil {
		return DefaultPolicy()
	}
	return s.opts.Policy.withDefaults()
}

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	for _, st := range s.stmts {
		err = errors.Join(err, st.Close())
	}
	err = errors.Join(err, s.db.Close())
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if s.ldb != nil {
		err = errors.Join(err, s.ldb.Close())
	}
	if s.files != nil {
		err = errors.Join(err, s.files.close())
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

// writeTxSQL starts a Postgres write transaction: the write lock, and for
// the transaction plan_cache_mode force_custom_plan and jit off. Record's prepared
// statements (preparedQueries) then skip the parse but are planned for
// their arguments and the tables as they are: Postgres would otherwise
// settle on a generic plan after five runs and keep it for the
// connection's life, and one made while the ledger was small scans it
// (18 ms a batch of 100 once it held 20,000 keys). Reads keep the default:
// Get's generic plan uses the indexes even on empty tables, and planning
// its joins each time would triple its server CPU. JIT is off too: the
// look-ups of a large batch cost enough on paper for Postgres to compile
// them, which took 300-400 ms a batch of 5,000 and gains nothing here.
// synchronous_commit is on whatever the server's default: the poller moves
// mail out of the mailbox once Commit returns, so a commit the server
// acknowledged before its WAL was written (synchronous_commit=off) and
// then lost in a crash would be a message gone without its record.
const writeTxSQL = `SELECT pg_advisory_xact_lock(hashtext('bouncer.suppressions')),
  set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true),
  set_config('synchronous_commit', 'on', true)`

// inTx runs fn in one write transaction and commits it. On Postgres it first
// takes the transaction-scoped write lock, so that concurrent writers (other
// replicas, the CLI) read-modify-write suppressions one at a time; SQLite
// transactions are already serialised (BEGIN IMMEDIATE, one writer).
//
// A connection found dead at BEGIN (the server restarted since it was
// pooled: driver.ErrBadConn) is not the transaction's failure: the pool's
// idle connections, dead too, are dropped and the transaction starts once
// more on a new one. Nothing had run, so the retry cannot apply anything
// twice.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	conn, tx, err := s.begin(ctx)
	if badConn(err) {
		s.dropIdle()
		conn, tx, err = s.begin(ctx)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	defer tx.Rollback()       //nolint:errcheck // a no-op after Commit
	s.txConns.Store(tx, conn) // for rawCopy
	defer s.txConns.Delete(tx)
	if s.dialect == migrations.Postgres {
		// With the lock, in the same round trip: plan this transaction's
		// prepared statements for their arguments (see writeTxSQL).
		if _, err := tx.ExecContext(ctx, writeTxSQL); err != nil {
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

// begin starts a transaction on a connection of its own (rawCopy needs
// the connection); on error nothing is left open.
func (s *Store) begin(ctx context.Context) (*sqlx.Conn, *sqlx.Tx, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		conn.Close() // a bad connection leaves the pool here
		return nil, nil, err
	}
	return conn, tx, nil
}

// badConn reports whether BEGIN failed because its pooled connection was
// dead: broken (driver.ErrBadConn), or ended by a server shutdown it
// only now reads (SQLSTATE 57P01, 57P02).
func badConn(err error) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	c := pgCode(err)
	return c == "57P01" || c == "57P02"
}

// dropIdle closes the idle connections of the write pool (a restarted
// server left them all dead); connections in use are checked as they are
// next used.
func (s *Store) dropIdle() {
	s.db.SetMaxIdleConns(0)
	s.db.SetMaxIdleConns(s.poolSize)
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
