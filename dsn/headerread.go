package dsn

import (
	"bytes"
	"io"
)

// Reading header blocks (of the message, of parts, of returned originals)
// from a stream or from memory, keeping only the fields the parser uses.

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

// memLines reads lines from a byte slice without copying. A line longer
// than maxLine (when set) is cut to maxLine bytes, as reading it through a
// small bufio.Reader kept at most maxFieldBytes of it.
type memLines struct {
	data    []byte
	off     int
	maxLine int
}

func (r *memLines) readLine() ([]byte, int, error) {
	if r.off >= len(r.data) {
		return nil, 0, io.EOF
	}
	rest := r.data[r.off:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		r.off = len(r.data)
		return r.cut(rest), len(rest), io.EOF
	}
	r.off += i + 1
	return r.cut(rest[:i+1]), i + 1, nil
}

func (r *memLines) cut(line []byte) []byte {
	if r.maxLine > 0 && len(line) > r.maxLine {
		return line[:r.maxLine]
	}
	return line
}

// readHeader reads a header block up to the blank line that ends it,
// reading at most limit bytes, and keeps the fields named in wantedFields or
// extra. Lines that are not fields are skipped (a leading mbox "From "
// line, garbage) and counted. Values are unfolded like unfolder does; the
// names and values kept share one string.
func readHeader(src lineReader, limit int64, extra []string) (header, headerStats) {
	var st headerStats
	var total int64
	var arenaBuf [1024]byte
	var spanBuf [16]fieldSpan
	kept := keptFields{arena: arenaBuf[:0], spans: spanBuf[:0]}
	for {
		b, n, err := src.readLine()
		total += int64(n)
		if total > limit {
			st.tooLong = true
			return kept.header(), st
		}
		line := trimEOL(b)
		if len(line) == 0 {
			return kept.header(), st
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			kept = kept.add(line)
		default:
			name, off, ok := fieldNameBytes(line)
			switch {
			case ok:
				st.fields++
				kept = kept.end()
				if wanted(name, extra) {
					kept = kept.start(name, line[off:])
				}
			case st.fields == 0 && st.bad == 0 && bytes.HasPrefix(line, []byte("From ")):
				// QUIRK: mbox files start with a "From " separator line.
			default:
				st.bad++
			}
		}
		if err != nil {
			return kept.header(), st
		}
	}
}

// fieldSpan locates the name and value of a kept field in the arena.
type fieldSpan struct{ name, value, valueEnd int }

// keptFields accumulates the names and unfolded values of the fields
// readHeader keeps in one buffer. Its methods return the updated value (so
// that the buffers can stay on readHeader's stack).
type keptFields struct {
	arena []byte
	spans []fieldSpan
	on    bool // the last span's value is being read
}

// start begins a kept field.
func (k keptFields) start(name, value []byte) keptFields {
	k = k.end()
	sp := fieldSpan{name: len(k.arena)}
	k.arena = append(k.arena, name...)
	sp.value = len(k.arena)
	k.arena = append(k.arena, bytes.TrimSpace(value)...)
	k.spans = append(k.spans, sp)
	k.on = true
	return k
}

// add appends a continuation line to the value being read (as
// unfolder.addString).
func (k keptFields) add(line []byte) keptFields {
	if !k.on {
		return k
	}
	start := k.spans[len(k.spans)-1].value
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(k.arena)-start > maxFieldBytes {
		return k
	}
	if len(k.arena) > start {
		k.arena = append(k.arena, ' ')
	}
	k.arena = append(k.arena, line...)
	return k
}

// end closes the value being read.
func (k keptFields) end() keptFields {
	if k.on {
		k.spans[len(k.spans)-1].valueEnd = len(k.arena)
		k.on = false
	}
	return k
}

// header returns the kept fields.
func (k keptFields) header() header {
	k = k.end()
	h := make(header, len(k.spans))
	s := string(k.arena)
	for i, sp := range k.spans {
		h[i] = field{name: s[sp.name:sp.value], value: s[sp.value:sp.valueEnd]}
	}
	return h
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
