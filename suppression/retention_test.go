package suppression

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/migrations"
)

// allEntries returns every entry, by address.
func allEntries(t *testing.T, s *Store) map[string]Entry {
	t.Helper()
	es, err := scanAll(context.Background(), s.rdb, (*Entry).dests, `SELECT `+entryCols+` FROM suppressions`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Entry{}
	for _, e := range es {
		out[e.Email] = e
	}
	return out
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.rdb.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Pruning removes the events and ledger rows past their retention, never
// changes an entry's counters or state, notes the horizon, and a second
// run finds nothing more; a dry run changes nothing.
func TestPruneKeepsCounters(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		late := t0.AddDate(0, 0, 200)
		mustRecord(t, s, late, hard("k1", "a@example.com", t0), soft("k2", "b@example.com", t0), soft("k3", "b@example.com", late),
			hard("k4", "c@example.com", late))
		before := allEntries(t, s)
		now := t0.AddDate(0, 0, 450)
		r := Retention{Events: 400 * 24 * time.Hour, Ledger: 90 * 24 * time.Hour}
		dry, err := s.Prune(ctx, r, now, true)
		if err != nil || dry.Skipped || dry.Tables[0].Rows != 2 {
			t.Fatalf("dry Prune = %+v, %v; want 2 events to go", dry, err)
		}
		if n := countRows(t, s, "bounce_events"); n != 4 {
			t.Fatalf("a dry run deleted events: %d left", n)
		}
		res, err := s.Prune(ctx, r, now, false)
		if err != nil || res.Skipped {
			t.Fatalf("Prune = %+v, %v", res, err)
		}
		if n := countRows(t, s, "bounce_events"); n != 2 {
			t.Errorf("events after prune: %d, want 2 (those of %s)", n, late.Format(time.DateOnly))
		}
		if n := countRows(t, s, "processed_messages"); n != 0 {
			t.Errorf("ledger rows after prune: %d, want 0", n)
		}
		if after := allEntries(t, s); !reflect.DeepEqual(before, after) {
			t.Errorf("entries changed by prune:\nbefore %+v\nafter  %+v", before, after)
		}
		h, err := s.Horizon(ctx, "bounce_events")
		if want := now.Add(-r.Events); err != nil || h == nil || !h.Equal(want) {
			t.Errorf("Horizon = %v, %v; want %v", h, err, want)
		}
		again, err := s.Prune(ctx, r, now, false)
		if err != nil || again.Tables[0].Rows != 0 || again.Tables[1].Rows != 0 || len(again.Tables[0].Dropped) != 0 {
			t.Errorf("second Prune = %+v, %v; want nothing pruned", again, err)
		}
		mustRecord(t, s, now, hard("k5", "d@example.com", now))
		if e := mustEntry(t, s, "d@example.com"); !e.Suppressed {
			t.Errorf("a bounce after the prune did not suppress: %+v", e)
		}
	})
}

// A message's key makes a redelivery a duplicate for as long as the ledger
// keeps it, whatever month it was received in; once Prune removes keys past
// retention.ledger (Postgres: from processed_keys), a redelivery counts
// again, and a key still within the retention stays known.
func TestPruneLedgerKeys(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		early, late := t0, t0.AddDate(0, 2, 0) // months apart: different partitions on Postgres
		mustRecord(t, s, early, hard("k1", "a@example.com", early))
		mustRecord(t, s, late, hard("k2", "b@example.com", late))
		if res := mustRecord(t, s, late, hard("k1", "a@example.com", late), hard("k2", "b@example.com", late)); res.Duplicates != 2 || res.Events != 0 {
			t.Fatalf("redelivered before any prune: %+v; want 2 duplicates", res)
		}
		now := early.AddDate(0, 0, 40)
		res, err := s.Prune(ctx, Retention{Ledger: 30 * 24 * time.Hour}, now, false)
		if err != nil {
			t.Fatal(err)
		}
		if s.dialect == migrations.Postgres {
			i := slices.IndexFunc(res.Tables, func(tp TablePrune) bool { return tp.Table == "processed_keys" })
			if i < 0 || res.Tables[i].Rows != 1 {
				t.Errorf("Prune = %+v; want one key of processed_keys pruned", res.Tables)
			}
		}
		if res := mustRecord(t, s, now, hard("k1", "a@example.com", now)); res.Duplicates != 0 || res.Events != 1 {
			t.Errorf("redelivered after its key was pruned: %+v; want it counted", res)
		}
		if res := mustRecord(t, s, now, hard("k2", "b@example.com", now)); res.Duplicates != 1 || res.Events != 0 {
			t.Errorf("redelivered within the retention: %+v; want a duplicate", res)
		}
	})
}

