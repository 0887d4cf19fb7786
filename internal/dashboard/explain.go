package dashboard

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/duration"
	"github.com/bouncer-mail/bouncer/suppression"
)

// explain says in words why an address is or is not suppressed at now,
// from its entry, its newest events and the policy.
func (h *handler) explain(d suppression.Detail, p suppression.Policy, now time.Time) string {
	e := d.Entry
	switch {
	case d.Allowlisted:
		return "Deliverable: the allowlist covers this address (or its domain); failures are counted but never suppress it."
	case e.Manual() && e.Active(now):
		return fmt.Sprintf("Suppressed by hand (%s) on %s: %s%s.", e.Source, h.whenp(e.SuppressedAt), e.SuppressedReason, h.until(e.ExpiresAt))
	case e.Suppressed && !e.Active(now):
		return fmt.Sprintf("Deliverable again: the suppression (%s) expired on %s.", e.SuppressedReason, h.whenp(e.ExpiresAt))
	case e.Suppressed:
		return fmt.Sprintf("Suppressed on %s: %s%s%s.", h.whenp(e.SuppressedAt), h.counted(e, p), h.evidence(d.Events, causeClass(e, p)), h.until(e.ExpiresAt))
	}
	msg := "Deliverable: " + h.counted(e, p) + ", below the policy's thresholds (" + thresholds(p) + "); blocks never suppress on their own"
	if e.ClearedAt != nil {
		msg += "; counts were cleared by a removal on " + h.when(*e.ClearedAt)
	}
	return msg + "."
}

// counted lists the non-zero counters in words.
func (h *handler) counted(e suppression.Entry, p suppression.Policy) string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, plural(n, what))
		}
	}
	add(e.HardCount, "hard bounce")
	if e.SoftCount > 0 {
		parts = append(parts, plural(e.SoftCount, "soft bounce")+" within "+days(p.SoftWindow))
	}
	add(e.ComplaintCount, "complaint")
	add(e.BlockCount, "block")
	if len(parts) == 0 {
		return "no counted failures"
	}
	return strings.Join(parts, ", ")
}

// causeClass is the class of failure that keeps e suppressed: complaints
// for a complaint suppression, else hard bounces once they reach the
// threshold, else soft bounces. The newest event may be of another class (a
// soft bounce after the complaint that suppressed the address).
func causeClass(e suppression.Entry, p suppression.Policy) string {
	switch {
	case e.Source == suppression.SourceComplaint:
		return string(dsn.ClassComplaint)
	case e.HardCount > 0 && e.HardCount >= p.HardThreshold:
		return string(dsn.ClassHard)
	case e.SoftCount > 0:
		return string(dsn.ClassSoft)
	}
	return e.LastClass
}

// classWords names one event of a class: "hard bounce", "complaint".
var classWords = map[string]string{"hard": "hard bounce", "soft": "soft bounce", "block": "block", "complaint": "complaint"}

// evidence describes the newest event of class, naming the class: its
// status, reason, receiving server and date.
func (h *handler) evidence(events []suppression.Event, class string) string {
	for _, ev := range events {
		if string(ev.Class) != class {
			continue
		}
		s := "; the last " + cmp.Or(classWords[class], class) + ": " + strings.TrimSpace(ev.Status+" "+string(ev.Reason))
		if mta := ev.RemoteMTA; mta != "" {
			s += " from " + mta
		} else if ev.ReportingMTA != "" {
			s += " reported by " + ev.ReportingMTA
		}
		return s + " on " + h.when(ev.ReceivedAt)
	}
	return ""
}

func (h *handler) whenp(t *time.Time) string {
	if t == nil {
		return "an unknown date"
	}
	return h.when(*t)
}

func (h *handler) until(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ", until " + h.when(*t)
}

func thresholds(p suppression.Policy) string {
	return fmt.Sprintf("%s, %s within %s, %s", plural(p.HardThreshold, "hard bounce"), plural(p.SoftThreshold, "soft bounce"),
		days(p.SoftWindow), plural(p.ComplaintThreshold, "complaint"))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// days writes a window as days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day")
	}
	return duration.Format(d)
}
