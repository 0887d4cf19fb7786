package suppression

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/migrations"
)

// Counts add up per stream and hour; a count with an id already recorded
// adds nothing; the hour is the UTC hour of its time.
func TestAddSent(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		at := t0.Add(25 * time.Minute) // 12:25
		added, err := s.AddSent(ctx, []Sent{
			{Stream: "News", Count: 100, At: at},
			{ID: "b1", Stream: "news", Count: 50, At: at.Add(30 * time.Minute)}, // 12:55
			{ID: "b2", Stream: "receipts", Count: 7, At: at.Add(time.Hour)},     // 13:25
		}, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, true}; !slices.Equal(added, want) {
			t.Errorf("added %v, want %v", added, want)
		}
		// A retry of b1 (the same count, at another minute of its hour)
		// and a new b3: b1 adds nothing.
		added, err = s.AddSent(ctx, []Sent{
			{ID: "b1", Stream: "news", Count: 50, At: at},
			{ID: "b3", Stream: "news", Count: 1, At: at},
		}, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{false, true}; !slices.Equal(added, want) {
			t.Errorf("retry: added %v, want %v", added, want)
		}
		got, err := s.SentHours(ctx, t0, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []SentHour{
			{Stream: "news", Hour: t0, Count: 151},
			{Stream: "receipts", Hour: t0.Add(time.Hour), Count: 7},
		}
		if len(got) != len(want) {
			t.Fatalf("SentHours = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].Stream != want[i].Stream || !got[i].Hour.Equal(want[i].Hour) || got[i].Count != want[i].Count {
				t.Errorf("SentHours[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
		if got, err := s.SentHours(ctx, t0.Add(time.Hour), t0.Add(2*time.Hour)); err != nil || len(got) != 1 {
			t.Errorf("SentHours of 13:00 = %+v, %v; want the receipts hour only", got, err)
		}
	})
}

// An invalid item names what is wrong and its index, and nothing of the
// batch is recorded.
func TestAddSentInvalid(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		_, err := s.AddSent(ctx, []Sent{
			{Stream: "news", Count: 5, At: t0},
			{Stream: "bad stream", Count: 0, At: t0.Add(time.Hour), ID: strings.Repeat("x", MaxSentID+1)},
		}, t0)
		if !errors.Is(err, ErrInvalidSent) {
			t.Fatalf("err = %v, want ErrInvalidSent", err)
		}
		for _, want := range []string{"item 1: stream \"bad stream\"", "count 0 must be", "id is longer", "at 2026-03-01T13:00:00Z is more than 5m in the future"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err %q does not say %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "item 0") {
			t.Errorf("err %q blames the valid item 0", err)
		}
		if got, err := s.SentHours(ctx, t0.Add(-time.Hour), t0.Add(time.Hour)); err != nil || len(got) != 0 {
			t.Errorf("after a refused batch SentHours = %+v, %v; want nothing", got, err)
		}
	})
}

// Ids are one namespace across streams: an id recorded before for another
// stream, count or hour is refused with the id and what differs, and
// nothing of its batch is recorded; an exact repeat still adds nothing
// without an error.
func TestAddSentIDReused(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := t0.Add(2 * time.Hour)
		if _, err := s.AddSent(ctx, []Sent{{ID: "nl-1", Stream: "newsletter", Count: 5000, At: t0}}, now); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			v    Sent
			want string
		}{
			{Sent{ID: "nl-1", Stream: "t", Count: 5000, At: t0}, "this count has stream t:"},
			{Sent{ID: "nl-1", Stream: "newsletter", Count: 5, At: t0}, "this count has count 5:"},
			{Sent{ID: "nl-1", Stream: "newsletter", Count: 5000, At: t0.Add(time.Hour)}, "this count has hour 2026-03-01 13:00 UTC:"},
			{Sent{ID: "nl-1", Stream: "t", Count: 5, At: t0}, "this count has stream t, count 5:"},
		} {
			_, err := s.AddSent(ctx, []Sent{tt.v}, now)
			if !errors.Is(err, ErrSentIDReused) || !strings.Contains(err.Error(), tt.want) ||
				!strings.Contains(err.Error(), `id "nl-1" was recorded before for stream newsletter, count 5000, hour 2026-03-01 12:00 UTC`) {
				t.Errorf("AddSent(%+v) = %v; want ErrSentIDReused saying what nl-1 was and %q", tt.v, err, tt.want)
			}
		}
		_, err := s.AddSent(ctx, []Sent{
			{ID: "fresh", Stream: "receipts", Count: 3, At: t0},
			{ID: "nl-1", Stream: "receipts", Count: 5000, At: t0},
		}, now)
		if !errors.Is(err, ErrSentIDReused) || !strings.HasPrefix(ClientMessage(err), `item 1: id "nl-1"`) {
			t.Errorf("batch reusing nl-1 = %v; want ErrSentIDReused naming item 1", err)
		}
		added, err := s.AddSent(ctx, []Sent{{ID: "nl-1", Stream: "newsletter", Count: 5000, At: t0.Add(59 * time.Minute)}}, now)
		if err != nil || added[0] {
			t.Errorf("exact repeat of nl-1 = %v, %v; want nothing added, no error", added, err)
		}
		got, err := s.SentHours(ctx, t0.Add(-time.Hour), now)
		if err != nil || len(got) != 1 || got[0].Stream != "newsletter" || got[0].Count != 5000 {
			t.Errorf("SentHours = %+v, %v; want newsletter 5000 only (nothing of the refused batches)", got, err)
		}
	})
}

