package suppression

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

func emails(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Email
	}
	return out
}

// seed records: a hard (a@x.test), a complaint (c@y.test), one soft (s@x.test,
// not suppressed), a block (b@y.test).
func seed(t *testing.T, s *Store) {
	t.Helper()
	arf := bounce("c", t0.Add(time.Hour), dsn.Recipient{FinalRecipient: "c@y.test", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback})
	arf.Report.Type = dsn.TypeARF
	mustRecord(t, s, t0, hard("a", "a@x.test", t0), arf, soft("s", "s@x.test", t0.Add(2*time.Hour)),
		bounce("b", t0, rcpt("b@y.test", dsn.ClassBlock, dsn.ReasonBlocked)))
}

// TestListClassIsTheCause checks Filter.Class selects a suppression by the
// class of the event that caused it, not by its last event: a hard
// suppression and a complaint suppression that later got soft bounces are
// not "soft"; an address suppressed by soft bounces is; with All, entries
// not suppressed match by the classes they count.
func TestListClassIsTheCause(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		arf := bounce("c", t0, dsn.Recipient{FinalRecipient: "c@y.test", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback})
		arf.Report.Type = dsn.TypeARF
		h := time.Hour
		mustRecord(t, s, t0, hard("a", "a@x.test", t0), arf,
			soft("a1", "a@x.test", t0.Add(h)), soft("c1", "c@y.test", t0.Add(h)), // last events soft
			soft("s1", "s@x.test", t0), soft("s2", "s@x.test", t0.Add(h)), soft("s3", "s@x.test", t0.Add(2*h)), // suppressed by soft
			soft("n1", "n@x.test", t0.Add(h)), hard("n2", "n@z.test", t0)) // n@x.test counting only
		if _, err := s.Add(ctx, "m@x.test", Manual{Reason: "asked"}, t0); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(3 * h)
		for _, tt := range []struct {
			f    Filter
			want []string
		}{
			{Filter{Class: "soft"}, []string{"s@x.test"}},
			{Filter{Class: "hard"}, []string{"a@x.test", "n@z.test"}},
			{Filter{Class: "complaint"}, []string{"c@y.test"}},
			{Filter{Class: "soft", All: true}, []string{"n@x.test", "s@x.test"}},
		} {
			p, err := s.List(ctx, tt.f, now)
			if err != nil || !slices.Equal(emails(p.Entries), tt.want) {
				t.Errorf("List(%+v) = %v, %v; want %v", tt.f, emails(p.Entries), err, tt.want)
			}
		}
		if _, err := s.List(ctx, Filter{Class: "bogus"}, now); !errors.Is(err, ErrBadFilter) {
			t.Errorf("List(class bogus) err = %v, want ErrBadFilter", err)
		}
	})
}

func TestList(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		seed(t, s)
		now := t0.Add(24 * time.Hour)
		tests := []struct {
			name string
			f    Filter
			want []string
		}{
			{"active", Filter{}, []string{"a@x.test", "c@y.test"}},
			{"all", Filter{All: true}, []string{"a@x.test", "b@y.test", "c@y.test", "s@x.test"}},
			{"reason", Filter{Reason: "feedback"}, []string{"c@y.test"}},
			{"reason all", Filter{Reason: "mailboxfull", All: true}, []string{"s@x.test"}},
			{"class", Filter{Class: "hard"}, []string{"a@x.test"}},
			{"domain", Filter{Domain: "X.TEST", All: true}, []string{"a@x.test", "s@x.test"}},
			{"since", Filter{Since: t0.Add(90 * time.Minute), All: true}, []string{"s@x.test"}},
		}
		for _, tt := range tests {
			p, err := s.List(ctx, tt.f, now)
			if err != nil || !slices.Equal(emails(p.Entries), tt.want) || p.Next != "" {
				t.Errorf("%s: List(%+v) = %v next %q, %v; want %v", tt.name, tt.f, emails(p.Entries), p.Next, err, tt.want)
			}
		}
		// Cursor pagination visits every entry once.
		var got []string
		f := Filter{All: true, Limit: 3}
		for range 5 {
			p, err := s.List(ctx, f, now)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, emails(p.Entries)...)
			if p.Next == "" {
				break
			}
			f.Cursor = p.Next
		}
		if want := []string{"a@x.test", "b@y.test", "c@y.test", "s@x.test"}; !slices.Equal(got, want) {
			t.Errorf("paged List = %v, want %v", got, want)
		}
		if _, err := s.List(ctx, Filter{Cursor: "!!"}, now); !errors.Is(err, ErrBadCursor) {
			t.Errorf("List(bad cursor) err = %v, want ErrBadCursor", err)
		}
	})
}

