package calday

import (
	"testing"
	"time"
)

func TestStartEnd(t *testing.T) {
	for _, c := range []struct {
		zone, day  string
		start, end string // RFC 3339
		hours      int
	}{
		// Santiago skips 00:00→01:00 on 6 Sep 2026: the day starts at 01:00;
		// the day before still ends there, not at 23:00.
		{"America/Santiago", "2026-09-05", "2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00", 24},
		{"America/Santiago", "2026-09-06", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00", 23},
		{"America/Santiago", "2026-04-04", "2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00", 25},
		{"America/Santiago", "2026-04-05", "2026-04-05T00:00:00-04:00", "2026-04-06T00:00:00-04:00", 24},
		{"America/Havana", "2026-03-07", "2026-03-07T00:00:00-05:00", "2026-03-08T01:00:00-04:00", 24},
		{"America/Havana", "2026-03-08", "2026-03-08T01:00:00-04:00", "2026-03-09T00:00:00-04:00", 23},
		// Havana goes back 01:00→00:00 on 1 Nov: midnight happens twice, the
		// day starts at the first.
		{"America/Havana", "2026-11-01", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25},
		{"Asia/Beirut", "2026-03-29", "2026-03-29T01:00:00+03:00", "2026-03-30T00:00:00+03:00", 23},
		{"Asia/Beirut", "2026-03-28", "2026-03-28T00:00:00+02:00", "2026-03-29T01:00:00+03:00", 24},
		{"Asia/Beirut", "2026-10-24", "2026-10-24T00:00:00+03:00", "2026-10-25T00:00:00+02:00", 25},
		{"Europe/London", "2026-03-29", "2026-03-29T00:00:00Z", "2026-03-30T00:00:00+01:00", 23},
		{"Europe/London", "2026-10-25", "2026-10-25T00:00:00+01:00", "2026-10-26T00:00:00Z", 25},
		{"UTC", "2026-03-29", "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z", 24},
		{"UTC", "2026-10-25", "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z", 24},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(c.day)
		if err != nil {
			t.Fatal(err)
		}
		start, end := d.Start(loc), d.End(loc)
		if got := start.Format(time.RFC3339); got != c.start {
			t.Errorf("%s %s: start %s, want %s", c.zone, c.day, got, c.start)
		}
		if got := end.Format(time.RFC3339); got != c.end {
			t.Errorf("%s %s: end %s, want %s", c.zone, c.day, got, c.end)
		}
		if got := end.Sub(start); got != time.Duration(c.hours)*time.Hour {
			t.Errorf("%s %s: %s long, want %dh", c.zone, c.day, got, c.hours)
		}
		// Every instant of the window is on the day, and the instants
		// either side are not.
		if Of(start, loc) != d || Of(end.Add(-time.Nanosecond), loc) != d {
			t.Errorf("%s %s: window [%s, %s) leaves the day", c.zone, c.day, start, end)
		}
		if Of(start.Add(-time.Nanosecond), loc) == d || Of(end, loc) == d {
			t.Errorf("%s %s: the day goes on outside [%s, %s)", c.zone, c.day, start, end)
		}
		if StartOf(start.Add(time.Hour), loc) != start || StartOf(end.Add(-time.Nanosecond), loc) != start {
			t.Errorf("%s %s: StartOf an instant of the day is not its start", c.zone, c.day)
		}
		if got := AddDays(end, -1, loc); !got.Equal(start) {
			t.Errorf("%s %s: AddDays(end, -1) = %s, want %s", c.zone, c.day, got, start)
		}
	}
}

func TestParse(t *testing.T) {
	if _, err := Parse("2026-9-6"); err == nil || err.Error() != `date "2026-9-6": want YYYY-MM-DD` {
		t.Errorf("Parse(2026-9-6) = %v", err)
	}
	d, err := Parse("2026-12-31")
	if err != nil || d.Add(1).String() != "2027-01-01" || d.Add(-365).String() != "2025-12-31" {
		t.Errorf("Parse/Add: %v %v", d, err)
	}
}
