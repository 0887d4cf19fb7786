package suppression

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Batched deletes (SQLite) aim each transaction at pruneBatchTarget of
// write lock (the commit's fsync included): a batch that took less than
// half of it doubles, one that took more halves, between pruneBatchMin and
// pruneBatchMax rowids. A
// Record waiting for the lock (busy_timeout) then waits at most about one
// batch, far below the 100 ms bound (BenchmarkPruneSQLite prints the
// longest batch).
const (
	pruneBatchTarget = 25 * time.Millisecond
	pruneBatchMin    = 100
	pruneBatchMax    = 20000
	pruneBatchStart  = 1000
)

// pruneRows deletes t's rows received before tp.Before, in short
// transactions over ranges of rowids: the rowids of the rows to delete
// lie between the table's smallest and the largest such row's (found
// through the index on the time column), and each range is one quick
// delete by rowid, so the write lock is never held long.
func (s *Store) pruneRows(ctx context.Context, t pruneTable, tp *TablePrune, dryRun bool) error {
	cutoff := s.tv(tp.Before)
	if dryRun {
		return s.rdb.QueryRowContext(ctx, s.q(`SELECT count(*) FROM `+t.name+` WHERE `+t.timeCol+` < ?`), cutoff).Scan(&tp.Rows)
	}
	var lo, hi sql.NullInt64
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT max(rowid) FROM `+t.name+` WHERE `+t.timeCol+` < ?`), cutoff).Scan(&hi); err != nil || !hi.Valid {
		return err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT min(rowid) FROM `+t.name).Scan(&lo); err != nil || !lo.Valid {
		return err
	}
	del := s.q(`DELETE FROM ` + t.name + ` WHERE rowid >= ? AND rowid < ? AND ` + t.timeCol + ` < ?`)
	n := int64(pruneBatchStart)
	for from := lo.Int64; from <= hi.Int64; {
		to := min(from+n, hi.Int64+1)
		began := time.Now() // a duration, not a clock reading
		r, err := s.db.ExecContext(ctx, del, from, to, cutoff)
		if err != nil {
			return fmt.Errorf("delete rowids %d-%d: %w", from, to, err)
		}
		took := time.Since(began)
		gone, _ := r.RowsAffected()
		tp.Rows += gone
		tp.Batches++
		tp.MaxBatch = max(tp.MaxBatch, took)
		switch {
		case took < pruneBatchTarget/2:
			n = min(n*2, pruneBatchMax)
		case took > pruneBatchTarget:
			n = max(n/2, pruneBatchMin)
		}
		from = to
	}
	return nil
}
