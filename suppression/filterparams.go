package suppression

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseFilter reads a Filter from query parameters, as the API and the
// dashboard take them: reason, class, domain, source, since, until (RFC
// 3339 times, dates or ages as ParseSince reads), q (search), contains,
// state, all, sort, desc, cursor, limit (1 to 1000; absent: 0). Each bad
// value is an error naming the parameter.
func ParseFilter(q url.Values, now time.Time) (Filter, error) {
	f := Filter{Reason: q.Get("reason"), Class: q.Get("class"), Domain: q.Get("domain"), Source: q.Get("source"),
		Search: q.Get("q"), State: q.Get("state"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	var err error
	for name, dst := range map[string]*bool{"all": &f.All, "contains": &f.Contains, "desc": &f.Desc} {
		if v := q.Get(name); v != "" {
			if *dst, err = strconv.ParseBool(v); err != nil {
				return f, fmt.Errorf("%s=%q: want true or false", name, v)
			}
		}
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			if *dst, err = ParseSince(v, now); err != nil {
				return f, fmt.Errorf("%s %w", name, err)
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 1000 {
			return f, fmt.Errorf("limit=%q: want 1 to 1000", v)
		}
	}
	if _, err := sortColumn(f.Sort); err != nil {
		return f, err
	}
	if f.State != "" && !slices.Contains(States, f.State) {
		return f, fmt.Errorf("%w: state %q: want one of %s", ErrBadFilter, f.State, strings.Join(States, ", "))
	}
	return f, nil
}