// A count for an hour retention.sent would prune is refused, naming the
// retention; the oldest hour it keeps is accepted.
func TestAddSentPastRetention(t *testing.T) {
	keep := 400 * 24 * time.Hour
	dialects(t, Options{Retention: Retention{Sent: keep}}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := t0.Add(30 * time.Minute)
		_, err := s.AddSent(ctx, []Sent{{Stream: "news", Count: 1, At: now.Add(-keep).Add(-time.Hour)}}, now)
		if !errors.Is(err, ErrInvalidSent) || !strings.Contains(err.Error(), "is older than retention.sent (400d) keeps sent counts: the hours before 2025-01-25T12:30:00Z are pruned") {
			t.Errorf("a count 400 days and an hour old: %v; want refused naming retention.sent", err)
		}
		if _, err := s.AddSent(ctx, []Sent{{Stream: "news", Count: 1, At: now.Add(-keep).Add(30 * time.Minute)}}, now); err != nil {
			t.Errorf("a count in the oldest kept hour: %v", err)
		}
	})
}

// The table refuses an hour that is not whole, as an app's own INSERT
// might write: rates sum whole hours.
func TestSentCountsWholeHour(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		_, err := s.db.ExecContext(context.Background(), s.q(`INSERT INTO sent_counts (stream, hour, count) VALUES ('news', ?, 1)`), s.tv(t0.Add(time.Minute)))
		if err == nil {
			t.Error("an hour at 12:01 was accepted")
		}
		_, err = s.db.ExecContext(context.Background(), s.q(`INSERT INTO sent_counts (stream, hour, count) VALUES ('news', ?, 1)`), s.tv(t0))
		if err != nil {
			t.Errorf("a whole hour was refused: %v", err)
		}
	})
}

// On SQLite the hour is the exact text docs/rates.md gives: its example
// passes, the other forms it names fail the check it names.
func TestSentCountsHourTextSQLite(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	insert := func(hour string) error {
		_, err := s.db.ExecContext(context.Background(), `INSERT INTO sent_counts (stream, hour, count) VALUES ('news', `+hour+`, 1)`)
		return err
	}
	for _, ok := range []string{`'2026-12-07 09:00:00.000'`, `strftime('%Y-%m-%d %H:00:00.000', 'now')`} {
		if err := insert(ok); err != nil {
			t.Errorf("hour %s: %v", ok, err)
		}
	}
	for _, bad := range []string{`'2026-12-07 09:00:00'`, `'2026-12-07T09:00:00Z'`, `datetime('now', 'start of day')`} {
		if err := insert(bad); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed: sent_counts_hour_whole") {
			t.Errorf("hour %s: %v; want CHECK constraint failed: sent_counts_hour_whole", bad, err)
		}
	}
	doc, err := os.ReadFile("../docs/rates.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{"`'2026-12-07 09:00:00.000'`", "`'2026-12-07 09:00:00'`", "`'2026-12-07T09:00:00Z'`", "`datetime('now', 'start of day')`", "`CHECK constraint failed: sent_counts_hour_whole`"} {
		if !strings.Contains(strings.Join(strings.Fields(string(doc)), " "), form) {
			t.Errorf("docs/rates.md no longer names %s", form)
		}
	}
}