func TestCheck(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		seed(t, s)
		if _, err := s.AllowAdd(ctx, "Y.test", "our partner", t0); err != nil {
			t.Fatal(err)
		}
		res, err := s.Check(ctx, []string{"A@x.test", "s@x.test", "c@y.test", "new@z.test"}, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []CheckResult{
			{Email: "A@x.test", Address: "a@x.test", Suppressed: true, State: StateSuppressed, Reason: "userunknown", Source: SourceBounce},
			{Email: "s@x.test", Address: "s@x.test", State: StateDeliverable},
			{Email: "c@y.test", Address: "c@y.test", State: StateAllowlisted},
			{Email: "new@z.test", Address: "new@z.test", State: StateDeliverable},
		}
		if !slices.Equal(res, want) {
			t.Errorf("Check =\n%+v\nwant\n%+v", res, want)
		}
		// One malformed address is answered on its own; the rest still are.
		res, err = s.Check(ctx, []string{"A@x.test", "bad", "also bad@x", "new@z.test"}, t0.Add(time.Hour))
		if err != nil || len(res) != 4 {
			t.Fatalf("Check(with invalid) = %d results, %v; want 4, nil", len(res), err)
		}
		if !res[0].Suppressed || res[3].State != StateDeliverable {
			t.Errorf("Check(with invalid): valid answers %+v, %+v; want suppressed, deliverable", res[0], res[3])
		}
		for _, r := range res[1:3] {
			if r.State != StateInvalid || r.Error != "invalid address" || r.Detail == "" || r.Suppressed || r.Address != "" {
				t.Errorf("Check(%q) = %+v, want state invalid, error \"invalid address\" and a detail", r.Email, r)
			}
		}
	})
}

func TestManualAddRemove(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		e, err := s.Add(ctx, "Boss@Example.com", Manual{Reason: "asked us to stop", Note: "ticket 42"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if e.Email != "boss@example.com" || !e.Suppressed || e.Source != SourceManual || e.SuppressedReason != "asked us to stop" {
			t.Fatalf("Add = %+v", e)
		}
		// Automatic events count but never overwrite a manual entry.
		mustRecord(t, s, t0, soft("1", "boss@example.com", t0.Add(time.Hour)), soft("2", "boss@example.com", t0.Add(2*time.Hour)),
			soft("3", "boss@example.com", t0.Add(3*time.Hour)), hard("4", "boss@example.com", t0.Add(4*time.Hour)))
		e = mustEntry(t, s, "boss@example.com")
		if e.Source != SourceManual || e.SuppressedReason != "asked us to stop" || e.ExpiresAt != nil || e.SoftCount != 3 || e.HardCount != 1 || e.Note != "ticket 42" {
			t.Errorf("manual entry after events = %+v", e)
		}
		// Remove clears it; old events no longer count, new ones do.
		if e, err := s.Remove(ctx, "boss@example.com", t0.Add(5*time.Hour)); err != nil || e.Source != SourceManual {
			t.Fatalf("Remove = %+v, %v; want the source kept (manual)", e, err)
		}
		if e := mustEntry(t, s, "boss@example.com"); e.Source != SourceManual || e.Suppressed {
			t.Errorf("after Remove: source %q suppressed %v, want manual, false", e.Source, e.Suppressed)
		}
		res, _ := s.Check(ctx, []string{"boss@example.com"}, t0.Add(5*time.Hour))
		if res[0].Suppressed {
			t.Errorf("after Remove: still suppressed")
		}
		mustRecord(t, s, t0, soft("5", "boss@example.com", t0.Add(6*time.Hour)))
		if e := mustEntry(t, s, "boss@example.com"); e.Suppressed || e.SoftCount != 1 {
			t.Errorf("after Remove and one soft bounce: suppressed %v soft_count %d, want false, 1", e.Suppressed, e.SoftCount)
		}
		if _, err := s.Remove(ctx, "nobody@example.com", t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("Remove(unknown) err = %v, want ErrNotFound", err)
		}
	})
}

