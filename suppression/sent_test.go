package suppression

import (
	"context"
	"errors"
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
		// A retry of b1 with another count, and a new b3: b1 adds nothing.
		added, err = s.AddSent(ctx, []Sent{
			{ID: "b1", Stream: "news", Count: 999, At: at},
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
		for _, want := range []string{"item 1: stream \"bad stream\"", "count 0 must be", "id is longer", "at 2026-03-01T13:00:00Z is in the future"} {
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
	})
}

// Retention prunes sent counts older than retention.sent and keeps the
// newer ones (SQLite: on Postgres, Prune drops whole monthly partitions,
// and sent_counts is not partitioned yet).
func TestPruneSentCounts(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	ctx := context.Background()
	now := t0.AddDate(0, 0, 500)
	if _, err := s.AddSent(ctx, []Sent{{Stream: "news", Count: 5, At: t0}, {Stream: "news", Count: 7, At: now.AddDate(0, 0, -10)}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, Retention{Events: 400 * 24 * time.Hour, Ledger: 90 * 24 * time.Hour, Sent: 400 * 24 * time.Hour}, now, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.SentHours(ctx, t0.AddDate(-1, 0, 0), now)
	if err != nil || len(got) != 1 || got[0].Count != 7 {
		t.Errorf("after pruning 400 days: %+v, %v; want the 7 of 10 days ago only", got, err)
	}
}
