// Package mbox splits mbox files (RFC 4155) into messages: messages one
// after another, each opened by a "From " postmark line ("From
// MAILER-DAEMON  Thu Apr 29 23:34:45 2015") that follows an empty line; a
// body line that starts with "From " is written as ">From " (mboxrd quotes
// ">From " as ">>From ", and so on). Bounce mailboxes exported from a mail
// client, and many saved bounces, are in this form. dsn.Parse reads one
// message; a Reader splits a file first. The package knows nothing of
// delivery reports.
package mbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
)

// Is reports whether start, the first bytes of a file, opens with an
// mbox postmark line ended by LF or CRLF. A file whose first line ends in a
// bare CR (or has no end in start) is read as one message.
func Is(start []byte) bool {
	if !bytes.HasPrefix(start, []byte("From ")) {
		return false
	}
	end := bytes.IndexByte(start, '\n')
	if end < 0 {
		return false
	}
	line := bytes.TrimSuffix(start[:end], []byte("\r"))
	return bytes.IndexByte(line, '\r') < 0 && postmark(line)
}

// Reader returns the messages of an mbox file one by one.
type Reader struct {
	br      *bufio.Reader
	started bool // the first postmark line has been read
	done    bool
	line    []byte // reused for lines longer than the buffer
}

// NewReader returns a reader of the messages in r, an mbox file.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next message without its postmark line, with quoted
// ">From " lines unquoted. At most max+1 bytes of a message are kept (so
// that dsn.ParseWithOptions with MaxSize max reports dsn.ErrTooLarge for a longer one); the
// rest is skipped up to the next postmark. After the last message it
// returns io.EOF. A file that does not open with a postmark line is an
// error naming what it starts with.
func (m *Reader) Next(max int) ([]byte, error) {
	if m.done {
		return nil, io.EOF
	}
	if !m.started {
		first, err := m.readLine()
		if len(first) == 0 && err != nil {
			m.done = true
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("mbox: %w", err)
		}
		if !postmark(trimEOL(first)) {
			m.done = true
			return nil, fmt.Errorf("mbox: the file does not open with a \"From \" line: %.40q", first)
		}
		m.started = true
		if err != nil {
			m.done = true
			return []byte{}, nil
		}
	}
	var msg []byte
	prevBlank := false
	blankAt := -1 // where the empty line before a postmark starts in msg
	var mime mimeState
	for {
		line, err := m.readLine()
		if len(line) > 0 {
			if prevBlank && bytes.HasPrefix(line, []byte("From ")) && postmark(trimEOL(line)) && !mime.open() {
				line = append([]byte(nil), line...) // Peek may move the buffer line points into
				if m.headerFollows() {
					if blankAt >= 0 && blankAt <= len(msg) {
						msg = msg[:blankAt] // the empty line belongs to the mbox, not the message
					}
					return msg, nil
				}
			}
			blank := len(bytes.TrimSpace(line)) == 0
			if blank {
				blankAt = len(msg)
			}
			mime.line(trimEOL(line), blank)
			if len(line) > 5 && line[0] == '>' {
				if q := bytes.TrimLeft(line, ">"); bytes.HasPrefix(q, []byte("From ")) {
					line = line[1:]
				}
			}
			if len(msg) <= max {
				room := max + 1 - len(msg)
				if len(line) > room {
					msg = append(msg, line[:room]...)
				} else {
					msg = append(msg, line...)
				}
			}
			prevBlank = blank
		}
		if err != nil {
			m.done = true
			if errors.Is(err, io.EOF) {
				return msg, nil
			}
			return msg, fmt.Errorf("mbox: %w", err)
		}
	}
}

