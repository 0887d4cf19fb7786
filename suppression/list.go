package suppression

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Filter selects entries for List. The zero Filter lists every active
// suppression.
type Filter struct {
	Reason string    // suppression reason (or, for entries not suppressed, the last reason)
	Class  string    // class of the last event: hard, soft, block, complaint
	Domain string    // whole domain, normalised like addresses
	Since  time.Time // last seen at or after; zero: any time
	// All includes addresses with failures that are not (or no longer)
	// suppressed, and allowlisted ones.
	All    bool
	Cursor string // from Page.Next: continue after it
	Limit  int    // entries per page; 0 means no limit
}

// Page is one page of List, in address order.
type Page struct {
	Entries []Entry `json:"suppressions"`
	Next    string  `json:"next_cursor,omitempty"` // empty on the last page
}

// activeSQL is the condition of the active_suppressions view, with the time
// as a parameter so that answers depend on the caller's now.
const activeSQL = `suppressed AND (expires_at IS NULL OR expires_at > ?)
 AND NOT EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (suppressions.email, suppressions.domain))`

// List returns the entries matching f, active at now unless f.All.
func (s *Store) List(ctx context.Context, f Filter, now time.Time) (Page, error) {
	where, args, err := s.listWhere(f, now)
	if err != nil {
		return Page{}, err
	}
	q := `SELECT ` + entryCols + ` FROM suppressions WHERE ` + strings.Join(where, " AND ") + ` ORDER BY email`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit+1)
	}
	es, err := scanAll(ctx, s.rdb, (*Entry).dests, s.q(q), args...)
	if err != nil {
		return Page{}, fmt.Errorf("suppression: list: %w", err)
	}
	p := Page{Entries: es}
	if f.Limit > 0 && len(es) > f.Limit {
		p.Entries = es[:f.Limit]
		p.Next = base64.RawURLEncoding.EncodeToString([]byte(es[f.Limit-1].Email))
	}
	return p, nil
}

// ErrBadCursor is returned by List for a cursor it did not issue.
var ErrBadCursor = errors.New("suppression: bad cursor")

func (s *Store) listWhere(f Filter, now time.Time) ([]string, []any, error) {
	where, args := []string{"true"}, []any{}
	if f.All {
		where = append(where, "(suppressed OR hard_count + soft_count + block_count + complaint_count > 0)")
	} else {
		where, args = append(where, activeSQL), append(args, s.tv(now))
	}
	if f.Reason != "" {
		where, args = append(where, "COALESCE(NULLIF(suppressed_reason, ''), last_reason) = ?"), append(args, f.Reason)
	}
	if f.Class != "" {
		where, args = append(where, "last_class = ?"), append(args, f.Class)
	}
	if f.Domain != "" {
		d, err := NormalizeDomain(f.Domain)
		if err != nil {
			return nil, nil, err
		}
		where, args = append(where, "domain = ?"), append(args, d)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "last_seen >= ?"), append(args, s.tv(f.Since))
	}
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || len(after) == 0 {
			return nil, nil, ErrBadCursor
		}
		where, args = append(where, "email > ?"), append(args, string(after))
	}
	return where, args, nil
}

// Check states, as CheckResult.State.
const (
	StateSuppressed  = "suppressed"
	StateDeliverable = "deliverable"
	StateAllowlisted = "allowlisted"
)

// CheckResult is the answer for one address.
type CheckResult struct {
	Email      string     `json:"email"`   // as given
	Address    string     `json:"address"` // normalised
	Suppressed bool       `json:"suppressed"`
	State      string     `json:"state"`  // suppressed, deliverable or allowlisted
	Reason     string     `json:"reason"` // why it is suppressed; empty otherwise
	Source     string     `json:"source,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

// checkSQL reads only what Check answers with.
const checkSQL = `SELECT email, suppressed, suppressed_reason, source, expires_at FROM suppressions WHERE `

// Check answers, in order, whether each address may be mailed at now. All
// invalid addresses are reported together, each named, and nothing is
// answered then.
func (s *Store) Check(ctx context.Context, emails []string, now time.Time) ([]CheckResult, error) {
	out := make([]CheckResult, len(emails))
	addrs := make([]string, 0, len(emails))
	var bad []error
	for i, e := range emails {
		a, err := Normalize(e, s.opts.CaseSensitive)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		out[i] = CheckResult{Email: e, Address: a, State: StateDeliverable}
		addrs = append(addrs, a)
	}
	if len(bad) > 0 {
		return nil, errors.Join(bad...)
	}
	if len(addrs) == 0 {
		return out, nil
	}
	cond, arg := s.inList("email", addrs)
	found, err := scanAll(ctx, s.rdb, func(e *Entry) []any {
		return []any{&e.Email, &e.Suppressed, &e.SuppressedReason, &e.Source, nullTimeInto{&e.ExpiresAt}}
	}, s.q(checkSQL+cond), arg)
	if err != nil {
		return nil, fmt.Errorf("suppression: check: %w", err)
	}
	entries := make(map[string]Entry, len(found))
	for _, e := range found {
		entries[e.Email] = e
	}
	allowed, err := s.allowed(ctx, s.rdb, addrs)
	if err != nil {
		return nil, fmt.Errorf("suppression: check: %w", err)
	}
	for i := range out {
		r := &out[i]
		e, ok := entries[r.Address]
		switch {
		case allowed[r.Address]:
			r.State = StateAllowlisted
		case ok && e.Active(now):
			r.Suppressed, r.State, r.Reason, r.Source, r.ExpiresAt = true, StateSuppressed, e.SuppressedReason, e.Source, e.ExpiresAt
		}
	}
	return out, nil
}

// ParseSince reads a --since or since= value: an RFC 3339 time, a date
// (2006-01-02, UTC midnight), or an age before now ("72h", "30m", "7d").
func ParseSince(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("since %q: want an RFC 3339 time, a date (2006-01-02) or an age (72h, 7d)", v)
}

const activeCountsSQL = `SELECT source, count(*) FROM suppressions WHERE ` + activeSQL + ` GROUP BY source`

// ActiveCounts returns the number of addresses suppressed at now, by source.
func (s *Store) ActiveCounts(ctx context.Context, now time.Time) (map[string]int, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(activeCountsSQL), s.tv(now))
	if err != nil {
		return nil, fmt.Errorf("suppression: count: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var src string
		var n int
		if err := rows.Scan(&src, &n); err != nil {
			return nil, fmt.Errorf("suppression: count: %w", err)
		}
		out[src] = n
	}
	return out, rows.Err()
}
