package poller

import "io"

// crlfReader turns every bare LF of its source into CRLF, so a message has
// one byte form, and one key, whichever way it arrived: IMAP (CRLF already),
// POP3 (net/textproto's DotReader yields LF) or an MTA pipe (LF).
type crlfReader struct {
	r         io.Reader
	prevCR    bool
	pendingLF bool // the LF of an expanded CRLF that did not fit in p
	buf       []byte
}

// reset starts reading r, keeping the buffer.
func (c *crlfReader) reset(r io.Reader) {
	if c.buf == nil {
		c.buf = make([]byte, 16<<10)
	}
	c.r, c.prevCR, c.pendingLF = r, false, false
}

func (c *crlfReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	out := 0
	if c.pendingLF {
		p[0], out, c.pendingLF = '\n', 1, false
		if len(p) == 1 {
			return 1, nil
		}
	}
	// Read at most half of the room left: each byte may grow into two.
	n, err := c.r.Read(c.buf[:min(len(c.buf), max(1, (len(p)-out)/2))])
	for _, b := range c.buf[:n] {
		if b == '\n' && !c.prevCR {
			p[out] = '\r'
			out++
			if out == len(p) {
				c.pendingLF, c.prevCR = true, false
				continue
			}
		}
		p[out] = b
		out++
		c.prevCR = b == '\r'
	}
	if c.pendingLF && err == io.EOF {
		err = nil // deliver the LF first; the source repeats EOF
	}
	return out, err
}