// Prune refuses an event retention under 90 days, and skips while another
// holder has its lock.
func TestPruneGuards(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.Prune(ctx, Retention{Events: 89 * 24 * time.Hour}, t0, false); !errors.Is(err, ErrRetentionTooShort) || !strings.HasSuffix(err.Error(), ": 89d") {
			t.Errorf("Prune with 89 days = %v, want ErrRetentionTooShort naming 89d", err)
		}
		unlock, ok, err := s.TryLock(ctx, PruneLock)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		other := openAgain(t, s)
		if res, err := other.Prune(ctx, Retention{Events: MinEventRetention}, t0, false); err != nil || !res.Skipped {
			t.Errorf("Prune while another holds the lock = %+v, %v; want skipped", res, err)
		}
		unlock()
	})
}

// openAgain opens a second store on s's database (another process).
func openAgain(t *testing.T, s *Store) *Store {
	t.Helper()
	if s.dialect == "sqlite" {
		var file string
		if err := s.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
			t.Fatal(err)
		}
		o, err := Open(context.Background(), "sqlite:"+file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { o.Close() })
		return o
	}
	return s // Postgres: advisory locks exclude other sessions of this store as well
}

// Once events are pruned, recompute keeps the entries first seen before
// the horizon (their events are gone) and refuses a policy whose soft
// window reaches past it.
func TestRecomputeAfterPrune(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		late := t0.AddDate(0, 0, 200)
		mustRecord(t, s, late, hard("k1", "a@example.com", t0), hard("k2", "c@example.com", late))
		now := t0.AddDate(0, 0, 450)
		if _, err := s.Prune(ctx, Retention{Events: 400 * 24 * time.Hour}, now, false); err != nil {
			t.Fatal(err)
		}
		changes, err := s.Recompute(ctx, s.Policy(), now, false)
		if err != nil || len(changes) != 0 {
			t.Errorf("Recompute after prune = %+v, %v; want no change", changes, err)
		}
		if e := mustEntry(t, s, "a@example.com"); !e.Suppressed || e.HardCount != 1 {
			t.Errorf("entry first seen before the horizon changed: %+v", e)
		}
		wide := s.Policy()
		wide.SoftWindow = 500 * 24 * time.Hour
		if _, err := s.Recompute(ctx, wide, now, true); !errors.Is(err, ErrWindowBeyondRetention) || !strings.Contains(err.Error(), "soft window 500d reaches") {
			t.Errorf("Recompute with a 500-day window = %v, want ErrWindowBeyondRetention naming 500d", err)
		}
	})
}

