package suppression

import (
	"cmp"
	"slices"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Policy decides when failures suppress an address. Thresholds of zero or
// less take their defaults (1 hard, 3 soft within 168h, 1 complaint);
// SoftExpiry is taken as given, 0 meaning soft suppressions never expire.
type Policy struct {
	HardThreshold      int           // hard bounces that suppress (1)
	SoftThreshold      int           // soft bounces within SoftWindow that suppress (3)
	SoftWindow         time.Duration // window on the time bounces reached the mailbox (168h)
	ComplaintThreshold int           // complaints that suppress (1)
	SoftExpiry         time.Duration // how long a soft suppression lasts (720h; 0 = never expires)
	// RequireVerified records unverified events as evidence but does not
	// count them: only events that arrived on a signed return path suppress.
	RequireVerified bool
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{HardThreshold: 1, SoftThreshold: 3, SoftWindow: 168 * time.Hour, ComplaintThreshold: 1, SoftExpiry: 720 * time.Hour}
}

func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	if p.HardThreshold <= 0 {
		p.HardThreshold = d.HardThreshold
	}
	if p.SoftThreshold <= 0 {
		p.SoftThreshold = d.SoftThreshold
	}
	if p.SoftWindow <= 0 {
		p.SoftWindow = d.SoftWindow
	}
	if p.ComplaintThreshold <= 0 {
		p.ComplaintThreshold = d.ComplaintThreshold
	}
	return p
}

// Counts reports whether ev counts for an entry cleared at clearedAt (nil:
// never cleared): its class is hard, soft, block or complaint, it is
// verified when the policy requires it, and it arrived after the clearing.
// Events that do not count are kept as evidence only.
func (p Policy) Counts(ev Event, clearedAt *time.Time) bool {
	switch ev.Class {
	case dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock, dsn.ClassComplaint:
	default:
		return false
	}
	if p.RequireVerified && !ev.Verified {
		return false
	}
	return clearedAt == nil || ev.ReceivedAt.After(*clearedAt)
}

// Apply folds one counted event into e: counters, first and last seen, and
// the suppression decision. recentSoft is the number of counted soft events
// of the address received in (ev.ReceivedAt-SoftWindow, ev.ReceivedAt], ev
// included. An allowed (allowlisted) address is counted but never
// suppressed; a manual or imported suppression is never changed.
//
// A suppression takes the time and reason of the event that triggered it;
// a soft one expires SoftExpiry later. A hard bounce or complaint turns an
// active soft suppression into a permanent one.
func (p Policy) Apply(e *Entry, ev Event, recentSoft int, allowed bool) {
	p = p.withDefaults()
	e.count(ev)
	if allowed || e.Manual() {
		return
	}
	trigger, permanent := p.triggers(e, ev, recentSoft)
	if !trigger {
		return
	}
	if e.Suppressed && e.ExpiresAt == nil {
		return // already permanent
	}
	if e.Suppressed && !permanent && e.ExpiresAt.After(ev.ReceivedAt) {
		return // an active soft suppression is not extended
	}
	at := ev.ReceivedAt
	e.Suppressed, e.SuppressedAt, e.SuppressedReason = true, &at, string(ev.Reason)
	e.Source, e.ExpiresAt = SourceBounce, nil
	if ev.Class == dsn.ClassComplaint {
		e.Source = SourceComplaint
	}
	if !permanent && p.SoftExpiry > 0 {
		exp := at.Add(p.SoftExpiry)
		e.ExpiresAt = &exp
	}
}

// triggers reports whether e, with ev just counted, reaches a threshold, and
// whether the resulting suppression is permanent.
func (p Policy) triggers(e *Entry, ev Event, recentSoft int) (trigger, permanent bool) {
	switch ev.Class {
	case dsn.ClassHard:
		return e.HardCount >= p.HardThreshold, true
	case dsn.ClassComplaint:
		return e.ComplaintCount >= p.ComplaintThreshold, true
	case dsn.ClassSoft:
		return recentSoft >= p.SoftThreshold, false
	}
	return false, false // block: counted and reported, never suppresses
}

// count adds ev to e's counters and last-seen fields.
func (e *Entry) count(ev Event) {
	switch ev.Class {
	case dsn.ClassHard:
		e.HardCount++
	case dsn.ClassSoft:
		e.SoftCount++
	case dsn.ClassBlock:
		e.BlockCount++
	case dsn.ClassComplaint:
		e.ComplaintCount++
	}
	if e.FirstSeen.IsZero() || ev.ReceivedAt.Before(e.FirstSeen) {
		e.FirstSeen = ev.ReceivedAt
	}
	if !ev.ReceivedAt.Before(e.LastSeen) {
		e.LastSeen, e.LastClass, e.LastReason = ev.ReceivedAt, string(ev.Class), string(ev.Reason)
		e.LastStatus, e.LastDiagnostic = ev.Status, ev.Diagnostic
	}
}

// Evaluate rebuilds an entry from base and the address's complete event
// history (in any order): counters and automatic suppression are recomputed
// from scratch, while identity, note, clearing and a manual or imported
// suppression are kept from base. Record and Recompute agree on events
// that arrive in time order.
func (p Policy) Evaluate(base Entry, history []Event, allowed bool) Entry {
	p = p.withDefaults()
	e := Entry{Email: base.Email, Domain: base.Domain, Source: cmp.Or(base.Source, SourceBounce), Note: base.Note, ClearedAt: base.ClearedAt}
	if base.ClearedAt != nil { // what was seen before Remove stays seen, as Remove keeps it
		e.FirstSeen, e.LastSeen, e.LastClass, e.LastReason = base.FirstSeen, base.LastSeen, base.LastClass, base.LastReason
		e.LastStatus, e.LastDiagnostic = base.LastStatus, base.LastDiagnostic
	}
	if base.Manual() {
		e.Suppressed, e.SuppressedAt, e.SuppressedReason = true, base.SuppressedAt, base.SuppressedReason
		e.ExpiresAt, e.Source = base.ExpiresAt, base.Source
	}
	evs := make([]Event, 0, len(history))
	for _, ev := range history {
		if p.Counts(ev, base.ClearedAt) {
			evs = append(evs, ev)
		}
	}
	sortEvents(evs)
	var soft []time.Time
	for _, ev := range evs {
		if ev.Class == dsn.ClassSoft {
			soft = append(soft, ev.ReceivedAt)
		}
		p.Apply(&e, ev, p.recentSoft(soft, ev.ReceivedAt), allowed)
	}
	if len(evs) == 0 { // nothing counted: keep what was last seen
		e.FirstSeen, e.LastSeen, e.LastClass, e.LastReason = base.FirstSeen, base.LastSeen, base.LastClass, base.LastReason
		e.LastStatus, e.LastDiagnostic = base.LastStatus, base.LastDiagnostic
	}
	return e
}

// sortEvents orders events by received time, then by id.
func sortEvents(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// recentSoft counts the times in (t-SoftWindow, t]. times need not be sorted.
func (p Policy) recentSoft(times []time.Time, t time.Time) int {
	from := t.Add(-p.withDefaults().SoftWindow)
	n := 0
	for _, x := range times {
		if x.After(from) && !x.After(t) {
			n++
		}
	}
	return n
}
