package suppression

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// pages walks every page of f and returns the addresses in order.
func pages(t *testing.T, s *Store, f Filter, now time.Time) []string {
	t.Helper()
	var got []string
	for range 100 {
		p, err := s.List(context.Background(), f, now)
		if err != nil {
			t.Fatalf("List(%+v): %v", f, err)
		}
		if len(p.Entries) > f.Limit {
			t.Fatalf("page of %d entries, limit %d", len(p.Entries), f.Limit)
		}
		got = append(got, emails(p.Entries)...)
		if p.Next == "" {
			return got
		}
		f.Cursor = p.Next
	}
	t.Fatal("more than 100 pages")
	return nil
}

func TestListSearchStatesSorts(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		seed(t, s) // a@x.test hard, c@y.test complaint, s@x.test soft, b@y.test block
		var msgs []Message
		for i := range 7 {
			msgs = append(msgs, hard(fmt.Sprint("h", i), fmt.Sprintf("user%d@mail%d.example", i, i%3), t0.Add(time.Duration(i)*time.Minute)))
		}
		mustRecord(t, s, t0, msgs...)
		exp := t0.Add(time.Hour)
		if _, err := s.Add(ctx, "gone@x.test", Manual{Reason: "temporary", ExpiresAt: &exp}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AllowAdd(ctx, "mail2.example", "", t0); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(24 * time.Hour)
		tests := []struct {
			name string
			f    Filter
			want []string
		}{
			{"prefix", Filter{Search: "USER1"}, []string{"user1@mail1.example"}},
			{"prefix none", Filter{Search: "ser"}, nil},
			{"contains", Filter{Search: "ser1@", Contains: true}, []string{"user1@mail1.example"}},
			{"contains wildcard is literal", Filter{Search: "%", Contains: true}, nil},
			{"domain prefix", Filter{Search: "@MAIL1", State: StateAny}, []string{"user1@mail1.example", "user4@mail1.example"}},
			{"domain contains", Filter{Search: "@il0.ex", Contains: true}, []string{"user0@mail0.example", "user3@mail0.example", "user6@mail0.example"}},
			{"failing", Filter{State: StateFailing}, []string{"b@y.test", "s@x.test"}},
			{"expired", Filter{State: StateExpired}, []string{"gone@x.test"}},
			{"allowed", Filter{State: StateAllowed}, []string{"user2@mail2.example", "user5@mail2.example"}},
			{"source", Filter{Source: SourceComplaint}, []string{"c@y.test"}},
			{"until", Filter{Until: t0.Add(2 * time.Minute), Search: "user"}, []string{"user0@mail0.example", "user1@mail1.example"}},
			{"last seen desc", Filter{Sort: SortLastSeen, Desc: true, Search: "user", State: StateAny},
				[]string{"user6@mail0.example", "user5@mail2.example", "user4@mail1.example", "user3@mail0.example", "user2@mail2.example", "user1@mail1.example", "user0@mail0.example"}},
			{"domain sort", Filter{Sort: SortDomain, Search: "user"},
				[]string{"user0@mail0.example", "user3@mail0.example", "user6@mail0.example", "user1@mail1.example", "user4@mail1.example"}},
			{"email desc", Filter{Desc: true, Class: string(dsn.ClassHard)},
				[]string{"user6@mail0.example", "user4@mail1.example", "user3@mail0.example", "user1@mail1.example", "user0@mail0.example", "a@x.test"}},
		}
		for _, tt := range tests {
			for _, limit := range []int{2, 1000} {
				f := tt.f
				f.Limit = limit
				if got := pages(t, s, f, now); !slices.Equal(got, tt.want) {
					t.Errorf("%s (pages of %d): %v, want %v", tt.name, limit, got, tt.want)
				}
			}
		}
		// A cursor is bound to its order, and garbage is refused as such.
		p, err := s.List(ctx, Filter{Sort: SortDomain, Search: "user", Limit: 1}, now)
		if err != nil || p.Next == "" {
			t.Fatalf("List = %+v, %v", p, err)
		}
		for _, f := range []Filter{{Cursor: p.Next, Limit: 1}, {Cursor: "_w", Limit: 1}, {Cursor: "bm90IGpzb24", Sort: SortDomain}} {
			if _, err := s.List(ctx, f, now); !errors.Is(err, ErrBadCursor) {
				t.Errorf("List(%+v) err = %v, want ErrBadCursor", f, err)
			}
		}
		if _, err := s.List(ctx, Filter{Sort: "random"}, now); !errors.Is(err, ErrBadFilter) {
			t.Errorf("List(sort random) err = %v, want ErrBadFilter", err)
		}
		// Each streams the same rows as the pages.
		var each []string
		err = s.Each(ctx, Filter{Sort: SortLastSeen, Desc: true, Search: "user", State: StateAny}, now, func(e Entry) error {
			each = append(each, e.Email)
			return nil
		})
		if err != nil || len(each) != 7 || each[0] != "user6@mail0.example" {
			t.Errorf("Each = %v, %v", each, err)
		}
		stop := errors.New("stop")
		if err := s.Each(ctx, Filter{State: StateAny}, now, func(Entry) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("Each err = %v, want fn's error", err)
		}
	})
}

// ParseFilter names the parameter that is wrong.
func TestParseFilter(t *testing.T) {
	now := t0
	f, err := ParseFilter(map[string][]string{"q": {"@ex"}, "contains": {"1"}, "state": {"failing"}, "sort": {"last_seen"},
		"desc": {"true"}, "since": {"7d"}, "until": {"2026-03-01"}, "limit": {"20"}}, now)
	want := Filter{Search: "@ex", Contains: true, State: StateFailing, Sort: SortLastSeen, Desc: true,
		Since: now.AddDate(0, 0, -7), Until: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Limit: 20}
	if err != nil || f != want {
		t.Errorf("ParseFilter = %+v, %v; want %+v", f, err, want)
	}
	for param, v := range map[string]string{"state": "zombie", "sort": "size", "desc": "maybe", "until": "soon", "limit": "0"} {
		_, err := ParseFilter(map[string][]string{param: {v}}, now)
		if err == nil || !strings.Contains(err.Error(), param) {
			t.Errorf("ParseFilter(%s=%s) err = %v, want it named", param, v, err)
		}
	}
}
