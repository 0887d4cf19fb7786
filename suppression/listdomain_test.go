package suppression

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A domain-prefix search reads a rare range through the domain index and a
// common one in the order's index, with the same pages either way: every
// entry of the range once, in order, across keyset pages.
func TestListDomainPrefixRareAndCommon(t *testing.T) {
	s := openTest(t, "postgres", Options{})
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.db.ExecContext(ctx, `INSERT INTO suppressions (email, domain, hard_count, first_seen, last_seen, suppressed, suppressed_at)
SELECT 'u' || i || '@' || d, d, 1, $1::timestamptz, $1::timestamptz + i * interval '1 minute', i % 2 = 0, $1::timestamptz
FROM generate_series(1, 3500) i, LATERAL (SELECT CASE WHEN i % 100 = 0 THEN 'rare.test' WHEN i % 150 = 1 THEN 'rarer.test' ELSE 'big.test' END AS d) x`,
		now.AddDate(0, 0, -10))
	if err != nil {
		t.Fatal(err)
	}
	var rare, big []string
	for i := 1; i <= 3500; i++ {
		switch {
		case i%100 == 0:
			rare = append(rare, "u"+strconv.Itoa(i)+"@rare.test")
		case i%150 == 1:
			rare = append(rare, "u"+strconv.Itoa(i)+"@rarer.test")
		default:
			big = append(big, "u"+strconv.Itoa(i)+"@big.test")
		}
	}
	for _, c := range []struct {
		search string
		narrow bool
		want   []string
	}{{"@RARE", true, rare}, {"@big", false, big}} {
		with, _, err := s.domainFirst(ctx, Filter{Search: c.search})
		if err != nil || (with != "") != c.narrow {
			t.Errorf("domainFirst(%q) = %q, %v; want narrowing %v", c.search, with, err, c.narrow)
		}
		byEmail := slices.Sorted(slices.Values(c.want))
		if got := pages(t, s, Filter{State: StateAny, Search: c.search, Limit: 400}, now); !reflect.DeepEqual(got, byEmail) {
			t.Errorf("%s by address: %d entries %v…, want %d %v…", c.search, len(got), head(got), len(byEmail), head(byEmail))
		}
		newest := slices.Clone(c.want) // last_seen grows with i
		slices.Reverse(newest)
		if got := pages(t, s, Filter{State: StateAny, Search: c.search, Sort: SortLastSeen, Desc: true, Limit: 400}, now); !reflect.DeepEqual(got, newest) {
			t.Errorf("%s newest first: %d entries %v…, want %d %v…", c.search, len(got), head(got), len(newest), head(newest))
		}
	}
	var active []string
	for _, e := range rare {
		if n := strings.TrimPrefix(strings.Split(e, "@")[0], "u"); mustAtoi(t, n)%2 == 0 {
			active = append(active, e)
		}
	}
	slices.Sort(active)
	if got := pages(t, s, Filter{Search: "@rare", Limit: 4}, now); !reflect.DeepEqual(got, active) {
		t.Errorf("@rare, active only: %v, want %v", got, active)
	}
}

func head(s []string) []string { return s[:min(3, len(s))] }

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
