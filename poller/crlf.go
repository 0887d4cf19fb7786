package poller

import (
	"hash"
	"io"
)

// crlfReader turns every bare LF and every bare CR of its source into
// CRLF, so a message has one byte form, and one key, whichever way it
// arrived: IMAP (CRLF already), POP3 (net/textproto's DotReader yields
// LF), an MTA pipe (LF), or a relay that wrote CR alone.
//
// Keys were once made with bare LFs normalised only; when legacy is set it
// is fed that older form, so a message with bare CRs can still be matched
// with a ledger row made before (see inbound.Message.LegacyKey).
type crlfReader struct {
	r      io.Reader
	prevCR bool // the last source byte was a CR
	sawCR  bool // a bare CR was normalised
	pend   [2]byte
	npend  int // output that did not fit in p, first pend[0]
	buf    []byte
	legacy hash.Hash // nil: not computed
	lbuf   []byte
}

// reset starts reading r, keeping the buffers; legacy (may be nil) is
// fed the older form of the key.
func (c *crlfReader) reset(r io.Reader, legacy hash.Hash) {
	if c.buf == nil {
		c.buf = make([]byte, 16<<10)
	}
	c.r, c.prevCR, c.sawCR, c.npend, c.legacy = r, false, false, 0, legacy
}

func (c *crlfReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	out := 0
	for c.npend > 0 && out < len(p) {
		p[out] = c.pend[0]
		c.pend[0] = c.pend[1]
		c.npend--
		out++
	}
	if c.npend > 0 || out == len(p) {
		return out, nil
	}
	emit := func(b byte) {
		if out < len(p) {
			p[out] = b
			out++
		} else {
			c.pend[c.npend] = b
			c.npend++
		}
	}
	// Read at most half of the room left: each byte may grow into two.
	n, err := c.r.Read(c.buf[:min(len(c.buf), max(1, (len(p)-out)/2))])
	lb := c.lbuf[:0]
	for _, b := range c.buf[:n] {
		switch {
		case c.prevCR && b != '\n':
			emit('\n') // the LF of a bare CR
			c.sawCR = true
		case !c.prevCR && b == '\n':
			emit('\r')
			lb = append(lb, '\r')
		}
		emit(b)
		lb = append(lb, b)
		c.prevCR = b == '\r'
	}
	if err == io.EOF && c.prevCR {
		emit('\n')
		c.prevCR, c.sawCR = false, true
	}
	if c.legacy != nil {
		c.legacy.Write(lb)
	}
	c.lbuf = lb
	if c.npend > 0 && err == io.EOF {
		err = nil // deliver the rest first; the source repeats EOF
	}
	return out, err
}