// docs/rates.md's plain SQL for apps that share the database adds to the
// current hour on each dialect.
func TestDocsSentSQL(t *testing.T) {
	b, err := os.ReadFile("../docs/rates.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(b), "```sql\n")
	block, _, _ = strings.Cut(block, "```")
	pg, lite, ok := strings.Cut(block, "-- SQLite")
	if !ok || !strings.Contains(pg, "-- Postgres") {
		t.Fatalf("docs/rates.md: no sql block with a Postgres and an SQLite part:\n%s", block)
	}
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		stmt := lite
		if s.dialect == migrations.Postgres {
			stmt = pg
		}
		for range 2 {
			if _, err := s.db.ExecContext(context.Background(), stmt); err != nil {
				t.Fatalf("docs SQL: %v\n%s", err, stmt)
			}
		}
		now := time.Now()
		got, err := s.SentHours(context.Background(), now.Add(-time.Hour), now.Add(time.Hour))
		var sum int64
		for _, h := range got {
			sum += h.Count
		}
		if err != nil || sum != 10000 {
			t.Errorf("after the docs SQL twice: %+v, %v; want 10000 sent by newsletter", got, err)
		}
		if s.dialect == migrations.Postgres {
			docsSQLInMonth(t, s, pg)
		}
	})
}

// docsSQLInMonth runs docs/rates.md's Postgres statement twice for an hour
// of next month, whose row lies in a monthly partition of sent_counts (the
// current month's lies in the table converted by migration 00067).
func docsSQLInMonth(t *testing.T, s *Store, stmt string) {
	t.Helper()
	next := monthStart(time.Now()).AddDate(0, 1, 0)
	at := next.Add(90 * time.Minute)
	if strings.Count(stmt, "now()") != 1 {
		t.Fatalf("docs SQL does not name now() once:\n%s", stmt)
	}
	stmt = strings.Replace(stmt, "now()", "'"+at.Format(time.RFC3339)+"'::timestamptz", 1)
	for range 2 {
		if _, err := s.db.ExecContext(context.Background(), stmt); err != nil {
			t.Fatalf("docs SQL: %v\n%s", err, stmt)
		}
	}
	var part string
	var n int64
	err := s.rdb.QueryRowContext(context.Background(), `SELECT tableoid::regclass::text, count FROM sent_counts WHERE hour = $1`, next.Add(time.Hour)).Scan(&part, &n)
	if want := "sent_counts_p" + next.Format("2006_01"); err != nil || part != want || n != 10000 {
		t.Errorf("after the docs SQL twice for %s: %d in %q, %v; want 10000 in %s", at, n, part, err, want)
	}
}

// Retention prunes the sent counts older than retention.sent and the ids
// of the counts received longer ago than retention.ledger, and keeps the
// newer ones; a count retried with a pruned id adds again (the trade-off
// docs/operations.md states), one retried with a kept id does not.
func TestPruneSentCounts(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := t0.AddDate(0, 0, 500)
		recent := now.AddDate(0, 0, -10)
		if _, err := s.AddSent(ctx, []Sent{{ID: "old", Stream: "news", Count: 5, At: t0}}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSent(ctx, []Sent{{ID: "new", Stream: "news", Count: 7, At: recent}}, recent); err != nil {
			t.Fatal(err)
		}
		r := Retention{Events: 400 * 24 * time.Hour, Ledger: 90 * 24 * time.Hour, Sent: 400 * 24 * time.Hour}
		res, err := s.Prune(ctx, r, now, false)
		if err != nil {
			t.Fatal(err)
		}
		if ids := tablePrune(t, res, "sent_count_ids"); ids.Rows != 1 || !ids.Before.Equal(now.Add(-r.Ledger)) {
			t.Errorf("sent_count_ids pruned %+v, want 1 row received before %s", ids, now.Add(-r.Ledger))
		}
		got, err := s.SentHours(ctx, t0.AddDate(-1, 0, 0), now)
		if err != nil || len(got) != 1 || got[0].Count != 7 {
			t.Errorf("after pruning 400 days: %+v, %v; want the 7 of 10 days ago only", got, err)
		}
		if n := countRows(t, s, "sent_count_ids"); n != 1 {
			t.Errorf("%d ids left, want the one received 10 days ago", n)
		}
		added, err := s.AddSent(ctx, []Sent{{ID: "old", Stream: "news", Count: 5, At: now}, {ID: "new", Stream: "news", Count: 7, At: recent}}, now)
		if err != nil || !slices.Equal(added, []bool{true, false}) {
			t.Errorf("retries after the prune added %v, %v; want the pruned id's only", added, err)
		}
	})
}

// tablePrune returns what res did to table.
func tablePrune(t *testing.T, res PruneResult, table string) TablePrune {
	t.Helper()
	for _, tp := range res.Tables {
		if tp.Table == table {
			return tp
		}
	}
	t.Fatalf("prune result %+v has no %s", res, table)
	return TablePrune{}
}

