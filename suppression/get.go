package suppression

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/migrations"
)

// Detail is an entry with the evidence behind it.
type Detail struct {
	Entry  Entry   `json:"suppression"`
	Events []Event `json:"events"`
	// Allowlisted is true when the allowlist covers the address (by address
	// or domain): it is then never suppressed.
	Allowlisted bool `json:"allowlisted"`
}

// maxEvidence caps the events Get returns, newest first.
const maxEvidence = 1000

const eventsOfSQL = `SELECT ` + eventCols + ` FROM bounce_events WHERE recipient = ? ORDER BY received_at DESC, id DESC LIMIT ?`

// entryGetSQL reads an entry and whether the allowlist covers it (SQLite).
const entryGetSQL = `SELECT ` + entryCols + `,
  EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (suppressions.email, suppressions.domain))
FROM suppressions WHERE email = ?`

// getPGSQL reads, in one round trip, an address's entry (if any), whether the
// allowlist covers it, and its newest events: one row per event (the entry
// repeated on each), or one row with no event. Parameters: address, domain,
// address, address, limit.
var getPGSQL = sqlx.Rebind(sqlx.DOLLAR, `SELECT s.email IS NOT NULL, `+orZero("s", entryCols)+`,
  EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (?, ?)),
  e.id IS NOT NULL, `+orZero("e", eventCols)+`
FROM (SELECT 1 AS one) q
LEFT JOIN suppressions s ON s.email = ?
LEFT JOIN (`+eventsOfSQL+`) e ON true
ORDER BY e.received_at DESC, e.id DESC`)

// Get returns the entry of an address (normalised first) with its newest
// events. An address with events that never counted (auto-replies, or
// unverified ones under RequireVerified) has an empty, unsuppressed entry;
// one with neither entry nor events is an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, email string) (Detail, error) {
	addr, err := Normalize(email, s.opts.CaseSensitive)
	if err != nil {
		return Detail{}, err
	}
	if s.dialect != migrations.Postgres {
		return s.getApart(ctx, addr)
	}
	var d Detail
	var found bool
	rows, err := s.queryPrepared(ctx, nil, getPGSQL, addr, domainOf(addr), addr, addr, maxEvidence)
	if err != nil {
		return Detail{}, fmt.Errorf("suppression: get %s: %w", addr, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev Event
		var hasEvent bool
		dests := append(append([]any{&found}, d.Entry.dests()...), &d.Allowlisted, &hasEvent)
		if err := rows.Scan(append(dests, ev.dests()...)...); err != nil {
			return Detail{}, fmt.Errorf("suppression: get %s: %w", addr, err)
		}
		if hasEvent {
			d.Events = append(d.Events, ev)
		}
	}
	if err := rows.Err(); err != nil {
		return Detail{}, fmt.Errorf("suppression: get %s: %w", addr, err)
	}
	if found {
		return d, nil
	}
	if len(d.Events) == 0 {
		return Detail{}, fmt.Errorf("suppression: %s: %w", addr, ErrNotFound)
	}
	d.Entry = Entry{Email: addr, Domain: domainOf(addr), Source: SourceBounce}
	return d, nil
}

// getApart is Get in three queries, faster on SQLite than getSQL's joins.
func (s *Store) getApart(ctx context.Context, addr string) (Detail, error) {
	var d Detail
	found, err := scanAll(ctx, s.rdb, func(d *Detail) []any { return append(d.Entry.dests(), &d.Allowlisted) }, s.q(entryGetSQL), addr)
	if err != nil {
		return Detail{}, fmt.Errorf("suppression: get %s: %w", addr, err)
	}
	if len(found) == 1 {
		d = found[0]
	}
	d.Events, err = scanAll(ctx, s.rdb, (*Event).dests, s.q(eventsOfSQL), addr, maxEvidence)
	if err != nil {
		return Detail{}, fmt.Errorf("suppression: events of %s: %w", addr, err)
	}
	if len(found) == 1 {
		return d, nil
	}
	if len(d.Events) == 0 {
		return Detail{}, fmt.Errorf("suppression: %s: %w", addr, ErrNotFound)
	}
	allowed, err := s.allowed(ctx, s.rdb, []string{addr})
	if err != nil {
		return Detail{}, fmt.Errorf("suppression: get %s: %w", addr, err)
	}
	d.Entry = Entry{Email: addr, Domain: domainOf(addr), Source: SourceBounce}
	d.Allowlisted = allowed[addr]
	return d, nil
}

// orZero qualifies a column list (entryCols or eventCols) with a table
// alias, replacing NULL (the alias outer-joined to no row) by the column's
// zero value; timestamps stay NULL (timeInto and nullTimeInto take it).
func orZero(alias, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		c = alias + "." + strings.TrimSpace(c)
		switch name := c[len(alias)+1:]; {
		case strings.HasSuffix(name, "_at"), strings.HasSuffix(name, "_seen"):
		case strings.HasSuffix(name, "_count"), name == "id":
			c = "COALESCE(" + c + ", 0)"
		case name == "suppressed", name == "verified":
			c = "COALESCE(" + c + ", false)"
		default:
			c = "COALESCE(" + c + ", '')"
		}
		out = append(out, c)
	}
	return strings.Join(out, ", ")
}
