package suppression

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/migrations"
)

// Filter selects entries for List, Each and Export. The zero Filter lists
// every active suppression in address order.
type Filter struct {
	Reason string // suppression reason (or, for entries not suppressed, the last reason)
	// Class is hard, soft, block or complaint. A suppression matches when
	// an event of this class caused it (the event it was suppressed at: a
	// complaint suppression is never "soft" because a soft bounce came
	// later; manual and imported ones match no class); an entry that is
	// not suppressed (All) matches when it counts events of this class.
	Class  string
	Domain string    // whole domain, normalised like addresses
	Source string    // bounce, complaint, manual or import
	Since  time.Time // last seen at or after; zero: any time
	Until  time.Time // last seen before; zero: any time
	// Search matches addresses, or domains when it starts with "@": by
	// prefix, or anywhere in them with Contains. Prefixes are an index
	// range on both dialects; Contains uses a trigram index on Postgres
	// (pg_trgm) and scans on SQLite.
	Search   string
	Contains bool
	// State is one of the States; empty means StateActive, or StateAny
	// when All is set.
	State string
	// All includes addresses with failures that are not (or no longer)
	// suppressed, and allowlisted ones (State StateAny).
	All bool
	// Sort is one of the Sorts (empty: SortEmail); Desc reverses it.
	Sort   string
	Desc   bool
	Cursor string // from Page.Next: continue after it (same Sort and Desc)
	Limit  int    // entries per page; 0 means no limit
}

// List states, as Filter.State.
const (
	StateActive  = "suppressed" // suppressed now: not expired, not allowlisted
	StateFailing = "failing"    // counted failures, not suppressed, not allowlisted
	StateExpired = "expired"    // suppressed once, expired by now
	StateAllowed = "allowed"    // covered by the allowlist
	StateAny     = "any"        // suppressed (active or not) or with failures
)

// States lists the values of Filter.State.
var States = []string{StateActive, StateFailing, StateExpired, StateAllowed, StateAny}

// List sort orders, as Filter.Sort. Each is one index, so a page is one
// index range whatever the size of the list.
const (
	SortEmail    = "email"
	SortDomain   = "domain"
	SortLastSeen = "last_seen"
)

// Sorts lists the values of Filter.Sort.
var Sorts = []string{SortEmail, SortDomain, SortLastSeen}

// Page is one page of List, in the filter's order.
type Page struct {
	Entries []Entry `json:"suppressions"`
	Next    string  `json:"next_cursor,omitempty"` // empty on the last page
}

// activeSQL is the condition of the active_suppressions view, with the time
// as a parameter so that answers depend on the caller's now.
const activeSQL = `suppressed AND (expires_at IS NULL OR expires_at > ?)
 AND NOT EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (suppressions.email, suppressions.domain))`

// Conditions of the other states.
const (
	allowedSQL = `EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (suppressions.email, suppressions.domain))`
	countedSQL = `hard_count + soft_count + block_count + complaint_count > 0`
	failingSQL = `NOT suppressed AND ` + countedSQL + ` AND NOT ` + allowedSQL
	expiredSQL = `suppressed AND expires_at <= ?`
	anySQL     = `(suppressed OR ` + countedSQL + `)`
)

// List returns one page of the entries matching f at now. Pages are keyset
// pages: each reads one index range after the cursor, never an OFFSET.
func (s *Store) List(ctx context.Context, f Filter, now time.Time) (Page, error) {
	q, args, err := s.listQuery(f, now)
	if err != nil {
		return Page{}, err
	}
	with, wargs, err := s.domainFirst(ctx, f)
	if err != nil {
		return Page{}, err
	}
	q, args = with+q, append(wargs, args...)
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
		p.Next = cursorAfter(f, es[f.Limit-1])
	}
	return p, nil
}

