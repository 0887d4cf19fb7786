package suppression

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/internal/duration"
	"github.com/bouncer-mail/bouncer/migrations"
)

// MinEventRetention is the shortest Retention.Events Prune accepts: the
// report, the rates and recompute read back this far.
const MinEventRetention = 90 * 24 * time.Hour

// PruneLock is the name of the lock Prune runs under (TryLock).
const PruneLock = "bouncer/prune"

// ErrRetentionTooShort is returned by Prune for a Retention.Events below
// MinEventRetention.
var ErrRetentionTooShort = errors.New("suppression: retention of events below 90 days")

// Retention says how long each table keeps its rows, by the time they
// reached the mailbox (sent counts: the hour they count; their ids: the
// time bouncer received them). Zero
// keeps a table's rows for ever. Counters in suppressions never change
// when rows are pruned.
type Retention struct {
	Events time.Duration // bounce_events: the evidence, the report's figures
	// Ledger is for the two tables that make a write count once:
	// processed_messages (a message redelivered after its row is pruned
	// counts again) and sent_count_ids (a sent count retried with its id
	// after the id is pruned adds again).
	Ledger time.Duration
	// Sent is for sent_counts (by hour counted), when the table exists.
	Sent time.Duration
}

// TablePrune is what Prune did (or, dry, would do) to one table.
type TablePrune struct {
	Table  string    `json:"table"`
	Before time.Time `json:"before"` // the cutoff: rows received before it go
	// Rows is how many rows went: counted for deletes, Postgres's
	// estimate (pg_class.reltuples) for the partitions dropped whole.
	Rows    int64    `json:"rows"`
	Dropped []string `json:"dropped,omitempty"` // Postgres: partitions dropped whole
	Created []string `json:"created,omitempty"` // Postgres: partitions created for the months ahead
	// MaxBatch is the longest delete transaction (the write lock held on
	// SQLite); zero when nothing was deleted row by row.
	MaxBatch time.Duration `json:"max_batch_ns"`
	Batches  int           `json:"batches"`
}

// PruneResult is what one Prune did.
type PruneResult struct {
	Skipped bool         `json:"skipped"` // another process holds PruneLock: nothing was done
	DryRun  bool         `json:"dry_run"`
	Tables  []TablePrune `json:"tables"`
}

// pruneTable is a table Prune keeps in bounds, by its time column.
type pruneTable struct {
	name, timeCol string
	keep          func(Retention) time.Duration
}

var pruneTables = []pruneTable{
	{name: "bounce_events", timeCol: "received_at", keep: func(r Retention) time.Duration { return r.Events }},
	{name: "processed_messages", timeCol: "received_at", keep: func(r Retention) time.Duration { return r.Ledger }},
}

// keysTable is the ledger's keys on Postgres (migration 00072): one table,
// its old rows deleted in one statement (see pruneKeys).
var keysTable = pruneTable{name: "processed_keys", timeCol: "received_at", keep: func(r Retention) time.Duration { return r.Ledger }}

// Prune deletes the rows older than their table's retention at now and, on
// Postgres, creates the partitions of the months ahead. It runs under the
// PruneLock (a Postgres advisory lock, or SQLite's lock file): when another
// process holds it, Prune returns Skipped and does nothing. Idempotent: a
// second run finds nothing more to prune. With dryRun it changes nothing
// and reports what it would prune. On error, what was pruned stays pruned.
func (s *Store) Prune(ctx context.Context, r Retention, now time.Time, dryRun bool) (PruneResult, error) {
	res := PruneResult{DryRun: dryRun}
	if r.Events > 0 && r.Events < MinEventRetention {
		return res, fmt.Errorf("%w: %s", ErrRetentionTooShort, duration.Format(r.Events))
	}
	unlock, ok, err := s.TryLock(ctx, PruneLock)
	if err != nil {
		return res, err
	}
	if !ok {
		res.Skipped = true
		return res, nil
	}
	defer unlock()
	tables, err := s.pruneTables(ctx)
	if err != nil {
		return res, err
	}
	for _, t := range tables {
		tp := TablePrune{Table: t.name}
		if keep := t.keep(r); keep > 0 {
			tp.Before = now.Add(-keep).UTC()
		}
		if t.name == keysTable.name {
			err = s.pruneKeys(ctx, &tp, dryRun)
		} else if s.dialect == migrations.Postgres {
			err = s.prunePartitions(ctx, t, &tp, now, dryRun)
		} else if !tp.Before.IsZero() {
			err = s.pruneRows(ctx, t, &tp, dryRun)
		}
		if err == nil && !dryRun && !tp.Before.IsZero() && (tp.Rows > 0 || len(tp.Dropped) > 0) {
			err = s.setHorizon(ctx, t.name, tp.Before, now)
		}
		res.Tables = append(res.Tables, tp)
		if err != nil {
			return res, fmt.Errorf("suppression: prune %s: %w", t.name, err)
		}
	}
	return res, nil
}

