package suppression

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Manual describes a suppression made by a person (Add) or an import.
type Manual struct {
	Reason    string     // why; "manual" when empty
	Note      string     // free text kept with the entry
	ExpiresAt *time.Time // nil: never expires
	// At is when it was suppressed; zero means now. Imports carry the date
	// of the source file.
	At time.Time
}

// Add suppresses an address by hand (source "manual"). It replaces an
// automatic suppression and keeps the counters; events never change it
// afterwards. An address the allowlist covers is refused with
// ErrAllowlisted.
func (s *Store) Add(ctx context.Context, email string, m Manual, now time.Time) (Entry, error) {
	addr, err := Normalize(email, s.opts.CaseSensitive)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		allowed, err := s.allowed(ctx, tx, []string{addr})
		if err != nil {
			return err
		}
		if allowed[addr] {
			return inputErrorf(ErrAllowlisted, "%s is allowlisted: take it off the allowlist first", addr)
		}
		es, err := s.suppressManual(ctx, tx, []string{addr}, []Manual{m}, SourceManual, now)
		if err != nil {
			return err
		}
		out = es[0]
		return s.writeAudit(ctx, tx, now, ActionAdd, addr, addDetail(out), m.Note)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("suppression: add %s: %w", addr, err)
	}
	s.observer().Suppressed(SourceManual)
	return out, nil
}

// addDetail says in words what Add did.
func addDetail(e Entry) string {
	d := "suppressed by hand, reason " + e.SuppressedReason
	if e.ExpiresAt != nil {
		d += ", until " + e.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}

// suppressManual writes manual or imported suppressions for normalised
// addresses (each once), keeping existing counters.
func (s *Store) suppressManual(ctx context.Context, tx *sqlx.Tx, addrs []string, ms []Manual, source string, now time.Time) ([]Entry, error) {
	existing, err := s.loadEntries(ctx, tx, addrs)
	if err != nil {
		return nil, err
	}
	out, was := make([]Entry, len(addrs)), make([]bool, len(addrs))
	var fresh, known []Entry
	for i, a := range addrs {
		e, ok := existing[a]
		was[i] = ok && e.Active(now)
		if !ok {
			e = Entry{Email: a, Domain: domainOf(a), FirstSeen: now, LastSeen: now}
		}
		m := ms[i]
		at := m.At
		if at.IsZero() {
			at = now
		}
		e.Suppressed, e.SuppressedAt, e.SuppressedReason = true, &at, m.Reason
		if e.SuppressedReason == "" {
			e.SuppressedReason = SourceManual
		}
		e.ExpiresAt, e.Source = m.ExpiresAt, source
		if m.Note != "" {
			e.Note = m.Note
		}
		out[i] = e
		if ok {
			known = append(known, e)
		} else {
			fresh = append(fresh, e)
		}
	}
	if err := s.saveEntries(ctx, tx, fresh, known); err != nil {
		return nil, err
	}
	if err := startsOf(existing, out).write(ctx, s, tx); err != nil {
		return nil, err
	}
	return out, s.announceManual(ctx, tx, out, was, now)
}

// Remove lifts the suppression of an address, whatever its source, and
// clears its counters: events received until now no longer count (they
// stay as evidence), later ones count afresh. An unknown address is an
// error wrapping ErrNotFound. An entry neither suppressed nor counting
// failures is returned as it is, unwritten and unaudited: its ClearedAt is
// not now.
func (s *Store) Remove(ctx context.Context, email string, now time.Time) (Entry, error) {
	addr, err := Normalize(email, s.opts.CaseSensitive)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	lifted := "" // the source of the suppression lifted, if it was active
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		m, err := s.loadEntries(ctx, tx, []string{addr})
		if err != nil {
			return err
		}
		e, ok := m[addr]
		if !ok {
			return inputErrorf(ErrNotFound, "%s is not on the suppression list", addr)
		}
		if !e.Suppressed && e.HardCount+e.SoftCount+e.BlockCount+e.ComplaintCount == 0 {
			out = e // already clear: nothing to lift, nothing to audit
			return nil
		}
		detail := removeDetail(e)
		if lifted = ""; e.Active(now) {
			lifted = e.Source
			if err := s.announceRemoved(ctx, tx, e, now); err != nil {
				return err
			}
		}
		e.clear(now)
		out = e
		if err := s.upsertEntries(ctx, tx, []Entry{e}); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, now, ActionRemove, addr, detail, "")
	})
	if err != nil {
		return Entry{}, fmt.Errorf("suppression: remove %s: %w", addr, err)
	}
	if lifted != "" {
		s.observer().Lifted(lifted)
	}
	return out, nil
}

// removeDetail says in words what Remove lifts from e.
func removeDetail(e Entry) string {
	counts := fmt.Sprintf("hard %d, soft %d, block %d, complaint %d", e.HardCount, e.SoftCount, e.BlockCount, e.ComplaintCount)
	if e.Suppressed {
		return fmt.Sprintf("lifted the suppression (%s, source %s); cleared counts: %s", e.SuppressedReason, e.Source, counts)
	}
	return "cleared counts: " + counts
}

// clear resets e as Remove does, keeping what was last seen, the note and
// the source (a manual entry stays manual: no longer suppressed, it is not
// frozen, and the policy sets the source again if events suppress it).
func (e *Entry) clear(now time.Time) {
	e.HardCount, e.SoftCount, e.BlockCount, e.ComplaintCount = 0, 0, 0, 0
	e.Suppressed, e.SuppressedAt, e.SuppressedReason, e.ExpiresAt = false, nil, "", nil
	e.ClearedAt = &now
}