// readLine returns the next line with its end, valid until the next call.
func (m *Reader) readLine() ([]byte, error) {
	line, err := m.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	m.line = append(m.line[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = m.br.ReadSlice('\n')
		m.line = append(m.line, line...)
	}
	return m.line, err
}

// headerFollows reports whether the next line is a header field ("Name:
// value", the name letters, digits and hyphens), as after a real postmark;
// a body line that happens to start with "From " after an empty line is
// followed by prose (or a URL: "https://" is no field).
func (m *Reader) headerFollows() bool {
	next, _ := m.br.Peek(80)
	if i := bytes.IndexByte(next, '\n'); i >= 0 {
		next = next[:i]
	}
	colon := bytes.IndexByte(next, ':')
	if colon <= 0 || colon+1 < len(next) && next[colon+1] == '/' {
		return false
	}
	for _, c := range next[:colon] {
		if !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// postmark reports whether line (without its end) is an mbox "From "
// line: "From", a sender token, and a date with a time of day and a
// year ("Thu Apr 29 23:34:45 2015", asctime's form, which mbox writers use).
func postmark(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("From "))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return false
	}
	date := rest[sp:]
	return hasTimeOfDay(date) && hasYear(date)
}

// hasTimeOfDay reports whether b holds "hh:mm".
func hasTimeOfDay(b []byte) bool {
	for i := 0; i+5 <= len(b); i++ {
		if isDigit(b[i]) && isDigit(b[i+1]) && b[i+2] == ':' && isDigit(b[i+3]) && isDigit(b[i+4]) {
			return true
		}
	}
	return false
}

// hasYear reports whether b holds a four-digit word from 1970 to 2099.
func hasYear(b []byte) bool {
	for i := 0; i+4 <= len(b); i++ {
		if (i > 0 && isDigit(b[i-1])) || (i+4 < len(b) && isDigit(b[i+4])) {
			continue
		}
		if (b[i] == '1' && b[i+1] == '9' && b[i+2] >= '7' || b[i] == '2' && b[i+1] == '0') && isDigit(b[i+2]) && isDigit(b[i+3]) {
			return true
		}
	}
	return false
}

// mimeState follows the top-level multipart structure of the message being
// read from an mbox: a postmark line inside an open multipart body (a
// returned message quoted with its own unescaped "From " line) belongs to
// the message, not to the mbox.
type mimeState struct {
	body     bool   // the header has ended
	ctype    []byte // the top-level Content-Type, unfolded
	inCType  bool   // the last header line was Content-Type
	boundary []byte // "--" + boundary, once the header has ended
	closed   bool   // the closing boundary has been seen
}

// line takes the next line of the message, without its end.
func (s *mimeState) line(l []byte, blank bool) {
	switch {
	case s.body:
		if len(s.boundary) > 0 && !s.closed && bytes.HasPrefix(l, s.boundary) && bytes.HasPrefix(bytes.TrimSpace(l[len(s.boundary):]), []byte("--")) {
			s.closed = true
		}
	case blank:
		s.body = true
		if b := multipartBoundary(string(s.ctype)); b != "" {
			s.boundary = append([]byte("--"), b...)
		}
	case len(l) > 0 && (l[0] == ' ' || l[0] == '\t'):
		if s.inCType && len(s.ctype) < 1024 {
			s.ctype = append(s.ctype, l...)
		}
	default:
		s.inCType = len(l) > 13 && bytes.EqualFold(l[:13], []byte("content-type:"))
		if s.inCType {
			s.ctype = append(s.ctype[:0], l[13:]...)
		}
	}
}

// open reports whether the message's multipart body is still open.
func (s *mimeState) open() bool {
	return s.body && len(s.boundary) > 0 && !s.closed
}

// multipartBoundary returns the boundary of a multipart Content-Type
// value, or "".
func multipartBoundary(ct string) string {
	if pc, ok := mimepart.ParseContentType(strings.TrimSpace(ct)); ok {
		if strings.HasPrefix(pc.MediaType, "multipart/") {
			return pc.Boundary
		}
		return ""
	}
	if mt, params, err := mime.ParseMediaType(ct); err == nil && strings.HasPrefix(mt, "multipart/") {
		return params["boundary"]
	}
	return ""
}

// trimEOL drops the line ending (LF, CRLF, or stray CRs) from b.
func trimEOL(b []byte) []byte {
	return bytes.TrimRight(b, "\r\n")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
