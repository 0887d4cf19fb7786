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
	"From", "To", "Cc", "Subject", "Message-Id", "Date", "Return-Path", "Delivered-To", "X-Original-To",
	"Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", "Precedence", "X-Autoreply",
	"X-Autorespond", "X-Auto-Response-Suppress", "X-Failed-Recipients", "X-Apple-Unsubscribe",
	"X-HmXmrOriginalRecipient", "List-Id", "List-Unsubscribe", "List-Post", "Final-Recipient",
}

// headerStats describes a header block read by readHeader.
type headerStats struct {
	fields  int  // fields seen, kept or not
	bad     int  // lines that were not fields
	tooLong bool // the block exceeded the limit
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
func readHeader(src *memLines, limit int64, extra []string) (header, headerStats) {
	var st headerStats
	var total int64
	// The kept names and values, in arena, located by spans; on is set
	// while the last span's value is read.
	var arenaBuf [1024]byte
	var spanBuf [16]fieldSpan
	arena, spans, on := arenaBuf[:0], spanBuf[:0], false
	for {
		b, n, err := src.readLine()
		total += int64(n)
		if total > limit {
			st.tooLong = true
			break
		}
		line := trimEOL(b)
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if on {
				arena = appendContinuation(arena, spans[len(spans)-1].value, line)
			}
		} else if name, off, ok := fieldNameBytes(line); ok {
			st.fields++
			if on {
				spans[len(spans)-1].valueEnd = len(arena)
				on = false
			}
			if wanted(name, extra) {
				sp := fieldSpan{name: len(arena)}
				arena = append(arena, name...)
				sp.value = len(arena)
				arena = append(arena, bytes.TrimSpace(line[off:])...)
				spans = append(spans, sp)
				on = true
			}
		} else if st.fields == 0 && st.bad == 0 && bytes.HasPrefix(line, []byte("From ")) {
			// QUIRK: mbox files start with a "From " separator line.
		} else {
			st.bad++
		}
		if err != nil {
			break
		}
	}
	if on {
		spans[len(spans)-1].valueEnd = len(arena)
	}
	h := make(header, len(spans))
	all := string(arena)
	for i, sp := range spans {
		h[i] = field{name: all[sp.name:sp.value], value: all[sp.value:sp.valueEnd]}
	}
	return h, st
}

// fieldSpan locates the name and value of a kept field in readHeader's
// arena.
type fieldSpan struct{ name, value, valueEnd int }

// appendContinuation appends a continuation line to the value starting at
// arena[start:] (as unfolder.addString does).
func appendContinuation(arena []byte, start int, line []byte) []byte {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(arena)-start > maxFieldBytes {
		return arena
	}
	if len(arena) > start {
		arena = append(arena, ' ')
	}
	return append(arena, line...)
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
	name = line[:i]
	for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
		name = name[:len(name)-1]
	}
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
