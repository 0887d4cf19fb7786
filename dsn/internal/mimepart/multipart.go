package mimepart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MultipartReader splits a multipart body held in memory into its parts.
// It finds the same parts, with the same bodies and the same errors, as
// go-message's textproto.MultipartReader (itself Go's mime/multipart with
// quirks: LF line endings, LWSP after boundaries), over a 4 KiB read
// buffer; it reads each part's header with the rules of go-message's
// textproto.ReadHeader, keeping the two fields the walk uses. The one input
// read differently is a boundary of about 4 KiB or more (RFC 2046 allows
// 70 bytes), which go-message's buffer cannot hold.
type MultipartReader struct {
	data []byte
	end  error // what reading past data returns
	pos  int
	// partEnd is where the current part's body ends (-1 before the first
	// part): the next call continues from there.
	partEnd   int
	partsRead int

	nl               []byte // "\r\n" or "\n" (set after seeing first boundary line)
	nlDashBoundary   []byte // nl + "--boundary"
	dashBoundaryDash []byte // "--boundary--"
	dashBoundary     []byte // "--boundary"
}

// peekBufferSize is the size of go-message's multipart read buffer: a line
// between parts longer than this is an error.
const peekBufferSize = 4096

var errBufferFull = errors.New("bufio: buffer full")

func NewMultipartReader(data []byte, end error, boundary string) *MultipartReader {
	b := []byte("\r\n--" + boundary + "--")
	return &MultipartReader{
		data:             data,
		end:              end,
		partEnd:          -1,
		nl:               b[:2],
		nlDashBoundary:   b[:len(b)-2],
		dashBoundaryDash: b[2:],
		dashBoundary:     b[2 : len(b)-2],
	}
}

// readSlice is bufio.Reader.ReadSlice('\n') over the rest of the data.
func (r *MultipartReader) readSlice() ([]byte, error) {
	rest := r.data[r.pos:]
	i := bytes.IndexByte(rest[:min(len(rest), peekBufferSize)], '\n')
	switch {
	case i >= 0:
		r.pos += i + 1
		return rest[:i+1], nil
	case len(rest) >= peekBufferSize:
		r.pos += peekBufferSize
		return rest[:peekBufferSize], errBufferFull
	}
	r.pos = len(r.data)
	return rest, r.end
}

// NextPart returns the next part, or io.EOF after the last one. Like
// message.MultipartReader.NextPart, it may return a part and an error (an
// unknown transfer encoding or charset).
func (r *MultipartReader) NextPart() (*Entity, error) {
	if r.partEnd >= 0 {
		r.pos = r.partEnd
		r.partEnd = -1
	}
	if string(r.dashBoundary) == "--" {
		return nil, fmt.Errorf("multipart: boundary is empty")
	}
	expectNewPart := false
	for {
		line, err := r.readSlice()
		if err == io.EOF && r.isFinalBoundary(line) {
			// A final "--boundary--" without its line ending.
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("multipart: NextPart: %v", err)
		}
		if r.isBoundaryDelimiterLine(line) {
			r.partsRead++
			return r.newPart()
		}
		if r.isFinalBoundary(line) {
			return nil, io.EOF
		}
		if expectNewPart {
			return nil, fmt.Errorf("multipart: expecting a new Part; got line %q", string(line))
		}
		if r.partsRead == 0 {
			continue // preamble
		}
		// The line ending between a part's body and the boundary line.
		if bytes.Equal(line, r.nl) {
			expectNewPart = true
			continue
		}
		return nil, fmt.Errorf("multipart: unexpected line in Next(): %q", line)
	}
}

// newPart reads the header of the part starting at r.pos and finds its body.
func (r *MultipartReader) newPart() (*Entity, error) {
	ct, cte, err := r.readPartHeader()
	if err != nil {
		return nil, err
	}
	start := r.pos
	end, bodyErr := r.scanBody()
	r.partEnd = end
	return NewEntity(ct, cte, r.data[start:end], bodyErr)
}

