package suppression

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/migrations"
)

// This file keeps daily_counts, the overview's figures per UTC day, in the
// transaction that changes what they count (see migration 00052 for the
// dimensions): Record adds its events and the suppressions they start,
// manual suppressions, imports and Recompute the suppressions they start.
// Nothing reads them back from bounce_events, so pruning events leaves
// them as they are.

// Rollup dimensions (daily_counts.dim).
const (
	dimClass      = "class"
	dimReason     = "reason"
	dimDomain     = "domain"
	dimRemoteMTA  = "remote_mta"
	dimBlock      = "block" // by diagnostic: days migration 00052 filled
	dimBlocklist  = "blocklist"
	dimSuppressed = "suppressed"
)

// maxRollupKey is how many characters of a key daily_counts keeps.
const maxRollupKey = 500

// dayKey is one daily_counts row's identity.
type dayKey struct{ day, dim, key string }

// rollup is a batch's additions to daily_counts.
type rollup map[dayKey]int64

// utcDay is t's UTC day as "2006-01-02".
func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// add counts one under dim and key on t's UTC day; an empty key counts
// only under class.
func (r rollup) add(t time.Time, dim, key string) { r.addDay(utcDay(t), dim, key) }

// addDay is add on a day given as "2006-01-02".
func (r rollup) addDay(day, dim, key string) {
	if key == "" && dim != dimClass {
		return
	}
	if len(key) > maxRollupKey { // bytes bound runes: cut only when it may be needed
		if rs := []rune(key); len(rs) > maxRollupKey {
			key = string(rs[:maxRollupKey])
		}
	}
	r[dayKey{day, dim, key}]++
}

// addEvents counts stored events: every one by class; failures (hard,
// soft, block) by reason, domain and receiving MTA; blocks by the block
// list their diagnostic names (a few keys a day, where diagnostics are
// often one of a kind: an address, an IP, a receiver's trace id).
func (r rollup) addEvents(evs []Event) {
	var day string
	var from, to time.Time       // the UTC day of day
	named := map[string]string{} // diagnostic -> block list, within the batch
	for _, ev := range evs {
		if day == "" || ev.ReceivedAt.Before(from) || !ev.ReceivedAt.Before(to) {
			u := ev.ReceivedAt.UTC()
			from = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
			day, to = from.Format(time.DateOnly), from.AddDate(0, 0, 1)
		}
		r.addDay(day, dimClass, string(ev.Class))
		switch ev.Class {
		case dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock:
			r.addDay(day, dimReason, string(ev.Reason))
			r.addDay(day, dimDomain, ev.Domain)
			r.addDay(day, dimRemoteMTA, ev.RemoteMTA)
		}
		if ev.Class == dsn.ClassBlock {
			name, ok := named[ev.Diagnostic]
			if !ok {
				name = dsn.BlocklistOf(ev.Diagnostic)
				named[ev.Diagnostic] = name
			}
			r.addDay(day, dimBlocklist, name)
		}
	}
}

// addStart counts after's suppression on its day if it started with this
// change: after is suppressed and before (nil: no entry) was not, or was
// suppressed from another time.
func (r rollup) addStart(before *Entry, after Entry) {
	if !after.Suppressed || after.SuppressedAt == nil {
		return
	}
	if before != nil && before.Suppressed && before.SuppressedAt != nil && before.SuppressedAt.Equal(*after.SuppressedAt) {
		return
	}
	r.add(*after.SuppressedAt, dimSuppressed, after.Source)
}

// dailyUpsertPGSQL adds a batch of counts (Postgres, prepared).
const dailyUpsertPGSQL = `INSERT INTO daily_counts (day, dim, key, n)
SELECT day::date, dim, key, n FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(day, dim, key, n)
ON CONFLICT (dim, key, day) DO UPDATE SET n = daily_counts.n + excluded.n`

// write adds the batch's counts to daily_counts in one statement, in key
// order (neighbours share index pages).
func (r rollup) write(ctx context.Context, s *Store, tx *sqlx.Tx) error {
	if len(r) == 0 {
		return nil
	}
	keys := make([]dayKey, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dayKey) int {
		return cmp.Or(strings.Compare(a.dim, b.dim), strings.Compare(a.key, b.key), strings.Compare(a.day, b.day))
	})
	day, dim, key, n := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		day[i], dim[i], key[i], n[i] = k.day, k.dim, k.key, r[k]
	}
	var err error
	if s.dialect == migrations.Postgres {
		err = s.execPrepared(ctx, tx, dailyUpsertPGSQL, pq.StringArray(day), pq.StringArray(dim), pq.StringArray(key), pq.Int64Array(n))
	} else {
		b := new(batch).text("day", day).text("dim", dim).text("key", key).integer("n", n)
		src, args := s.source(b)
		_, err = tx.ExecContext(ctx, `INSERT INTO daily_counts (day, dim, key, n) SELECT day, dim, key, n FROM `+src+
			` WHERE true ON CONFLICT (dim, key, day) DO UPDATE SET n = daily_counts.n + excluded.n`, args...)
	}
	if err != nil {
		return fmt.Errorf("daily counts: %w", err)
	}
	return nil
}

// startsOf counts the suppressions that saving changes starts; before holds
// the entries as they were (missing: no entry).
func startsOf(before map[string]Entry, changes []Entry) rollup {
	r := rollup{}
	for _, e := range changes {
		if b, ok := before[e.Email]; ok {
			r.addStart(&b, e)
		} else {
			r.addStart(nil, e)
		}
	}
	return r
}