// SQLite deletes in batches by rowid: every old row goes, the new ones
// stay, whatever the batch size.
func TestPruneSQLiteBatches(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	var msgs []Message
	for i := range 20000 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i%2 == 1 {
			at = t0.AddDate(1, 0, 0)
		}
		msgs = append(msgs, bounce(fmt.Sprintf("k%d", i), at, rcpt(fmt.Sprintf("a%d@example.com", i), "ignore", "vacation")))
	}
	mustRecord(t, s, t0, msgs...)
	res, err := s.Prune(context.Background(), Retention{Events: MinEventRetention}, t0.AddDate(0, 6, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	if ev := res.Tables[0]; ev.Rows != 10000 || ev.Batches < 2 || countRows(t, s, "bounce_events") != 10000 {
		t.Errorf("Prune = %+v; want 10,000 of 20,000 events deleted in several batches", ev)
	}
}

// On Postgres pruning drops whole months, deletes the old rows of the
// table converted by the migration, creates the months ahead, and moves
// rows of a new month out of the default partition.
func TestPrunePartitions(t *testing.T) {
	s := openTest(t, "postgres", Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	month := monthStart(now)
	names := func(table string) []string {
		parts, err := s.partitions(ctx, s.rdb, table)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range parts {
			out = append(out, p.name)
		}
		return out
	}
	p := func(m time.Time) string { return "bounce_events_p" + m.Format("2006_01") }
	r := Retention{Events: 400 * 24 * time.Hour, Ledger: 400 * 24 * time.Hour}
	res, err := s.Prune(ctx, r, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Tables[0].Created; len(got) != 0 {
		t.Errorf("created %q, want none: the migration made the months ahead", got)
	}
	next := month.AddDate(0, 1, 0)
	mustRecord(t, s, now, hard("e1", "a@example.com", next.Add(time.Hour)), hard("e2", "b@example.com", now.Add(-time.Hour)),
		hard("e3", "c@example.com", now.AddDate(10, 0, 0)))
	later := month.AddDate(0, 2, 0).Add(r.Events + 24*time.Hour)
	res, err = s.Prune(ctx, r, later, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := res.Tables[0].Dropped; !slices.Contains(d, "bounce_events_before") || !slices.Contains(d, p(next)) || slices.Contains(d, p(month.AddDate(0, 2, 0))) {
		t.Errorf("dropped %q, want bounce_events_before and %s, not the month the cutoff falls in", d, p(next))
	}
	if n := countRows(t, s, "bounce_events"); n != 1 {
		t.Errorf("%d events left, want the far future one", n)
	}
	if ns := names("bounce_events"); !slices.Contains(ns, p(monthStart(later).AddDate(0, monthsAhead, 0))) {
		t.Errorf("partitions %q lack the months ahead of %s", ns, later)
	}
	far := monthStart(later).AddDate(0, monthsAhead+2, 0)
	mustRecord(t, s, later, hard("e4", "d@example.com", far.Add(time.Hour)))
	if _, err := s.Prune(ctx, r, far, false); err != nil {
		t.Fatal(err)
	}
	var where string
	if err := s.rdb.QueryRowContext(ctx, `SELECT tableoid::regclass::text FROM bounce_events WHERE message_key = 'e4'`).Scan(&where); err != nil || where != p(far) {
		t.Errorf("a row of a new month is in %q (%v), want %s", where, err, p(far))
	}
}

// Prune turns on autosummarize for the BRIN indexes of every partition,
// those the migrations made and those it creates, so a day's report reads
// that day's block ranges as soon as they fill.
func TestPruneAutosummarize(t *testing.T) {
	s := openTest(t, "postgres", Options{})
	ctx := context.Background()
	without := func() []string {
		var out []string
		for _, table := range []string{"bounce_events", "processed_messages"} {
			var idxs []string
			if err := s.db.SelectContext(ctx, &idxs, brinWithoutAutosummarizeSQL, table); err != nil {
				t.Fatal(err)
			}
			out = append(out, idxs...)
		}
		return out
	}
	if got := without(); len(got) == 0 {
		t.Fatal("no BRIN index without autosummarize before the first prune: the test checks nothing")
	}
	r := Retention{Events: 400 * 24 * time.Hour, Ledger: 400 * 24 * time.Hour}
	for _, now := range []time.Time{time.Now(), time.Now().AddDate(0, 7, 0)} { // the second creates months
		res, err := s.Prune(ctx, r, now, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := without(); len(got) > 0 {
			t.Errorf("after Prune at %s (created %q): BRIN indexes without autosummarize: %q", now.Format(time.DateOnly), res.Tables[0].Created, got)
		}
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM pg_class c JOIN pg_am a ON a.oid = c.relam
		WHERE a.amname = 'brin' AND c.relkind = 'i' AND 'autosummarize=on' = ANY(c.reloptions)`); err != nil || n < 2*(monthsAhead+3) {
		t.Errorf("%d BRIN indexes with autosummarize (%v), want those of every partition of both tables", n, err)
	}
}