// scanBody finds the end of the body starting at r.pos the way the part
// reader of go-message does (scanUntilBoundary over everything left, then
// once more with the read error) and returns it with the error reading past
// the body returns: io.EOF at a boundary.
func (r *MultipartReader) scanBody() (int, error) {
	pos, total := r.pos, int64(0)
	var readErr error
	for {
		n, err := scanUntilBoundary(r.data[pos:], r.dashBoundary, r.nlDashBoundary, total, readErr)
		if n == 0 && err == nil {
			if readErr != nil {
				return pos, readErr // not reached: scanUntilBoundary ends with readErr
			}
			readErr = r.end
			if readErr == io.EOF {
				readErr = io.ErrUnexpectedEOF
			}
			continue
		}
		pos += n
		total += int64(n)
		if err != nil {
			return pos, err
		}
	}
}

// scanUntilBoundary is go-message's (and mime/multipart's): how much of buf
// is part body, and the error to return once it is read.
func scanUntilBoundary(buf, dashBoundary, nlDashBoundary []byte, total int64, readErr error) (int, error) {
	if total == 0 {
		// At beginning of body, allow dashBoundary.
		if bytes.HasPrefix(buf, dashBoundary) {
			switch matchAfterPrefix(buf, dashBoundary, readErr) {
			case -1:
				return len(dashBoundary), nil
			case 0:
				return 0, nil
			case +1:
				return 0, io.EOF
			}
		}
		if bytes.HasPrefix(dashBoundary, buf) {
			return 0, readErr
		}
	}
	// Search for "\n--boundary".
	if i := bytes.Index(buf, nlDashBoundary); i >= 0 {
		switch matchAfterPrefix(buf[i:], nlDashBoundary, readErr) {
		case -1:
			return i + len(nlDashBoundary), nil
		case 0:
			return i, nil
		case +1:
			return i, io.EOF
		}
	}
	if bytes.HasPrefix(nlDashBoundary, buf) {
		return 0, readErr
	}
	// Otherwise, anything up to the final \n is not part of the boundary
	// and so must be part of the body. Also if the section from the final
	// \n onward is not a prefix of the boundary, it too must be part of the
	// body.
	i := bytes.LastIndexByte(buf, nlDashBoundary[0])
	if i >= 0 && bytes.HasPrefix(nlDashBoundary, buf[i:]) {
		return i, nil
	}
	return len(buf), readErr
}

// matchAfterPrefix reports whether buf, which starts with prefix, matches
// the boundary (+1: followed by a dash, space, tab, CR, LF or the end of
// the input), does not (-1), or needs more input to tell (0).
func matchAfterPrefix(buf, prefix []byte, readErr error) int {
	if len(buf) == len(prefix) {
		if readErr != nil {
			return +1
		}
		return 0
	}
	c := buf[len(prefix)]
	if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-' {
		return +1
	}
	return -1
}

// isFinalBoundary matches `^--boundary--[ \t]*(\r\n)?$`.
func (r *MultipartReader) isFinalBoundary(line []byte) bool {
	if !bytes.HasPrefix(line, r.dashBoundaryDash) {
		return false
	}
	rest := skipLWSPChar(line[len(r.dashBoundaryDash):])
	return len(rest) == 0 || bytes.Equal(rest, r.nl)
}

func (r *MultipartReader) isBoundaryDelimiterLine(line []byte) bool {
	if !bytes.HasPrefix(line, r.dashBoundary) {
		return false
	}
	rest := skipLWSPChar(line[len(r.dashBoundary):])
	// QUIRK: lines ending in LF instead of CRLF, seen on the first
	// boundary line, switch the reader to LF.
	if r.partsRead == 0 && len(rest) == 1 && rest[0] == '\n' {
		r.nl = r.nl[1:]
		r.nlDashBoundary = r.nlDashBoundary[1:]
	}
	return bytes.Equal(rest, r.nl)
}

