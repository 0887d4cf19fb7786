package suppression

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/internal/duration"
)

// Change is what Recompute changes for one address.
type Change struct {
	Email  string `json:"email"`
	Before *Entry `json:"before"` // nil: the address had no entry
	After  Entry  `json:"after"`
}

// recomputePage is how many addresses Recompute handles per transaction.
const recomputePage = 500

// Recompute re-applies policy p to the stored events of every address (and
// the allowlist as it is now) and returns the entries that change, in
// address order. Unless dryRun, it writes them, one transaction per page
// of addresses. Manual and imported suppressions are kept; counters are
// recounted under p (RequireVerified included).
func (s *Store) Recompute(ctx context.Context, p Policy, now time.Time, dryRun bool) ([]Change, error) {
	return s.RecomputeProgress(ctx, p, now, dryRun, nil)
}

const recomputeTotalSQL = `SELECT count(*) FROM (SELECT email FROM suppressions UNION SELECT recipient FROM bounce_events) a`

// ErrWindowBeyondRetention is returned by Recompute for a policy whose
// soft window reaches back past the events Prune kept.
var ErrWindowBeyondRetention = errors.New("suppression: the policy's window reaches past the retained events")

// RecomputeProgress is Recompute calling progress (when not nil) after
// each page with the addresses visited so far and their total.
//
// Once Prune removed events (Horizon of bounce_events), Recompute sees only
// those received since: it refuses a policy whose soft window reaches
// before that horizon (ErrWindowBeyondRetention), and keeps as they are the
// entries first seen before it, whose counts rest on events it can no
// longer read.
func (s *Store) RecomputeProgress(ctx context.Context, p Policy, now time.Time, dryRun bool, progress func(done, total int)) ([]Change, error) {
	horizon, err := s.Horizon(ctx, "bounce_events")
	if err != nil {
		return nil, err
	}
	if win := p.withDefaults().SoftWindow; horizon != nil && now.Add(-win).Before(*horizon) {
		return nil, fmt.Errorf("%w: soft window %s reaches back to %s, events are kept from %s (retention.events)",
			ErrWindowBeyondRetention, duration.Format(win), now.Add(-win).UTC().Format(time.DateOnly), horizon.UTC().Format(time.DateOnly))
	}
	var all []Change
	after := ""
	total, done := 0, 0
	if progress != nil {
		if err := s.rdb.QueryRowContext(ctx, recomputeTotalSQL).Scan(&total); err != nil {
			return nil, fmt.Errorf("suppression: recompute: count: %w", err)
		}
	}
	for {
		var changes []Change
		var last string
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			changes, last, err = s.recomputePage(ctx, tx, p, after, horizon)
			if err != nil || dryRun {
				return err
			}
			var fresh, known []Entry
			roll := rollup{}
			for _, c := range changes {
				if c.Before == nil {
					fresh = append(fresh, c.After)
				} else {
					known = append(known, c.After)
				}
				roll.addStart(c.Before, c.After)
			}
			if err := s.saveEntries(ctx, tx, fresh, known); err != nil {
				return err
			}
			if err := roll.write(ctx, s, tx); err != nil {
				return err
			}
			return s.auditRecompute(ctx, tx, now, changes)
		})
		if err != nil {
			return all, fmt.Errorf("suppression: recompute: %w", err)
		}
		all = append(all, changes...)
		if last == "" {
			if progress != nil {
				progress(total, total)
			}
			return all, nil
		}
		if done += recomputePage; progress != nil {
			progress(min(done, total), total)
		}
		after = last
	}
}

// auditRecompute records one page's changes: one row per address that
// changes, so its audit trail shows the recompute.
func (s *Store) auditRecompute(ctx context.Context, tx *sqlx.Tx, now time.Time, changes []Change) error {
	for _, c := range changes {
		if err := s.writeAudit(ctx, tx, now, ActionRecompute, c.Email, recomputeDetail(c), ""); err != nil {
			return err
		}
	}
	return nil
}

// recomputeDetail says in words what Recompute changed for one address.
func recomputeDetail(c Change) string {
	state := func(e Entry) string {
		if e.Suppressed {
			return "suppressed (" + e.SuppressedReason + ")"
		}
		return "not suppressed"
	}
	before := "no entry"
	if c.Before != nil {
		before = state(*c.Before)
	}
	return fmt.Sprintf("policy re-applied: %s -> %s; counts hard %d, soft %d, block %d, complaint %d",
		before, state(c.After), c.After.HardCount, c.After.SoftCount, c.After.BlockCount, c.After.ComplaintCount)
}

