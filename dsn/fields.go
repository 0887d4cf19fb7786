package dsn

import (
	"bufio"
	"bytes"
	"io"
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
// linear time (appending strings would be quadratic on hostile input).
type unfolder struct {
	buf []byte
	on  bool
}

// start begins a new field value.
func (u *unfolder) start(v []byte) {
	u.buf = append(u.buf[:0], bytes.TrimSpace(v)...)
	u.on = true
}

// add appends a continuation line.
func (u *unfolder) add(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(u.buf) > maxFieldBytes {
		return
	}
	if len(u.buf) > 0 {
		u.buf = append(u.buf, ' ')
	}
	u.buf = append(u.buf, line...)
}

// startString and addString are start and add for string lines.
func (u *unfolder) startString(v string) {
	u.buf = append(u.buf[:0], strings.TrimSpace(v)...)
	u.on = true
}

func (u *unfolder) addString(line string) {
	line = strings.TrimSpace(line)
	if line == "" || len(u.buf) > maxFieldBytes {
		return
	}
	if len(u.buf) > 0 {
		u.buf = append(u.buf, ' ')
	}
	u.buf = append(u.buf, line...)
}

// flush stores the value into the last field of fs.
func (u *unfolder) flush(fs []field) {
	if u.on && len(fs) > 0 {
		fs[len(fs)-1].value = string(u.buf)
	}
	u.on = false
}

// wantedFields are the header fields any part of the parser reads; the
// others (Received, DKIM-Signature, ...) are skipped without copying.
var wantedFields = []string{
	"From", "To", "Subject", "Message-Id", "Date", "Return-Path", "Delivered-To", "X-Original-To",
	"Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", "Precedence", "X-Autoreply",
	"X-Autorespond", "X-Auto-Response-Suppress", "X-Failed-Recipients", "X-Apple-Unsubscribe",
	"X-HmXmrOriginalRecipient",
}

// headerStats describes a header block read by readHeader.
type headerStats struct {
	fields  int  // fields seen, kept or not
	bad     int  // lines that were not fields
	tooLong bool // the block exceeded the limit
}

// lineReader yields the lines of a header block with their line endings;
// n is the number of bytes consumed, err is set at the end of the input.
type lineReader interface {
	readLine() (line []byte, n int, err error)
}

// bufLines reads lines from a bufio.Reader, keeping at most maxFieldBytes
// of a line longer than the buffer (the rest is counted, not kept).
type bufLines struct {
	br   *bufio.Reader
	long []byte
}

func (r *bufLines) readLine() ([]byte, int, error) {
	b, err := r.br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, len(b), err
	}
	n := len(b)
	r.long = append(r.long[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = r.br.ReadSlice('\n')
		n += len(b)
		if len(r.long) < maxFieldBytes {
			r.long = append(r.long, b...)
		}
	}
	return r.long, n, err
}

// memLines reads lines from a byte slice without copying.
type memLines struct {
	data []byte
	off  int
}

func (r *memLines) readLine() ([]byte, int, error) {
	if r.off >= len(r.data) {
		return nil, 0, io.EOF
	}
	rest := r.data[r.off:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		r.off = len(r.data)
		return rest, len(rest), io.EOF
	}
	r.off += i + 1
	return rest[:i+1], i + 1, nil
}

// readHeader reads a header block up to the blank line that ends it,
// reading at most limit bytes, and keeps the fields named in wantedFields or
// extra. Lines that are not fields are skipped (a leading mbox "From "
// line, garbage) and counted.
func readHeader(src lineReader, limit int64, extra []string) (h header, st headerStats) {
	var total int64
	var u unfolder
	defer func() { u.flush(h) }()
	for {
		b, n, err := src.readLine()
		total += int64(n)
		if total > limit {
			st.tooLong = true
			return h, st
		}
		line := trimEOL(b)
		if len(line) == 0 {
			return h, st
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if u.on {
				u.add(line)
			}
		default:
			name, off, ok := fieldNameBytes(line)
			switch {
			case ok:
				st.fields++
				u.flush(h)
				if wanted(name, extra) {
					h = append(h, field{name: string(name)})
					u.start(line[off:])
				}
			case st.fields == 0 && st.bad == 0 && bytes.HasPrefix(line, []byte("From ")):
				// QUIRK: mbox files start with a "From " separator line.
			default:
				st.bad++
			}
		}
		if err != nil {
			return h, st
		}
	}
}

// trimEOL removes the line ending of b.
func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// fieldNameBytes is fieldName for a byte line.
func fieldNameBytes(line []byte) (name []byte, value int, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || i > 76 {
		return nil, 0, false
	}
	name = bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return nil, 0, false
	}
	for _, c := range name {
		if c <= ' ' || c >= 127 {
			return nil, 0, false
		}
	}
	return name, i + 1, true
}

// wanted reports whether a header field is one the parser reads.
func wanted(name []byte, extra []string) bool {
	for _, w := range wantedFields {
		if len(w) == len(name) && bytes.EqualFold(name, []byte(w)) {
			return true
		}
	}
	for _, w := range extra {
		if len(w) == len(name) && bytes.EqualFold(name, []byte(w)) {
			return true
		}
	}
	return false
}

// parseGroups splits a report body (message/delivery-status,
// message/feedback-report) into groups of fields. Blank lines separate
// groups; continuation lines are unfolded; lines that are not fields are
// ignored.
func parseGroups(s string) [][]field {
	var groups [][]field
	var cur []field
	var u unfolder
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			u.flush(cur)
			if len(cur) > 0 {
				groups = append(groups, cur)
				cur = nil
			}
			continue
		}
		if isContinuation(line) && len(cur) > 0 {
			u.addString(line)
			continue
		}
		if name, off, ok := fieldName(line); ok {
			u.flush(cur)
			cur = append(cur, field{name: name})
			u.startString(line[off:])
		}
	}
	u.flush(cur)
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}
