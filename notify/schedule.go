package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/bouncer-mail/bouncer/internal/calday"
	"github.com/bouncer-mail/bouncer/suppression"
)

// ReportLock is the advisory lock name held while a day's report is sent.
const ReportLock = "bouncer.report"

// recordTimeout bounds writing a send's outcome after ctx has ended.
const recordTimeout = 10 * time.Second

// schedule is a cron schedule read in the report's time zone.
type schedule struct {
	cron cron.Schedule
	loc  *time.Location
}

func parseSchedule(spec string, loc *time.Location) (schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return schedule{}, fmt.Errorf("notify: report schedule %q: %w", spec, err)
	}
	return schedule{cron: s, loc: loc}, nil
}

// next is the first scheduled time after t. The schedule is read on the
// wall clock of s.loc: a time the clocks skip (00:00 in Santiago on the
// spring transition) runs at the instant they jump to, and a time they show
// twice runs once, at the first; so a daily schedule runs once every day.
func (s schedule) next(t time.Time) time.Time {
	for w := calday.Wall(t.In(s.loc)); ; {
		w = s.cron.Next(w)
		if w.IsZero() {
			return w
		}
		if at := calday.At(w, s.loc); at.After(t) {
			return at
		}
	}
}

// prev is the last scheduled time at or before t within the previous eight
// days (enough for daily and weekly schedules), or the zero time.
func (s schedule) prev(t time.Time) time.Time {
	var last time.Time
	for f := s.next(t.AddDate(0, 0, -8).Add(-time.Second)); !f.IsZero() && !f.After(t); f = s.next(f) {
		last = f
	}
	return last
}

// Next is the first scheduled report time after now.
func (n *Notifier) Next(now time.Time) time.Time { return n.sched.next(now) }

// Outcome says what a Tick did.
type Outcome string

// Outcomes of Tick.
const (
	NotDue      Outcome = "not_due"      // no schedule time yet, or a missed run on a fresh database
	AlreadySent Outcome = "already_sent" // the due report is recorded as sent
	Busy        Outcome = "busy"         // another process holds the lock or a fresh claim
	Sent        Outcome = "sent"         // this call sent it
)

// Tick sends the report due at now, if it was not sent: the run of the last
// schedule time at or before now, covering the local day before that time.
// A run more than LateAfter past its time is sent only when some report was
// recorded before (a missed run, not a fresh install) and says it is late.
// Safe to call from many processes at once: the day goes out once.
func (n *Notifier) Tick(ctx context.Context, now time.Time) (Outcome, error) {
	due := n.sched.prev(now)
	if due.IsZero() {
		return NotDue, nil
	}
	day := reportDayFor(due, n.Location())
	dayKey := day.Format(time.DateOnly)
	sent, err := n.daySent(ctx, dayKey)
	if err != nil {
		return "", err
	}
	if sent {
		return AlreadySent, nil
	}
	late := now.Sub(due) > n.cfg.LateAfter
	if late {
		_, seen, err := n.store.LastReportRun(ctx)
		if err != nil {
			return "", fmt.Errorf("notify: report %s: %w", dayKey, err)
		}
		if !seen {
			return NotDue, nil
		}
	}
	return n.runLocked(ctx, day, due, now, late)
}

// reportDayFor is the day a run due at due reports on: the local day before
// due's, each day once whatever the zone's clocks do at midnight.
func reportDayFor(due time.Time, loc *time.Location) time.Time { return calday.AddDays(due, -1, loc) }

// daySent reports whether day's report is recorded as sent.
func (n *Notifier) daySent(ctx context.Context, day string) (bool, error) {
	run, ok, err := n.store.ReportRun(ctx, day)
	if err != nil {
		return false, fmt.Errorf("notify: report %s: %w", day, err)
	}
	return ok && run.Status == suppression.RunSent, nil
}

// runLocked sends day's report under the report lock and a claim in
// report_runs, and records the outcome.
func (n *Notifier) runLocked(ctx context.Context, day, due, now time.Time, late bool) (Outcome, error) {
	dayKey := day.Format(time.DateOnly)
	release, ok, err := n.store.TryLock(ctx, ReportLock)
	if err != nil {
		return "", fmt.Errorf("notify: report %s: lock: %w", dayKey, err)
	}
	if !ok {
		return Busy, nil
	}
	defer release()
	claimed, err := n.store.ClaimReportRun(ctx, dayKey, now, n.cfg.StaleAfter)
	if err != nil {
		return "", fmt.Errorf("notify: report %s: claim: %w", dayKey, err)
	}
	if !claimed {
		sent, err := n.daySent(ctx, dayKey)
		if err != nil {
			return "", err
		}
		if sent {
			return AlreadySent, nil
		}
		return Busy, nil
	}
	run, err := n.attempt(ctx, day, due, now, late)
	// Record the outcome even when shutdown has begun: a sent report left
	// "sending" would be sent again once the claim goes stale.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if ferr := n.store.FinishReportRun(rctx, run); ferr != nil {
		err = errors.Join(err, fmt.Errorf("notify: report %s: record: %w", dayKey, ferr))
	}
	if err != nil {
		return "", err
	}
	return Sent, nil
}

// attempt composes and delivers day's report and returns the run to record.
func (n *Notifier) attempt(ctx context.Context, day, due, now time.Time, late bool) (suppression.ReportRun, error) {
	run := suppression.ReportRun{Day: day.Format(time.DateOnly), Status: suppression.RunSent, StartedAt: now, SentAt: now, Late: late}
	msg, _, id, err := n.Compose(ctx, day, now, late, due)
	if err == nil {
		run.MessageID = id
		err = n.deliver(ctx, n.cfg.To, msg)
		observeReport(err)
	}
	if err != nil {
		run.Status, run.SentAt, run.Error = suppression.RunFailed, time.Time{}, err.Error()
	}
	return run, err
}