// SQLite deletes old sent counts and ids in batches by rowid like the
// events (each batch a short write transaction): every old row goes, the
// new ones stay, whatever their order in the table.
func TestPruneSentSQLiteBatches(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	ctx := context.Background()
	old, recent := t0, t0.AddDate(1, 0, 0)
	const chunk, chunks, streams = 1000, 20, 10
	for c := range chunks { // chunks of old and recent rows in turn
		base := old
		if c%2 == 1 {
			base = recent
		}
		items := make([]Sent, chunk)
		for j := range items {
			i := c/2*chunk + j
			items[j] = Sent{ID: fmt.Sprintf("c%d-%d", c, j), Stream: fmt.Sprintf("s%d", i%streams), Count: 3, At: base.Add(time.Duration(i/streams) * time.Hour)}
		}
		if _, err := s.AddSent(ctx, items, base.Add(chunks*chunk/streams*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	now := recent.AddDate(0, 0, 50)
	res, err := s.Prune(ctx, Retention{Ledger: 100 * 24 * time.Hour, Sent: 100 * 24 * time.Hour}, now, false)
	if err != nil {
		t.Fatal(err)
	}
	const half = chunks * chunk / 2
	for _, table := range []string{"sent_counts", "sent_count_ids"} {
		if tp := tablePrune(t, res, table); tp.Rows != half || tp.Batches < 2 || countRows(t, s, table) != half {
			t.Errorf("%s: Prune = %+v, %d rows left; want %d of %d deleted in several batches", table, tp, countRows(t, s, table), half, 2*half)
		}
	}
	got, err := s.SentHours(ctx, recent, now)
	var sum int64
	for _, h := range got {
		sum += h.Count
	}
	if err != nil || sum != 3*half {
		t.Errorf("recent counts after the prune: %d, %v; want %d", sum, err, 3*half)
	}
}

// On Postgres sent_counts is partitioned by month like the events
// (migration 00067): prune drops whole months past retention.sent (and the
// table the migration converted, once all of it is), creates the months
// ahead, and moves the counts of a new month out of the default partition.
func TestPruneSentPartitions(t *testing.T) {
	s := openTest(t, "postgres", Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	month := monthStart(now)
	p := func(m time.Time) string { return "sent_counts_p" + m.Format("2006_01") }
	add := func(stream string, at time.Time) {
		t.Helper()
		if _, err := s.AddSent(ctx, []Sent{{Stream: stream, Count: 5, At: at}}, at); err != nil {
			t.Fatal(err)
		}
	}
	where := func(stream string) string {
		t.Helper()
		var part string
		if err := s.rdb.QueryRowContext(ctx, `SELECT tableoid::regclass::text FROM sent_counts WHERE stream = $1`, stream).Scan(&part); err != nil {
			t.Fatalf("the count of %s: %v", stream, err)
		}
		return part
	}
	r := Retention{Sent: 400 * 24 * time.Hour}
	res, err := s.Prune(ctx, r, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := tablePrune(t, res, "sent_counts").Created; len(got) != 0 {
		t.Errorf("created %q, want none: the migration made the months ahead", got)
	}
	next := month.AddDate(0, 1, 0)
	add("old", now.Add(-time.Hour))
	add("next", next.Add(time.Hour))
	add("far", now.AddDate(10, 0, 0))
	for stream, want := range map[string]string{"old": "sent_counts_before", "next": p(next), "far": "sent_counts_default"} {
		if got := where(stream); got != want {
			t.Errorf("the count of %s is in %s, want %s", stream, got, want)
		}
	}
	later := month.AddDate(0, 2, 0).Add(r.Sent + 24*time.Hour)
	res, err = s.Prune(ctx, r, later, false)
	if err != nil {
		t.Fatal(err)
	}
	sent := tablePrune(t, res, "sent_counts")
	if d := sent.Dropped; !slices.Contains(d, "sent_counts_before") || !slices.Contains(d, p(next)) || slices.Contains(d, p(month.AddDate(0, 2, 0))) {
		t.Errorf("dropped %q, want sent_counts_before and %s, not the month the cutoff falls in", d, p(next))
	}
	if n := countRows(t, s, "sent_counts"); n != 1 {
		t.Errorf("%d counts left, want the far future one", n)
	}
	if ahead := p(monthStart(later).AddDate(0, monthsAhead, 0)); !slices.Contains(sent.Created, ahead) {
		t.Errorf("created %q, want the months ahead of %s up to %s", sent.Created, later, ahead)
	}
	farther := monthStart(later).AddDate(0, monthsAhead+2, 0)
	add("farther", farther.Add(time.Hour))
	if _, err := s.Prune(ctx, r, farther, false); err != nil {
		t.Fatal(err)
	}
	if got := where("farther"); got != p(farther) {
		t.Errorf("a count of a new month is in %s, want %s", got, p(farther))
	}
}