// Each calls fn for every entry matching f at now, in the filter's order,
// streamed from one query (memory stays flat whatever the number of
// rows); f.Limit and f.Cursor apply as in List. An error from fn stops it
// and is returned.
func (s *Store) Each(ctx context.Context, f Filter, now time.Time, fn func(Entry) error) error {
	q, args, err := s.listQuery(f, now)
	if err != nil {
		return err
	}
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.rdb.QueryxContext(ctx, s.q(q), args...)
	if err != nil {
		return fmt.Errorf("suppression: list: %w", err)
	}
	defer rows.Close()
	var e Entry
	dests := e.dests()
	for rows.Next() {
		e = Entry{}
		if err := rows.Scan(dests...); err != nil {
			return fmt.Errorf("suppression: list: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("suppression: list: %w", err)
	}
	return nil
}

// ErrBadCursor is returned by List for a cursor it did not issue (or one
// issued for another sort order).
var ErrBadCursor = errors.New("suppression: bad cursor")

// ErrBadFilter is returned, wrapped with the field, for a filter value
// List does not know.
var ErrBadFilter = errors.New("suppression: bad filter")

// listQuery builds the SELECT of List and Each, without its LIMIT.
func (s *Store) listQuery(f Filter, now time.Time) (string, []any, error) {
	col, err := sortColumn(f.Sort)
	if err != nil {
		return "", nil, err
	}
	where, args, err := s.listWhere(f, now)
	if err != nil {
		return "", nil, err
	}
	if f.Cursor != "" {
		cond, cargs, err := s.cursorCond(f, col)
		if err != nil {
			return "", nil, err
		}
		where, args = append(where, cond), append(args, cargs...)
	}
	dir := ""
	if f.Desc {
		dir = " DESC"
	}
	order := "email" + dir
	if col != "email" {
		order = col + dir + ", " + order
	}
	return `SELECT ` + entryCols + ` FROM suppressions WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order, args, nil
}

// classCounts maps Filter.Class to the counter that selects entries not
// suppressed.
var classCounts = map[string]string{"hard": "hard_count", "soft": "soft_count", "block": "block_count", "complaint": "complaint_count"}

// sortColumn checks a Filter.Sort and returns its column.
func sortColumn(sort string) (string, error) {
	switch sort {
	case "", SortEmail:
		return "email", nil
	case SortDomain, SortLastSeen:
		return sort, nil
	}
	return "", fmt.Errorf("%w: sort %q: want one of %s", ErrBadFilter, sort, strings.Join(Sorts, ", "))
}

func (s *Store) listWhere(f Filter, now time.Time) ([]string, []any, error) {
	where, args, err := s.stateWhere(f, now)
	if err != nil {
		return nil, nil, err
	}
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.Reason != "" {
		add("COALESCE(NULLIF(suppressed_reason, ''), last_reason) = ?", f.Reason)
	}
	if f.Class != "" {
		col, ok := classCounts[f.Class]
		if !ok {
			return nil, nil, fmt.Errorf("%w: class %q: want hard, soft, block or complaint", ErrBadFilter, f.Class)
		}
		add(`CASE WHEN suppressed THEN source IN ('bounce', 'complaint') AND EXISTS (SELECT 1 FROM bounce_events be
			WHERE be.recipient = suppressions.email AND be.received_at = suppressions.suppressed_at AND be.class = ?)
			ELSE `+col+` > 0 END`, f.Class)
	}
	if f.Source != "" {
		add("source = ?", f.Source)
	}
	if f.Domain != "" {
		d, err := NormalizeDomain(f.Domain)
		if err != nil {
			return nil, nil, err
		}
		add("domain = ?", d)
	}
	if !f.Since.IsZero() {
		add("last_seen >= ?", s.tv(f.Since))
	}
	if !f.Until.IsZero() {
		add("last_seen < ?", s.tv(f.Until))
	}
	if f.Search != "" {
		cond, a := s.searchCond(f.Search, f.Contains)
		add(cond, a...)
	}
	return where, args, nil
}

// stateWhere is the condition of f's state.
func (s *Store) stateWhere(f Filter, now time.Time) ([]string, []any, error) {
	state := f.State
	if state == "" && f.All {
		state = StateAny
	}
	switch state {
	case "", StateActive:
		return []string{activeSQL}, []any{s.tv(now)}, nil
	case StateFailing:
		return []string{failingSQL}, nil, nil
	case StateExpired:
		return []string{expiredSQL}, []any{s.tv(now)}, nil
	case StateAllowed:
		return []string{allowedSQL}, nil, nil
	case StateAny:
		return []string{anySQL}, nil, nil
	}
	return nil, nil, fmt.Errorf("%w: state %q: want one of %s", ErrBadFilter, state, strings.Join(States, ", "))
}

// maxRune ends a prefix range: every string that starts with p sorts
// below p + maxRune (byte order, as both dialects compare these columns).
const maxRune = "\U0010FFFF"

// searchCond is the condition of a search: an address, or a domain when it
// starts with "@"; a prefix (an index range) or, with contains, anywhere.
func (s *Store) searchCond(search string, contains bool) (string, []any) {
	col := "email"
	if d, ok := strings.CutPrefix(search, "@"); ok {
		col, search = "domain", strings.ToLower(d)
	} else if !s.opts.CaseSensitive {
		search = strings.ToLower(search)
	} else if at := strings.LastIndexByte(search, '@'); at >= 0 {
		search = search[:at] + strings.ToLower(search[at:])
	}
	if !contains {
		return col + " >= ? AND " + col + " < ?", []any{search, search + maxRune}
	}
	if s.dialect == migrations.SQLite {
		return "instr(" + col + ", ?) > 0", []any{search}
	}
	// Postgres: on email, so the trigram index serves domains too.
	pattern := "%" + likeEscape.Replace(search) + "%"
	if col == "domain" {
		pattern = "%@%" + likeEscape.Replace(search) + "%"
	}
	return `email LIKE ? ESCAPE '\'`, []any{pattern}
}

// likeEscape quotes LIKE's wildcards.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// cursor is what Page.Next holds: the sort and the last entry's key.
type cursor struct {
	Sort  string `json:"s"`
	Desc  bool   `json:"d,omitempty"`
	Key   string `json:"k,omitempty"` // the sort column's value (domain, or last_seen as RFC 3339)
	Email string `json:"e"`
}

// cursorAfter returns the cursor of the page that follows e.
func cursorAfter(f Filter, e Entry) string {
	c := cursor{Sort: f.Sort, Desc: f.Desc, Email: e.Email}
	switch f.Sort {
	case SortDomain:
		c.Key = e.Domain
	case SortLastSeen:
		c.Key = e.LastSeen.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal(c) //nolint:errcheck // strings and a bool always encode
	return base64.RawURLEncoding.EncodeToString(b)
}

// cursorCond is the keyset condition "after the cursor" for column col.
func (s *Store) cursorCond(f Filter, col string) (string, []any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(f.Cursor)
	if err != nil || len(raw) == 0 || !utf8.Valid(raw) {
		return "", nil, ErrBadCursor
	}
	var c cursor
	if json.Unmarshal(raw, &c) != nil {
		c = cursor{Email: string(raw)} // the plain-address cursors of earlier versions
	}
	// NUL is valid UTF-8 but no text column may hold it (Postgres refuses it).
	if c.Sort != f.Sort || c.Desc != f.Desc || c.Email == "" || strings.ContainsRune(c.Email+c.Key, 0) {
		return "", nil, ErrBadCursor
	}
	op := ">"
	if f.Desc {
		op = "<"
	}
	switch col {
	case "email":
		return "email " + op + " ?", []any{c.Email}, nil
	case "domain":
		return "(domain, email) " + op + " (?, ?)", []any{c.Key, c.Email}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, c.Key)
	if err != nil {
		return "", nil, ErrBadCursor
	}
	return "(last_seen, email) " + op + " (?, ?)", []any{s.tv(t), c.Email}, nil
}

// Check states, as CheckResult.State.
const (
	StateSuppressed  = "suppressed"
	StateDeliverable = "deliverable"
	StateAllowlisted = "allowlisted"
	StateInvalid     = "invalid" // not an address: Error says why
)

// CheckResult is the answer for one address.
type CheckResult struct {
	Email      string     `json:"email"`   // as given
	Address    string     `json:"address"` // normalised
	Suppressed bool       `json:"suppressed"`
	State      string     `json:"state"`  // suppressed, deliverable, allowlisted or invalid
	Reason     string     `json:"reason"` // why it is suppressed; empty otherwise
	Source     string     `json:"source,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	// Error is "invalid address" when Email is not an address (State
	// invalid, Address empty); Detail says what is wrong with it.
	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// checkSQL reads only what Check answers with.
const checkSQL = `SELECT email, suppressed, suppressed_reason, source, expires_at FROM suppressions WHERE `

// Check answers, in order, whether each address may be mailed at now. An
// address that cannot be read is answered on its own (State invalid, Error
// "invalid address"), so one typo does not fail a bulk check; an error is
// returned only when the store cannot be read.
func (s *Store) Check(ctx context.Context, emails []string, now time.Time) ([]CheckResult, error) {
	out := make([]CheckResult, len(emails))
	addrs := make([]string, 0, len(emails))
	for i, e := range emails {
		a, err := Normalize(e, s.opts.CaseSensitive)
		if err != nil {
			out[i] = CheckResult{Email: e, State: StateInvalid, Error: ErrInvalidAddress.Error(), Detail: invalidDetail(err)}
			continue
		}
		out[i] = CheckResult{Email: e, Address: a, State: StateDeliverable}
		addrs = append(addrs, a)
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
		if r.State == StateInvalid {
			continue
		}
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

// invalidDetail is Normalize's complaint (`invalid address "x": why`)
// without its prefix, which the result already carries.
func invalidDetail(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, `": `); ok {
		return rest
	}
	return msg
}

// ParseSince reads a --since or since= value: an RFC 3339 time, a date
// (2006-01-02, UTC midnight), or an age before now ("72h", "30m", "7d").
// Its error quotes the value and says what is wanted; the caller names
// the parameter in front of it ("until \"x\": want …").
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
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time, a date (2006-01-02) or an age (72h, 7d)", v)
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
