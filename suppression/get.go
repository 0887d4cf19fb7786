package suppression

import (
	"context"
	"fmt"
)

// Detail is an entry with the evidence behind it.
type Detail struct {
	Entry  Entry   `json:"suppression"`
	Events []Event `json:"events"`
	// Allowlisted is true when the allowlist covers the address (by address
	// or domain): it is then never suppressed.
	Allowlisted bool `json:"allowlisted"`
}

const eventsOfSQL = `SELECT ` + eventCols + ` FROM bounce_events WHERE recipient = ? ORDER BY received_at DESC, id DESC LIMIT ?`

// maxEvidence caps the events Get returns, newest first.
const maxEvidence = 1000

// getSQL reads an entry and whether the allowlist covers it, in one query.
const getSQL = `SELECT ` + entryCols + `,
  EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (suppressions.email, suppressions.domain))
FROM suppressions WHERE email = ?`

// Get returns the entry of an address (normalised first) with its newest
// events. An address with events that never counted (auto-replies, or
// unverified ones under RequireVerified) has an empty, unsuppressed entry;
// one with neither entry nor events is an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, email string) (Detail, error) {
	addr, err := Normalize(email, s.opts.CaseSensitive)
	if err != nil {
		return Detail{}, err
	}
	var d Detail
	found, err := scanAll(ctx, s.rdb, func(d *Detail) []any { return append(d.Entry.dests(), &d.Allowlisted) }, s.q(getSQL), addr)
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
		return Detail{}, fmt.Errorf("%w: %s", ErrNotFound, addr)
	}
	allowed, err := s.allowed(ctx, s.rdb, []string{addr})
	if err != nil {
		return Detail{}, fmt.Errorf("suppression: get %s: %w", addr, err)
	}
	d.Entry = Entry{Email: addr, Domain: domainOf(addr), Source: SourceBounce}
	d.Allowlisted = allowed[addr]
	return d, nil
}