// skipLWSPChar returns b with leading spaces and tabs removed.
func skipLWSPChar(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// readLine is bufio.Reader.ReadLine over the rest of the data, with long
// lines joined: the line without its LF or CRLF, or the read error when
// no data is left.
func (r *MultipartReader) readLine() ([]byte, error) {
	rest := r.data[r.pos:]
	if len(rest) == 0 {
		return nil, r.end
	}
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		r.pos = len(r.data)
		return rest, nil
	}
	r.pos += i + 1
	line := rest[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, nil
}

// readPartHeader reads a part's header block with the rules of go-message's
// textproto.ReadHeader and returns its first Content-Type and
// Content-Transfer-Encoding values.
func (r *MultipartReader) readPartHeader() (ct, cte string, err error) {
	var haveCT, haveCTE bool
	// The first line cannot start with a leading space.
	if r.pos < len(r.data) && isSpaceTab(r.data[r.pos]) {
		line, err := r.readLine()
		if err != nil {
			return "", "", err
		}
		return "", "", fmt.Errorf("message: malformed MIME header initial line: %v", string(line))
	}
	var lines [][]byte
	for {
		first, err := r.readLine()
		if first == nil && err != nil {
			if err == io.EOF {
				return ct, cte, nil // header without a body
			}
			return ct, cte, err
		}
		if len(first) == 0 {
			return ct, cte, nil
		}
		lines = append(lines[:0], first)
		for r.pos < len(r.data) && isSpaceTab(r.data[r.pos]) {
			l, _ := r.readLine()
			lines = append(lines, l)
		}
		i := bytes.IndexByte(first, ':')
		if i < 0 {
			// The key is then taken up to a colon in a continuation line,
			// or there is none: either way an error, worded from the whole
			// field as go-message joins it.
			return ct, cte, malformedField(lines)
		}
		key := trimSpaceTab(first[:i])
		for _, c := range key {
			if c < 33 || c > 126 || c == ':' {
				return ct, cte, fmt.Errorf("message: malformed MIME header key: %v", string(key))
			}
		}
		if len(key) == 0 {
			continue
		}
		switch {
		// (The keys are ASCII: EqualFold is equality of canonical keys.)
		case !haveCT && bytes.EqualFold(key, []byte("Content-Type")):
			haveCT = true
			ct = unfoldSpaceTab(first[i+1:], lines[1:])
		case !haveCTE && bytes.EqualFold(key, []byte("Content-Transfer-Encoding")):
			haveCTE = true
			cte = unfoldSpaceTab(first[i+1:], lines[1:])
		}
	}
}

// malformedField is go-message's error for a field whose first line has no
// colon.
func malformedField(lines [][]byte) error {
	var kv []byte
	for _, l := range lines {
		kv = append(kv, l...)
		kv = append(kv, '\r', '\n')
	}
	i := bytes.IndexByte(kv, ':')
	if i < 0 {
		return fmt.Errorf("message: malformed MIME header line: %v", string(kv))
	}
	// The key then holds the CRLF after the first line.
	return fmt.Errorf("message: malformed MIME header key: %v", string(trimSpaceTab(kv[:i])))
}

func isSpaceTab(c byte) bool { return c == ' ' || c == '\t' }

// trimSpaceTab removes leading and trailing spaces and tabs.
func trimSpaceTab(s []byte) []byte {
	i := 0
	for i < len(s) && isSpaceTab(s[i]) {
		i++
	}
	n := len(s)
	for n > i && isSpaceTab(s[n-1]) {
		n--
	}
	return s[i:n]
}

// unfoldSpaceTab joins a field value and its continuation lines as
// go-message does: each trimmed of spaces and tabs, empty ones dropped,
// the rest joined by one space.
func unfoldSpaceTab(first []byte, more [][]byte) string {
	v := trimSpaceTab(first)
	if len(more) == 0 {
		return string(v)
	}
	var buf [256]byte // most folded values fit: one allocation, the string
	b := append(buf[:0], v...)
	for _, l := range more {
		l = trimSpaceTab(l)
		if len(l) == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, l...)
	}
	return string(b)
}
