package notify

import (
	"fmt"
	"time"

	"github.com/bouncer-mail/bouncer/internal/calday"
	"github.com/bouncer-mail/bouncer/internal/duration"
)

// DayNotOverError is returned for a report asked for a day that has not
// ended yet in the report's time zone: its figures are not final, and
// recording it as sent would keep the scheduled, complete report from going
// out. A day that has not begun (Future) has nothing to report at all.
type DayNotOverError struct {
	Day time.Time // the day's first instant (local midnight, or 01:00 where the clocks skip midnight)
	End time.Time // the next day's first instant
	Now time.Time // when it was asked for
}

// Future reports whether the day had not even begun at Now.
func (e *DayNotOverError) Future() bool { return e.Now.Before(e.Day) }

func (e *DayNotOverError) Error() string { return "notify: " + e.Describe() }

// Describe says which day, in which zone, and when it begins or ends, as a
// sentence a command can quote.
func (e *DayNotOverError) Describe() string {
	zone := e.Day.Location().String()
	if e.Future() {
		return fmt.Sprintf("%s has not begun in %s (it begins %s, in %s): there is nothing to report yet",
			e.Day.Format(time.DateOnly), zone, e.Day.Format("2006-01-02 15:04 MST"), howLong(e.Day.Sub(e.Now)))
	}
	return fmt.Sprintf("%s is not over yet in %s: it ends %s, in %s",
		e.Day.Format(time.DateOnly), zone, e.End.Format("2006-01-02 15:04 MST"), howLong(e.End.Sub(e.Now)))
}

// howLong writes how long until something happens, to the minute.
func howLong(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	return duration.Format(d.Round(time.Minute))
}

// CheckDayOver returns a *DayNotOverError when the local day containing day
// (in loc) has not ended at now, and nil when it has.
func CheckDayOver(day, now time.Time, loc *time.Location) error {
	start, end := DayOf(day, loc), calday.AddDays(day, 1, loc)
	if now.Before(end) {
		return &DayNotOverError{Day: start, End: end, Now: now.In(loc)}
	}
	return nil
}
