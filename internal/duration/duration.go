// Package duration reads and writes durations the way bouncer's
// configuration and command line accept them: a Go duration (90s, 30m,
// 24h) that may start with a number of days (7d, 1d12h). Format is the
// inverse of Parse, so what bouncer prints (config check, errors, tables)
// can be pasted back into a configuration file. It knows nothing else.
package duration

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is 24 hours, the unit "d" stands for.
const Day = 24 * time.Hour

// maxDays bounds the days Parse accepts (well inside time.Duration).
const maxDays = 100_000

// Parse reads a Go duration (90s, 168h) that may start with a number of
// days: 7d, 1d12h. The days part is a plain non-negative integer.
func Parse(s string) (time.Duration, error) {
	days, rest, ok := strings.Cut(s, "d")
	if !ok {
		return time.ParseDuration(s)
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 0 || n > maxDays || strings.HasPrefix(days, "+") {
		return 0, fmt.Errorf("bad number of days %q", days)
	}
	d := time.Duration(n) * Day
	if rest == "" {
		return d, nil
	}
	r, err := time.ParseDuration(rest)
	if err != nil || r < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d + r, nil
}

// Format writes d as a person writes it in the configuration: whole days
// from two days up (90d, 7d, 2d12h), else hours, minutes and seconds
// without the zero units Go's String adds (24h, 1h30m, 30m, 90s → 1m30s,
// 500ms). Parse(Format(d)) == d for every d ≥ 0.
func Format(d time.Duration) string {
	if d < 0 {
		return "-" + Format(-d)
	}
	if d < 2*Day {
		return compact(d)
	}
	s := strconv.FormatInt(int64(d/Day), 10) + "d"
	if rest := d % Day; rest > 0 {
		s += compact(rest)
	}
	return s
}

// compact is d.String() without trailing zero minutes and seconds:
// "2h0m0s" → "2h", "1h30m0s" → "1h30m", "30m0s" → "30m".
func compact(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Age writes an elapsed time for a person, to the precision that matters
// at its size: 40s, 12m, 5h12m, 3d4h. Unlike Format it rounds.
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return Format(d.Round(time.Second))
	case d < 2*Day:
		return Format(d.Round(time.Minute))
	}
	return Format(d.Round(time.Hour))
}
