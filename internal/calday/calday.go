// Package calday is the one place a calendar day becomes a window of
// instants in a time zone. A day is a date (year, month, day); it starts at
// the first instant whose local date is that day and ends where the next day
// starts. Local midnight is not always that instant: where a zone's clocks
// skip from 00:00 to 01:00 (America/Santiago, America/Havana, Asia/Beirut on
// their spring transition) midnight does not exist and time.Date normalises
// it into the day before, and where clocks go back over midnight it happens
// twice. Days are never computed as midnight plus AddDate.
package calday

import (
	"fmt"
	"time"
)

// Date is a calendar day, independent of any zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Of returns the date t falls on in loc.
func Of(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// Parse reads a YYYY-MM-DD date.
func Parse(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Of(t, time.UTC), nil
}

// String is the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Add returns the date n days later (earlier for a negative n).
func (d Date) Add(n int) Date {
	return Of(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Start is the first instant whose local date in loc is d.
func (d Date) Start(loc *time.Location) time.Time {
	return At(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), loc)
}

// At returns the instant loc's clocks first show the wall clock time w (its
// date and time of day, read whatever w's zone): the first of the two when
// the clocks go back over it, and the instant they jump to when they skip
// it.
func At(w time.Time, loc *time.Location) time.Time {
	wall := Wall(w)
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc)
	switch got := Wall(t); {
	case got.Before(wall):
		// Skipped, and normalised back into the zone before the jump.
		_, end := t.ZoneBounds()
		return end
	case got.After(wall):
		// Skipped, and normalised forward into the zone after it.
		start, _ := t.ZoneBounds()
		return start
	}
	// The clocks may have shown it before, in the zone before t's.
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		_, off := start.Add(-time.Nanosecond).Zone()
		e := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.FixedZone("", off))
		if e.Before(start) && Wall(e.In(loc)).Equal(wall) {
			return e.In(loc)
		}
	}
	return t
}

// Wall returns t's wall clock reading (in t's own zone) as the same date and
// time of day in UTC, so readings compare and step without DST.
func Wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// End is where d ends in loc: the start of the next day.
func (d Date) End(loc *time.Location) time.Time { return d.Add(1).Start(loc) }

// StartOf returns the start of the day t falls on in loc.
func StartOf(t time.Time, loc *time.Location) time.Time { return Of(t, loc).Start(loc) }

// AddDays returns the start of the day n days after the day t falls on in
// loc (before, for a negative n).
func AddDays(t time.Time, n int, loc *time.Location) time.Time {
	return Of(t, loc).Add(n).Start(loc)
}
