package suppression

import (
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

func ev(class dsn.Class, reason dsn.Reason, at time.Duration) Event {
	return Event{Class: class, Reason: reason, ReceivedAt: t0.Add(at), Verified: true}
}

// TestEvaluate runs the pure policy over histories and checks the state at
// a given time.
func TestEvaluate(t *testing.T) {
	day := 24 * time.Hour
	p := DefaultPolicy()
	never := p
	never.SoftExpiry = 0
	strict := p
	strict.RequireVerified = true
	unverified := ev(dsn.ClassHard, dsn.ReasonUserUnknown, 0)
	unverified.Verified = false
	tests := []struct {
		name     string
		p        Policy
		history  []Event
		allowed  bool
		at       time.Duration // when Active is asked
		active   bool
		reason   string
		counts   [4]int // hard, soft, block, complaint
		expireIn time.Duration
	}{
		{"one hard", p, []Event{ev(dsn.ClassHard, dsn.ReasonUserUnknown, 0)}, false, day, true, "userunknown", [4]int{1, 0, 0, 0}, 0},
		{"two soft", p, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, day)}, false, 2 * day, false, "", [4]int{0, 2, 0, 0}, 0},
		{"three soft in window", p, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, day), ev(dsn.ClassSoft, dsn.ReasonSystemFull, 6*day)}, false, 7 * day, true, "systemfull", [4]int{0, 3, 0, 0}, 6*day + 720*time.Hour},
		{"three soft, expired", p, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, day), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 2*day)}, false, 40 * day, false, "mailboxfull", [4]int{0, 3, 0, 0}, 2*day + 720*time.Hour},
		{"three soft, never expire", never, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, day), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 2*day)}, false, 400 * day, true, "mailboxfull", [4]int{0, 3, 0, 0}, 0},
		{"three soft over 8 days", p, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 4*day), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 8*day)}, false, 9 * day, false, "", [4]int{0, 3, 0, 0}, 0},
		{"blocks never", p, []Event{ev(dsn.ClassBlock, dsn.ReasonBlocked, 0), ev(dsn.ClassBlock, dsn.ReasonBlocked, time.Hour), ev(dsn.ClassBlock, dsn.ReasonBlocked, 2*time.Hour)}, false, day, false, "", [4]int{0, 0, 3, 0}, 0},
		{"ignore not counted", p, []Event{ev(dsn.ClassIgnore, dsn.ReasonVacation, 0)}, false, day, false, "", [4]int{}, 0},
		{"complaint", p, []Event{ev(dsn.ClassComplaint, dsn.ReasonFeedback, 0)}, false, day, true, "feedback", [4]int{0, 0, 0, 1}, 0},
		{"allowlisted", p, []Event{ev(dsn.ClassHard, dsn.ReasonUserUnknown, 0)}, true, day, false, "", [4]int{1, 0, 0, 0}, 0},
		{"unverified under require_verified", strict, []Event{unverified}, false, day, false, "", [4]int{}, 0},
		{"soft then hard is permanent", p, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, day), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 2*day), ev(dsn.ClassHard, dsn.ReasonUserUnknown, 3*day)}, false, 400 * day, true, "userunknown", [4]int{1, 3, 0, 0}, 0},
		{"out of order history", p, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 2*day), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, day)}, false, 3 * day, true, "mailboxfull", [4]int{0, 3, 0, 0}, 2*day + 720*time.Hour},
	}
	for _, tt := range tests {
		e := tt.p.Evaluate(Entry{Email: "a@example.com", Domain: "example.com"}, tt.history, tt.allowed)
		if got := e.Active(t0.Add(tt.at)); got != tt.active {
			t.Errorf("%s: Active = %v, want %v (%+v)", tt.name, got, tt.active, e)
		}
		if e.SuppressedReason != tt.reason {
			t.Errorf("%s: reason = %q, want %q", tt.name, e.SuppressedReason, tt.reason)
		}
		if got := [4]int{e.HardCount, e.SoftCount, e.BlockCount, e.ComplaintCount}; got != tt.counts {
			t.Errorf("%s: counts = %v, want %v", tt.name, got, tt.counts)
		}
		switch {
		case tt.expireIn == 0 && e.ExpiresAt != nil:
			t.Errorf("%s: expires %v, want never", tt.name, e.ExpiresAt)
		case tt.expireIn != 0 && (e.ExpiresAt == nil || !e.ExpiresAt.Equal(t0.Add(tt.expireIn))):
			t.Errorf("%s: expires %v, want %v", tt.name, e.ExpiresAt, t0.Add(tt.expireIn))
		}
	}
}

func TestEvaluateKeepsManualAndClearing(t *testing.T) {
	p := DefaultPolicy()
	at := t0.Add(-time.Hour)
	manual := Entry{Email: "a@example.com", Domain: "example.com", Suppressed: true, SuppressedAt: &at, SuppressedReason: "asked", Source: SourceManual}
	e := p.Evaluate(manual, []Event{ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 0)}, false)
	if e.Source != SourceManual || e.SuppressedReason != "asked" || e.SoftCount != 1 {
		t.Errorf("manual entry evaluated = %+v", e)
	}
	cleared := t0.Add(time.Hour)
	e = p.Evaluate(Entry{Email: "a@example.com", ClearedAt: &cleared}, []Event{ev(dsn.ClassHard, dsn.ReasonUserUnknown, 0), ev(dsn.ClassSoft, dsn.ReasonMailboxFull, 2*time.Hour)}, false)
	if e.Suppressed || e.HardCount != 0 || e.SoftCount != 1 {
		t.Errorf("cleared entry evaluated = %+v, want the hard bounce before clearing ignored", e)
	}
}