// The addresses Recompute visits: those with an entry and those with events.
const (
	entryAddrsSQL = `SELECT email FROM suppressions WHERE email > ? ORDER BY email LIMIT ?`
	eventAddrsSQL = `SELECT DISTINCT recipient FROM bounce_events WHERE recipient > ? ORDER BY recipient LIMIT ?`
)

// nextAddrs returns up to n addresses after the given one, in order, from
// entries and events alike.
func (s *Store) nextAddrs(ctx context.Context, tx *sqlx.Tx, after string, n int) ([]string, error) {
	var a, b []string
	if err := tx.SelectContext(ctx, &a, s.q(entryAddrsSQL), after, n); err != nil {
		return nil, err
	}
	if err := tx.SelectContext(ctx, &b, s.q(eventAddrsSQL), after, n); err != nil {
		return nil, err
	}
	all := slices.Compact(slices.Sorted(slices.Values(append(a, b...))))
	return all[:min(n, len(all))], nil
}

const historySQL = `SELECT ` + eventCols + ` FROM bounce_events WHERE `

// recomputePage evaluates the next page of addresses after the given one
// and returns the changes and the page's last address ("" when done).
func (s *Store) recomputePage(ctx context.Context, tx *sqlx.Tx, p Policy, after string, horizon *time.Time) ([]Change, string, error) {
	addrs, err := s.nextAddrs(ctx, tx, after, recomputePage)
	if err != nil {
		return nil, "", err
	}
	if len(addrs) == 0 {
		return nil, "", nil
	}
	entries, err := s.loadEntries(ctx, tx, addrs)
	if err != nil {
		return nil, "", err
	}
	allowed, err := s.allowed(ctx, tx, addrs)
	if err != nil {
		return nil, "", err
	}
	cond, arg := s.inList("recipient", addrs)
	evs, err := scanAll(ctx, tx, (*Event).dests, s.q(historySQL+cond), arg)
	if err != nil {
		return nil, "", err
	}
	history := map[string][]Event{}
	for _, ev := range evs {
		history[ev.Recipient] = append(history[ev.Recipient], ev)
	}
	var changes []Change
	for _, a := range addrs {
		if e, ok := entries[a]; ok && horizon != nil && e.FirstSeen.Before(*horizon) {
			continue // its counts include pruned events
		}
		if c, ok := p.change(a, entries, history[a], allowed[a]); ok {
			changes = append(changes, c)
		}
	}
	last := ""
	if len(addrs) == recomputePage {
		last = addrs[len(addrs)-1]
	}
	return changes, last, nil
}

// change evaluates one address and reports whether its entry changes.
func (p Policy) change(addr string, entries map[string]Entry, history []Event, allowed bool) (Change, bool) {
	base, known := entries[addr]
	if !known {
		base = Entry{Email: addr, Domain: domainOf(addr), Source: SourceBounce}
	}
	next := p.Evaluate(base, history, allowed)
	if !known && next.FirstSeen.IsZero() {
		return Change{}, false // nothing counts: still no entry
	}
	if known && sameEntry(base, next) {
		return Change{}, false
	}
	c := Change{Email: addr, After: next}
	if known {
		c.Before = &base
	}
	return c, true
}

// sameEntry compares entries field by field, times by instant.
func sameEntry(a, b Entry) bool {
	ta := []*time.Time{a.SuppressedAt, a.ExpiresAt, a.ClearedAt}
	tb := []*time.Time{b.SuppressedAt, b.ExpiresAt, b.ClearedAt}
	for i := range ta {
		if (ta[i] == nil) != (tb[i] == nil) || ta[i] != nil && !ta[i].Equal(*tb[i]) {
			return false
		}
	}
	if !a.FirstSeen.Equal(b.FirstSeen) || !a.LastSeen.Equal(b.LastSeen) {
		return false
	}
	a.SuppressedAt, a.ExpiresAt, a.ClearedAt, a.FirstSeen, a.LastSeen = nil, nil, nil, time.Time{}, time.Time{}
	b.SuppressedAt, b.ExpiresAt, b.ClearedAt, b.FirstSeen, b.LastSeen = nil, nil, nil, time.Time{}, time.Time{}
	return a == b
}
