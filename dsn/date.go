package dsn

import (
	"net/mail"
	"strings"
	"time"
)

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// zones are the obsolete zone names of RFC 5322 section 4.3, as offsets
// in hours.
var zones = map[string]int{"UT": 0, "GMT": 0, "UTC": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "JST": 9}

// parseDate reads an RFC 5322 date ("Thu, 29 Apr 2010 23:34:45 +0900
// (JST)") without allocating on the common forms, and falls back to
// net/mail for the others. The common forms come back in UTC.
func parseDate(v string) (time.Time, bool) {
	if t, ok := fastDate(v); ok {
		return t, true
	}
	if i := strings.IndexByte(v, '('); i > 0 {
		if t, err := mail.ParseDate(strings.TrimSpace(v[:i])); err == nil {
			return t, true
		}
	}
	t, err := mail.ParseDate(v)
	return t, err == nil
}

// fastDate parses "[Day,] D Mon YYYY HH:MM[:SS] ZONE [comment]", in UTC.
func fastDate(v string) (time.Time, bool) {
	var fields [6]string
	n := 0
	for f := range strings.FieldsSeq(v) {
		if n == len(fields) {
			break
		}
		fields[n] = f
		n++
	}
	f := fields[:n]
	if len(f) > 0 && strings.HasSuffix(f[0], ",") {
		f = f[1:]
	}
	if len(f) < 5 {
		return time.Time{}, false
	}
	day, ok1 := atoi(f[0])
	mon := monthOf(f[1])
	year, ok2 := atoi(f[2])
	if !ok1 || !ok2 || mon == 0 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if year < 100 {
		year += 1900
		if year < 1950 {
			year += 100
		}
	}
	hh, mm, ss, ok := clock(f[3])
	if !ok {
		return time.Time{}, false
	}
	off, ok := zoneOffset(f[4])
	if !ok {
		return time.Time{}, false
	}
	// The wall clock at offset off, as an instant in UTC (no FixedZone to
	// allocate).
	t := time.Date(year, time.Month(mon), day, hh, mm, ss, 0, time.UTC)
	if t.Day() != day { // "31 Feb": time.Date would normalise it to 3 Mar
		return time.Time{}, false
	}
	return t.Add(-time.Duration(off) * time.Second), true
}

// atoi reads a short unsigned decimal number.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// monthOf returns 1..12 for a month name, 0 when unknown.
func monthOf(s string) int {
	if len(s) < 3 {
		return 0
	}
	for i, m := range months {
		if strings.EqualFold(s[:3], m) {
			return i + 1
		}
	}
	return 0
}

// clock reads "HH:MM" or "HH:MM:SS".
func clock(s string) (hh, mm, ss int, ok bool) {
	h, rest, ok1 := strings.Cut(s, ":")
	m, sec, hasSec := strings.Cut(rest, ":")
	if !ok1 || strings.IndexByte(sec, ':') >= 0 {
		return 0, 0, 0, false
	}
	var okh, okm, oks bool
	hh, okh = atoi(h)
	mm, okm = atoi(m)
	oks = true
	if hasSec {
		ss, oks = atoi(sec)
	}
	return hh, mm, ss, okh && okm && oks && hh < 24 && mm < 60 && ss < 61
}

// zoneOffset reads "+0900", "-0500" or a named zone, in seconds.
func zoneOffset(z string) (int, bool) {
	if len(z) == 5 && (z[0] == '+' || z[0] == '-') {
		h, ok1 := atoi(z[1:3])
		m, ok2 := atoi(z[3:5])
		if !ok1 || !ok2 {
			return 0, false
		}
		off := h*3600 + m*60
		if z[0] == '-' {
			off = -off
		}
		return off, true
	}
	if h, ok := zones[strings.ToUpper(z)]; ok {
		return h * 3600, true
	}
	return 0, false
}
