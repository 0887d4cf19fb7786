package dsn

import (
	"strings"
)

// field is one "Name: value" line of a header block or of a report body,
// its continuation lines unfolded into value.
type field struct {
	name  string // as written, without the colon
	value string // trimmed, continuation lines joined by one space
}

// header is a header block in order of appearance.
type header []field

// get returns the first value of the named field, or "".
func (h header) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// values returns every value of the named field in order.
func (h header) values(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// has reports whether the named field is present.
func (h header) has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return true
		}
	}
	return false
}

// fieldName returns the name of a "Name: value" line and the offset of its
// value, or ok=false when the line is not a field.
func fieldName(line string) (name string, value int, ok bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 || i > 76 {
		return "", 0, false
	}
	name = strings.TrimRight(line[:i], " \t")
	if name == "" {
		return "", 0, false
	}
	for j := 0; j < len(name); j++ {
		c := name[j]
		if c <= ' ' || c >= 127 {
			return "", 0, false
		}
	}
	return name, i + 1, true
}

// isContinuation reports whether line continues the previous field.
func isContinuation(line string) bool {
	return len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
}

// appendFolded appends a continuation line to a field value.
func appendFolded(v, line string) string {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return v
	case v == "":
		return line
	}
	return v + " " + line
}

// maxFieldBytes caps the unfolded value of one field; the rest is dropped.
const maxFieldBytes = 64 << 10

// unfolder accumulates the continuation lines of the field being read, in
// linear time (appending strings would be quadratic on hostile input). A
// value on one line is kept as a substring of its line, not copied.
type unfolder struct {
	first string // the trimmed first line
	buf   []byte // the value, once a continuation line is added
	multi bool   // buf holds the value
	on    bool
}

// startString begins a new field value.
func (u *unfolder) startString(v string) {
	u.first = strings.TrimSpace(v)
	u.multi = false
	u.on = true
}

// addString appends a continuation line.
func (u *unfolder) addString(line string) {
	line = strings.TrimSpace(line)
	n := len(u.first)
	if u.multi {
		n = len(u.buf)
	}
	if line == "" || n > maxFieldBytes {
		return
	}
	if !u.multi {
		u.buf = append(u.buf[:0], u.first...)
		u.multi = true
	}
	if len(u.buf) > 0 {
		u.buf = append(u.buf, ' ')
	}
	u.buf = append(u.buf, line...)
}

// flush stores the value into the last field of fs.
func (u *unfolder) flush(fs []field) {
	if u.on && len(fs) > 0 {
		if u.multi {
			fs[len(fs)-1].value = string(u.buf)
		} else {
			fs[len(fs)-1].value = u.first
		}
	}
	u.on = false
}

// parseGroups splits a report body (message/delivery-status,
// message/feedback-report) into groups of fields. Blank lines separate
// groups; continuation lines are unfolded; lines that are not fields are
// ignored.
func parseGroups(s string) [][]field {
	// The fields of all groups share one array; ends[i] is where group i
	// ends in it.
	var fieldBuf [16]field
	var endBuf [8]int
	all, ends := fieldBuf[:0], endBuf[:0]
	start := 0
	var u unfolder
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			u.flush(all)
			if len(all) > start {
				ends = append(ends, len(all))
				start = len(all)
			}
			continue
		}
		if isContinuation(line) && len(all) > start {
			u.addString(line)
			continue
		}
		if name, off, ok := fieldName(line); ok {
			u.flush(all)
			all = append(all, field{name: name})
			u.startString(line[off:])
		}
	}
	u.flush(all)
	if len(all) > start {
		ends = append(ends, len(all))
	}
	if len(ends) == 0 {
		return nil
	}
	fields := make([]field, len(all))
	copy(fields, all)
	groups := make([][]field, len(ends))
	start = 0
	for i, end := range ends {
		groups[i] = fields[start:end:end]
		start = end
	}
	return groups
}