func TestAllowlist(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for _, in := range []string{"Partner.EXAMPLE", "vip@Example.org", "Bücher.example"} {
			if _, err := s.AllowAdd(ctx, in, "", t0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AllowAdd(ctx, "bad entry", "", t0); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("AllowAdd(bad) err = %v", err)
		}
		list, err := s.AllowList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			got = append(got, a.Entry)
		}
		if want := []string{"partner.example", "vip@example.org", "xn--bcher-kva.example"}; !slices.Equal(got, want) {
			t.Errorf("AllowList = %v, want %v", got, want)
		}
		res := mustRecord(t, s, t0, hard("1", "x@partner.example", t0), hard("2", "vip@example.org", t0), hard("3", "other@example.org", t0))
		if !slices.Equal(res.NewlySuppressed, []string{"other@example.org"}) {
			t.Errorf("NewlySuppressed = %v, want only other@example.org", res.NewlySuppressed)
		}
		if e := mustEntry(t, s, "x@partner.example"); e.Suppressed || e.HardCount != 1 {
			t.Errorf("allowlisted entry = %+v, want counted, not suppressed", e)
		}
		if d, err := s.Get(ctx, "x@partner.example"); err != nil || !d.Allowlisted || len(d.Events) != 1 {
			t.Errorf("Get(allowlisted) = %+v, %v; want allowlisted with its event", d, err)
		}
		if d, err := s.Get(ctx, "other@example.org"); err != nil || d.Allowlisted {
			t.Errorf("Get(not allowlisted) = %+v, %v", d, err)
		}
		if _, err := s.Add(ctx, "vip@example.org", Manual{}, t0); !errors.Is(err, ErrAllowlisted) {
			t.Errorf("Add(allowlisted) err = %v, want ErrAllowlisted", err)
		}
		if err := s.AllowRemove(ctx, "VIP@example.org", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.AllowRemove(ctx, "vip@example.org", t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("second AllowRemove err = %v, want ErrNotFound", err)
		}
	})
}

func TestActiveSuppressionsView(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		mustRecord(t, s, now, hard("1", "dead@example.com", now.Add(-time.Hour)), hard("2", "friend@partner.example", now.Add(-time.Hour)))
		past := now.Add(-time.Minute)
		if _, err := s.Add(ctx, "expired@example.com", Manual{ExpiresAt: &past}, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AllowAdd(ctx, "partner.example", "", now); err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := s.rdb.SelectContext(ctx, &got, `SELECT email FROM active_suppressions ORDER BY email`); err != nil {
			t.Fatal(err)
		}
		if want := []string{"dead@example.com"}; !slices.Equal(got, want) {
			t.Errorf("active_suppressions = %v, want %v", got, want)
		}
	})
}

