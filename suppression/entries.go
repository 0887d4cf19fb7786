package suppression

// Reading and writing suppressions rows, shared by ingest, manual edits,
// imports and Recompute.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/dsn"
)

const loadEntriesSQL = `SELECT ` + entryCols + ` FROM suppressions WHERE `

func (s *Store) loadEntries(ctx context.Context, q sqlx.QueryerContext, emails []string) (map[string]Entry, error) {
	cond, arg := s.inList("email", emails)
	rows, err := scanAll(ctx, q, (*Entry).dests, s.q(loadEntriesSQL+cond), arg)
	if err != nil {
		return nil, fmt.Errorf("load entries: %w", err)
	}
	out := make(map[string]Entry, len(rows))
	for _, e := range rows {
		out[e.Email] = e
	}
	return out, nil
}

// allowed returns which of the addresses the allowlist covers, by address
// or by domain.
func (s *Store) allowed(ctx context.Context, q sqlx.QueryerContext, emails []string) (map[string]bool, error) {
	keys := slices.Clone(emails)
	seen := map[string]bool{}
	for _, e := range emails {
		if d := domainOf(e); !seen[d] {
			seen[d] = true
			keys = append(keys, d)
		}
	}
	cond, arg := s.inList("entry", keys)
	var hits []string
	if err := sqlx.SelectContext(ctx, q, &hits, s.q(`SELECT entry FROM allowlist WHERE `+cond), arg); err != nil {
		return nil, fmt.Errorf("allowlist: %w", err)
	}
	set := make(map[string]bool, len(hits))
	for _, h := range hits {
		set[h] = true
	}
	out := map[string]bool{}
	for _, e := range emails {
		if set[e] || set[domainOf(e)] {
			out[e] = true
		}
	}
	return out, nil
}

// softTimes loads, for the addresses with soft events in evs, the received
// times of their soft events stored by earlier batches that can fall in a
// window ending at one of them.
func (s *Store) softTimes(ctx context.Context, q sqlx.QueryerContext, p Policy, byAddr map[string][]Event) (map[string][]time.Time, error) {
	var emails []string
	var from time.Time
	for email, evs := range byAddr {
		for _, ev := range evs {
			if ev.Class != dsn.ClassSoft {
				continue
			}
			if len(emails) == 0 || emails[len(emails)-1] != email {
				emails = append(emails, email)
			}
			if from.IsZero() || ev.ReceivedAt.Before(from) {
				from = ev.ReceivedAt
			}
		}
	}
	if len(emails) == 0 {
		return nil, nil
	}
	cond, arg := s.inList("recipient", emails)
	query := `SELECT recipient, received_at FROM bounce_events WHERE class = 'soft' AND received_at > ? AND ` + cond
	if p.RequireVerified {
		query += ` AND verified`
	}
	var rows []struct {
		Recipient  string `db:"recipient"`
		ReceivedAt dbTime `db:"received_at"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, s.q(query), s.tv(from.Add(-p.withDefaults().SoftWindow)), arg); err != nil {
		return nil, fmt.Errorf("soft events: %w", err)
	}
	out := map[string][]time.Time{}
	for _, r := range rows {
		out[r.Recipient] = append(out[r.Recipient], r.ReceivedAt.Time)
	}
	return out, nil
}

// saveEntries writes entries: fresh ones (no row yet) appended (COPY on
// Postgres, half the cost of an upsert), known ones upserted. Writers hold
// the write lock, so no row appears in between; a writer that did not would
// cause a unique violation, and inTxRetry runs the transaction again.
func (s *Store) saveEntries(ctx context.Context, tx *sqlx.Tx, fresh, known []Entry) error {
	if len(fresh) > 0 {
		if err := s.appendRows(ctx, tx, "suppressions", entryBatch(fresh)); err != nil {
			return fmt.Errorf("suppressions: %w", err)
		}
	}
	return s.upsertEntries(ctx, tx, known)
}

// upsertEntries writes whole entries, one statement for all of them; each
// address appears once.
func (s *Store) upsertEntries(ctx context.Context, tx *sqlx.Tx, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	b := entryBatch(es)
	src, args := s.source(b)
	q := fmt.Sprintf(`INSERT INTO suppressions (%[1]s) SELECT %[1]s FROM %[2]s WHERE true
ON CONFLICT (email) DO UPDATE SET %[3]s`, b.columns(), src, excludedSet(b.names[1:]))
	if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
		return fmt.Errorf("suppressions: %w", err)
	}
	return nil
}

func entryBatch(es []Entry) *batch {
	n := len(es)
	str := func() []string { return make([]string, n) }
	i64 := func() []int64 { return make([]int64, n) }
	ntm := func() []*time.Time { return make([]*time.Time, n) }
	email, domain, lclass, lreason, lstatus, ldiag, sreason, source, note := str(), str(), str(), str(), str(), str(), str(), str(), str()
	hard, soft, block, compl := i64(), i64(), i64(), i64()
	first, last, supp := make([]time.Time, n), make([]time.Time, n), make([]bool, n)
	suppAt, expires, cleared := ntm(), ntm(), ntm()
	for i, e := range es {
		email[i], domain[i], hard[i], soft[i], block[i], compl[i] = e.Email, e.Domain, int64(e.HardCount), int64(e.SoftCount), int64(e.BlockCount), int64(e.ComplaintCount)
		first[i], last[i], lclass[i], lreason[i], lstatus[i], ldiag[i] = e.FirstSeen, e.LastSeen, e.LastClass, e.LastReason, e.LastStatus, e.LastDiagnostic
		supp[i], suppAt[i], sreason[i], expires[i], source[i], note[i], cleared[i] = e.Suppressed, e.SuppressedAt, e.SuppressedReason, e.ExpiresAt, e.Source, e.Note, e.ClearedAt
	}
	return new(batch).text("email", email).text("domain", domain).integer("hard_count", hard).
		integer("soft_count", soft).integer("block_count", block).integer("complaint_count", compl).
		time("first_seen", first).time("last_seen", last).text("last_class", lclass).text("last_reason", lreason).
		text("last_status", lstatus).text("last_diagnostic", ldiag).boolean("suppressed", supp).
		nullTime("suppressed_at", suppAt).text("suppressed_reason", sreason).nullTime("expires_at", expires).
		text("source", source).text("note", note).nullTime("cleared_at", cleared)
}

// excludedSet returns "a = excluded.a, b = excluded.b, …".
func excludedSet(cols []string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += ", "
		}
		out += c + " = excluded." + c
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