// sentTables are the tables of sent counts (migration 00061): the counts by
// the hour they count, the ids of the counts a client gave one by when they
// came (kept as long as the ledger: both make a retried write count once).
var sentTables = []pruneTable{
	{name: "sent_counts", timeCol: "hour", keep: func(r Retention) time.Duration { return r.Sent }},
	{name: "sent_count_ids", timeCol: "received_at", keep: func(r Retention) time.Duration { return r.Ledger }},
}

// pruneTables returns the tables to prune: the sent tables too once they
// exist.
func (s *Store) pruneTables(ctx context.Context) ([]pruneTable, error) {
	tables := pruneTables[:len(pruneTables):len(pruneTables)]
	if s.dialect == migrations.Postgres {
		ok, err := s.tableExists(ctx, keysTable.name)
		if err != nil {
			return nil, err
		}
		if ok {
			tables = append(tables, keysTable)
		}
	}
	ok, err := s.tableExists(ctx, "sent_counts")
	if err != nil || !ok {
		return tables, err
	}
	return append(tables, sentTables...), nil
}

// tableExists reports whether the database has the table.
func (s *Store) tableExists(ctx context.Context, name string) (bool, error) {
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if s.dialect == migrations.Postgres {
		q = `SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)`
	}
	var n int
	if err := s.rdb.QueryRowContext(ctx, s.q(q), name).Scan(&n); err != nil {
		return false, fmt.Errorf("suppression: table %s: %w", name, err)
	}
	return n > 0, nil
}

const horizonSQL = `INSERT INTO retention_horizon (table_name, pruned_before, pruned_at) VALUES (?, ?, ?)
ON CONFLICT (table_name) DO UPDATE SET pruned_before = excluded.pruned_before, pruned_at = excluded.pruned_at
WHERE excluded.pruned_before > retention_horizon.pruned_before`

// setHorizon notes that table's rows received before t may be gone.
func (s *Store) setHorizon(ctx context.Context, table string, t, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(horizonSQL), table, s.tv(t), s.tv(now)); err != nil {
		return fmt.Errorf("horizon: %w", err)
	}
	return nil
}

const horizonGetSQL = `SELECT pruned_before FROM retention_horizon WHERE table_name = ?`

// horizonGetPGSQL is horizonGetSQL on Postgres, prepared (preparedQueries):
// every MessageStatus reads it.
var horizonGetPGSQL = sqlx.Rebind(sqlx.DOLLAR, horizonGetSQL)

// Horizon returns the time before which table's rows may have been pruned,
// or nil when Prune never removed any: every row since the first is there.
func (s *Store) Horizon(ctx context.Context, table string) (*time.Time, error) {
	rows, err := s.queryPrepared(ctx, nil, s.q(horizonGetSQL), table)
	if err != nil {
		return nil, fmt.Errorf("suppression: horizon of %s: %w", table, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, wrapHorizon(table, rows.Err())
	}
	var t time.Time
	if err := rows.Scan(timeInto{&t}); err != nil {
		return nil, wrapHorizon(table, err)
	}
	return &t, wrapHorizon(table, rows.Close())
}

func wrapHorizon(table string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("suppression: horizon of %s: %w", table, err)
}

// pruneKeys deletes the ledger's keys (processed_keys, Postgres) received
// before tp.Before in one statement: the BRIN index on received_at leads
// it to the old rows' pages, and one pass over them costs less than
// batches that each walk again past the rows the batches before deleted.
// It blocks no writer: Record inserts other keys, and a key being deleted
// is still known until the delete commits.
func (s *Store) pruneKeys(ctx context.Context, tp *TablePrune, dryRun bool) error {
	if tp.Before.IsZero() {
		return nil
	}
	if dryRun {
		return s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM processed_keys WHERE received_at < $1`, tp.Before).Scan(&tp.Rows)
	}
	began := time.Now() // a duration, not a clock reading
	r, err := s.db.ExecContext(ctx, `DELETE FROM processed_keys WHERE received_at < $1`, tp.Before)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	tp.Rows, _ = r.RowsAffected()
	tp.Batches, tp.MaxBatch = 1, time.Since(began)
	return nil
}