func TestRecompute(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		// Two soft bounces: not suppressed at threshold 3, suppressed at 2.
		mustRecord(t, s, t0, soft("1", "two@example.com", t0), soft("2", "two@example.com", t0.Add(time.Hour)),
			hard("3", "dead@example.com", t0))
		if _, err := s.Add(ctx, "manual@example.com", Manual{}, t0); err != nil {
			t.Fatal(err)
		}
		unchanged, err := s.Recompute(ctx, s.Policy(), t0, true)
		if err != nil || len(unchanged) != 0 {
			t.Fatalf("Recompute under the same policy = %+v, %v; want no change", unchanged, err)
		}
		p := DefaultPolicy()
		p.SoftThreshold = 2
		changes, err := s.Recompute(ctx, p, t0, true)
		if err != nil || len(changes) != 1 || changes[0].Email != "two@example.com" || !changes[0].After.Suppressed || changes[0].Before.Suppressed {
			t.Fatalf("dry run = %+v, %v; want two@example.com to become suppressed", changes, err)
		}
		if e := mustEntry(t, s, "two@example.com"); e.Suppressed {
			t.Errorf("dry run wrote: %+v", e)
		}
		if _, err := s.Recompute(ctx, p, t0, false); err != nil {
			t.Fatal(err)
		}
		if e := mustEntry(t, s, "two@example.com"); !e.Suppressed || !e.SuppressedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after Recompute: %+v, want suppressed at the second bounce", e)
		}
		// Allowlisting then recomputing lifts the automatic suppression, not the manual one.
		if _, err := s.AllowAdd(ctx, "example.com", "", t0); err != nil {
			t.Fatal(err)
		}
		changes, err = s.Recompute(ctx, p, t0, false)
		if err != nil {
			t.Fatal(err)
		}
		var changed []string
		for _, c := range changes {
			changed = append(changed, c.Email)
		}
		if want := []string{"dead@example.com", "two@example.com"}; !slices.Equal(changed, want) {
			t.Errorf("Recompute after allowlisting changed %v, want %v", changed, want)
		}
		if e := mustEntry(t, s, "manual@example.com"); !e.Suppressed || e.Source != SourceManual {
			t.Errorf("manual entry after Recompute = %+v", e)
		}
	})
}

func TestRecomputePages(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		n := 2*recomputePage + 1
		var msgs []Message
		for i := range n {
			addr := fmt.Sprintf("u%04d@example.com", i)
			msgs = append(msgs, soft(addr+"-1", addr, t0), soft(addr+"-2", addr, t0.Add(time.Hour)))
		}
		mustRecord(t, s, t0, msgs...)
		p := DefaultPolicy()
		p.SoftThreshold = 2
		var progress [][2]int // (done, total) as reported after each page
		changes, err := s.RecomputeProgress(ctx, p, t0, false, func(done, total int) { progress = append(progress, [2]int{done, total}) })
		if err != nil || len(changes) != n {
			t.Fatalf("Recompute changed %d addresses (%v), want %d", len(changes), err, n)
		}
		if want := [][2]int{{recomputePage, n}, {2 * recomputePage, n}, {n, n}}; !slices.Equal(progress, want) {
			t.Errorf("progress reported %v, want %v (after each page, of every address)", progress, want)
		}
		for i, c := range changes {
			if want := fmt.Sprintf("u%04d@example.com", i); c.Email != want || !c.After.Suppressed {
				t.Fatalf("change %d = %s suppressed %v, want %s suppressed", i, c.Email, c.After.Suppressed, want)
			}
		}
		if again, _ := s.Recompute(ctx, p, t0, true); len(again) != 0 {
			t.Errorf("second Recompute would change %d addresses, want 0", len(again))
		}
	})
}

func TestRecomputeCountsEventsWithoutEntry(t *testing.T) {
	dialects(t, Options{Policy: &Policy{RequireVerified: true}}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, hard("u", "unsigned@example.com", t0))
		if res, _ := s.Check(ctx, []string{"unsigned@example.com"}, t0); res[0].Suppressed {
			t.Fatal("unverified bounce suppressed under require_verified")
		}
		changes, err := s.Recompute(ctx, DefaultPolicy(), t0, false)
		if err != nil || len(changes) != 1 || changes[0].Before != nil || !changes[0].After.Suppressed {
			t.Fatalf("Recompute without require_verified = %+v, %v; want unsigned@example.com created, suppressed", changes, err)
		}
		if res, _ := s.Check(ctx, []string{"unsigned@example.com"}, t0); !res[0].Suppressed {
			t.Error("not suppressed after Recompute")
		}
	})
}
