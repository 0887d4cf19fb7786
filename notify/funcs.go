package notify

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/suppression"
)

// funcs are the helpers every template may call. They format; they never
// escape (html/template escapes their results in the HTML part), and clean
// keeps line breaks and control characters out of both parts.
var funcs = map[string]any{
	"num":   num,
	"num64": suppression.FormatCount,
	"rate":  func(f float64) string { return suppression.FormatRate(&f) },
	"upper": strings.ToUpper,
	"avg":   func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"delta": delta,
	"pct":   func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
	"clean": clean,
	"trunc": trunc,
	"pad":   pad,
	"lpad":  lpad,
	"bar":   func(percent int) string { return strings.Repeat("#", (percent+4)/5) },
	"dict":  dict,
	"join":  strings.Join,
	"diag":  diag,
	"wrap":  wrap,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return num(n) + " " + many
	},
}

// num formats n with a thousands separator: 1234567 → "1,234,567".
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// delta is the signed change from prev to day: "+3", "-2", "0".
func delta(day, prev int) string {
	d := day - prev
	if d > 0 {
		return "+" + num(d)
	}
	return num(d)
}

// clean makes stranger-written text safe for a plain-text line: control
// characters (escape sequences, line breaks) become spaces, runs of spaces
// collapse, and invalid UTF-8 is replaced.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// separatorRe matches the rulers bounces put around quoted text
// ("|----- Message text follows: -----", "===== Transcript of session
// follows =====") and bare runs of rule characters.
var separatorRe = regexp.MustCompile(`(?i)\|?\s*[-=_*#~]{3,}(?:\s*[a-z ]{0,40}follows:?)?(?:\s*[-=_*#~]+)?\s*\|?`)

// diag cleans a diagnostic for a person: clean, without separator rulers.
func diag(s string) string {
	return clean(separatorRe.ReplaceAllString(clean(s), " "))
}

// wrap breaks s into lines of at most width columns at spaces (a longer
// word stays whole), each line after the first starting with indent; the
// first is taken to start after indent too, which the template writes.
func wrap(width int, indent, s string) string {
	var b strings.Builder
	line := utf8.RuneCountInString(indent)
	for i, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteString("\n" + indent)
			line = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += n
	}
	return b.String()
}

// trunc cuts s to n runes, ending with "…" when it was longer.
func trunc(n int, s string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 0)]) + "…"
}

// pad right-pads s with spaces to n runes (longer strings are left alone).
func pad(n int, s string) string {
	return s + strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 0))
}

// lpad left-pads v, formatted with %v, to n runes.
func lpad(n int, v any) string {
	s := fmt.Sprint(v)
	return strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 0)) + s
}

// dict builds a map from alternating keys and values, so a template can
// hold its own labels: {{$l := dict "hard" "Hard bounces"}}{{index $l .Key}}.
func dict(kv ...string) (map[string]string, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments (%d)", len(kv))
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m, nil
}

// Zone names the report's time zone: its IANA name ("Europe/Paris"), or for
// a zone Go only knows as "Local" its abbreviation on the day ("CET").
func (r *Report) Zone() string {
	if r.Location == nil {
		return "UTC"
	}
	if name := r.Location.String(); name != "Local" {
		return name
	}
	return r.Day.In(r.Location).Format("MST")
}

// Date formats the report's day: "2026-11-25".
func (r *Report) Date() string { return r.Day.Format(time.DateOnly) }

// Time formats t in the report's time zone, "2026-11-25 08:00 CET"; "never"
// for the zero time.
func (r *Report) Time(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(r.Location).Format("2006-01-02 15:04 MST")
}

// Bounces is the day's hard, soft and block events together.
func (r *Report) Bounces() int {
	return r.Metric("hard").Day + r.Metric("soft").Day + r.Metric("block").Day
}
