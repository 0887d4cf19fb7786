package suppression

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// monthsAhead is how many months after the current one Prune keeps
// partitions ready for (Postgres), so rows never wait on a missing month.
const monthsAhead = 3

// partition is one partition of a table range-partitioned on time
// (migrations 00066 and 00067): [from, to), a zero bound being MINVALUE/MAXVALUE;
// the DEFAULT partition has def set.
type partition struct {
	name     string
	from, to time.Time
	def      bool
	rows     int64 // pg_class.reltuples: Postgres's estimate
}

// partitionsSQL lists a table's partitions and their bounds.
const partitionsSQL = `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`

// partitions lists table's partitions; none when it is not partitioned.
func (s *Store) partitions(ctx context.Context, q sqlx.QueryerContext, table string) ([]partition, error) {
	rows, err := q.QueryxContext(ctx, partitionsSQL, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []partition
	for rows.Next() {
		var p partition
		var bound string
		if err := rows.Scan(&p.name, &bound, &p.rows); err != nil {
			return nil, err
		}
		if p.def, p.from, p.to, err = parseBound(bound); err != nil {
			return nil, fmt.Errorf("partition %s: %w", p.name, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

var boundRE = regexp.MustCompile(`^FOR VALUES FROM \((.+)\) TO \((.+)\)$`)

// parseBound reads pg_get_expr of a partition bound: DEFAULT, or FROM (x)
// TO (y) with x and y MINVALUE, MAXVALUE or a quoted timestamptz.
func parseBound(b string) (def bool, from, to time.Time, err error) {
	if b == "DEFAULT" {
		return true, from, to, nil
	}
	m := boundRE.FindStringSubmatch(b)
	if m == nil {
		return false, from, to, fmt.Errorf("bound %q: not a range", b)
	}
	if from, err = parseBoundValue(m[1]); err == nil {
		to, err = parseBoundValue(m[2])
	}
	return false, from, to, err
}

func parseBoundValue(v string) (time.Time, error) {
	if v == "MINVALUE" || v == "MAXVALUE" {
		return time.Time{}, nil
	}
	v = strings.Trim(v, "'")
	for _, layout := range []string{"2006-01-02 15:04:05-07", "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.999999-07"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bound value %q: not a time", v)
}

// monthStart is the first instant of t's month, UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// prunePartitions prunes one table on Postgres. A partitioned table: it
// creates the months ahead, drops each partition whose every row is older
// than tp.Before (a catalog change, whatever its size), and deletes the old
// rows of the partitions that are not one month (the tables converted by
// 00066 and 00067, the DEFAULT partition) in batches. A plain table
// (sent_count_ids): it deletes the old rows in batches.
func (s *Store) prunePartitions(ctx context.Context, t pruneTable, tp *TablePrune, now time.Time, dryRun bool) error {
	parts, err := s.partitions(ctx, s.rdb, t.name)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		if tp.Before.IsZero() {
			return nil
		}
		return s.deleteOld(ctx, t, t.name, tp, dryRun)
	}
	if err := s.createAhead(ctx, t, tp, parts, now, dryRun); err != nil {
		return err
	}
	if !dryRun {
		if err := s.autosummarize(ctx, t.name); err != nil {
			return err
		}
	}
	if tp.Before.IsZero() {
		return nil
	}
	for _, p := range parts {
		switch {
		case !p.def && !p.to.IsZero() && !p.to.After(tp.Before):
			if !dryRun {
				if _, err := s.db.ExecContext(ctx, `DROP TABLE `+pq.QuoteIdentifier(p.name)); err != nil {
					return fmt.Errorf("drop %s: %w", p.name, err)
				}
			}
			tp.Dropped = append(tp.Dropped, p.name)
			tp.Rows += p.rows
		case p.def || p.from.IsZero():
			if err := s.deleteOld(ctx, t, p.name, tp, dryRun); err != nil {
				return err
			}
		}
	}
	return nil
}

// pgDeleteBatch is how many rows one delete of deleteOld removes.
const pgDeleteBatch = 20000

// deleteOld deletes the rows of one partition older than tp.Before, one
// short transaction per batch.
func (s *Store) deleteOld(ctx context.Context, t pruneTable, part string, tp *TablePrune, dryRun bool) error {
	name := pq.QuoteIdentifier(part)
	if dryRun {
		var n int64
		err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM `+name+` WHERE `+t.timeCol+` < $1`, tp.Before).Scan(&n)
		tp.Rows += n
		return err
	}
	del := `DELETE FROM ` + name + ` WHERE ctid = ANY(ARRAY(SELECT ctid FROM ` + name + ` WHERE ` + t.timeCol + ` < $1 LIMIT $2))`
	for {
		began := time.Now() // a duration, not a clock reading
		r, err := s.db.ExecContext(ctx, del, tp.Before, pgDeleteBatch)
		if err != nil {
			return fmt.Errorf("delete from %s: %w", part, err)
		}
		n, _ := r.RowsAffected()
		tp.Rows += n
		tp.Batches++
		tp.MaxBatch = max(tp.MaxBatch, time.Since(began))
		if n < pgDeleteBatch {
			return nil
		}
	}
}

// createAhead creates the partitions of the current month and the
// monthsAhead after it that no partition covers yet.
func (s *Store) createAhead(ctx context.Context, t pruneTable, tp *TablePrune, parts []partition, now time.Time, dryRun bool) error {
	var def string
	for _, p := range parts {
		if p.def {
			def = p.name
		}
	}
	for i := range monthsAhead + 1 {
		from := monthStart(now).AddDate(0, i, 0)
		if covered(parts, from) {
			continue
		}
		name := fmt.Sprintf("%s_p%s", t.name, from.Format("2006_01"))
		if !dryRun {
			if err := s.createMonth(ctx, t, name, def, from, from.AddDate(0, 1, 0)); err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
		}
		tp.Created = append(tp.Created, name)
	}
	return nil
}

// covered reports whether a range partition holds the instant at.
func covered(parts []partition, at time.Time) bool {
	for _, p := range parts {
		if !p.def && (p.from.IsZero() || !at.Before(p.from)) && (p.to.IsZero() || at.Before(p.to)) {
			return true
		}
	}
	return false
}

// createMonth creates the partition [from, to) of t in one transaction.
// Rows of that range already in the DEFAULT partition (received with a
// date far ahead) move into it: Postgres refuses the partition otherwise.
func (s *Store) createMonth(ctx context.Context, t pruneTable, name, def string, from, to time.Time) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	lit := func(at time.Time) string { return pq.QuoteLiteral(at.Format("2006-01-02 15:04:05Z07:00")) }
	inRange := t.timeCol + ` >= ` + lit(from) + ` AND ` + t.timeCol + ` < ` + lit(to)
	moving := false
	if def != "" {
		q := `SELECT EXISTS (SELECT 1 FROM ` + pq.QuoteIdentifier(def) + ` WHERE ` + inRange + `)`
		if err := tx.QueryRowContext(ctx, q).Scan(&moving); err != nil {
			return err
		}
	}
	stmts := []string{}
	if moving {
		stmts = append(stmts, `ALTER TABLE `+pq.QuoteIdentifier(t.name)+` DETACH PARTITION `+pq.QuoteIdentifier(def))
	}
	stmts = append(stmts, `CREATE TABLE `+pq.QuoteIdentifier(name)+` PARTITION OF `+pq.QuoteIdentifier(t.name)+
		` FOR VALUES FROM (`+lit(from)+`) TO (`+lit(to)+`)`)
	if moving {
		cols, err := s.columns(ctx, tx, t.name)
		if err != nil {
			return err
		}
		stmts = append(stmts,
			`INSERT INTO `+pq.QuoteIdentifier(name)+` (`+cols+`) SELECT `+cols+` FROM `+pq.QuoteIdentifier(def)+` WHERE `+inRange,
			`DELETE FROM `+pq.QuoteIdentifier(def)+` WHERE `+inRange,
			`ALTER TABLE `+pq.QuoteIdentifier(t.name)+` ATTACH PARTITION `+pq.QuoteIdentifier(def)+` DEFAULT`)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// columns lists a table's columns, quoted, in order.
func (s *Store) columns(ctx context.Context, tx *sqlx.Tx, table string) (string, error) {
	var cols []string
	err := tx.SelectContext(ctx, &cols, `SELECT quote_ident(attname) FROM pg_attribute
		WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, table)
	return strings.Join(cols, ", "), err
}

// brinWithoutAutosummarizeSQL lists the BRIN indexes of a partitioned
// table's partitions ($1) that do not summarize new ranges as they fill.
const brinWithoutAutosummarizeSQL = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam
WHERE h.inhparent = to_regclass($1) AND a.amname = 'brin' AND c.relkind = 'i'
  AND NOT coalesce('autosummarize=on' = ANY(c.reloptions), false)
ORDER BY 1`

// autosummarize turns on autosummarize for the BRIN indexes of table's
// partitions that lack it (those migrations and createMonth made): then
// autovacuum summarizes each block range of received_at as soon as it
// fills, instead of when the table next reaches its vacuum threshold
// (a fifth of it), and a report of yesterday reads yesterday's pages only.
// Postgres accepts the option on a partition's index, not on the
// partitioned one (00066's), so new partitions need it too. The lock it
// takes does not block reads or writes.
func (s *Store) autosummarize(ctx context.Context, table string) error {
	var idxs []string
	if err := s.db.SelectContext(ctx, &idxs, brinWithoutAutosummarizeSQL, table); err != nil {
		return fmt.Errorf("brin indexes of %s: %w", table, err)
	}
	for _, idx := range idxs {
		if _, err := s.db.ExecContext(ctx, `ALTER INDEX `+idx+` SET (autosummarize = on)`); err != nil {
			return fmt.Errorf("autosummarize %s: %w", idx, err)
		}
	}
	return nil
}
