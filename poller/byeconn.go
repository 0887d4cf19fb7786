package poller

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
)

// maxByeLine bounds the untagged BYE line byeConn keeps.
const maxByeLine = 512

// maxTail bounds the end of a line kept to find a literal marker ({N} or
// {N+}, N at most 19 digits).
const maxTail = 24

// byeConn is an IMAP connection that remembers the server's last words: the
// last line it received, when that was an untagged BYE ("* BYE Internal
// error occurred"). go-imap parses a BYE and drops its text, and the next
// command then fails with "use of closed network connection"; byeConn keeps
// the server's reason for the error (see serverClosed). Only lines starting
// with '*' are copied, so message bodies cost a byte scan. A line ending in
// a literal marker ({N} or {N+}) is followed by N bytes of data (a message
// body in a FETCH) that are not lines: they are skipped, so a body quoting
// an IMAP session ("* BYE …") is never taken for the server's words, even
// when the connection drops in the middle of it.
type byeConn struct {
	net.Conn
	mu      sync.Mutex
	line    []byte // the start of the line being read, when it starts with '*'
	skip    bool   // the line being read is not a BYE (or is too long to keep)
	tail    []byte // the end of the line being read, for its literal marker
	literal int64  // bytes of a literal still to come
	bye     string // the last complete line, when it was an untagged BYE
}

func (c *byeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.note(p[:n])
	return n, err
}

// note follows the lines of b, received.
func (c *byeConn) note(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(b) > 0 {
		if c.literal > 0 {
			k := int(min(c.literal, int64(len(b))))
			c.literal -= int64(k)
			b = b[k:]
			continue
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.add(b)
			return
		}
		c.add(b[:i])
		c.endLine()
		b = b[i+1:]
	}
}

// add appends part of the current line.
func (c *byeConn) add(b []byte) {
	if len(b) >= maxTail {
		c.tail = append(c.tail[:0], b[len(b)-maxTail:]...)
	} else {
		c.tail = append(c.tail, b...)
		if n := len(c.tail); n > maxTail {
			c.tail = append(c.tail[:0], c.tail[n-maxTail:]...)
		}
	}
	if c.skip || len(b) == 0 {
		return
	}
	if len(c.line) == 0 && b[0] != '*' || len(c.line)+len(b) > maxByeLine {
		c.skip, c.line = true, c.line[:0]
		return
	}
	c.line = append(c.line, b...)
}

// endLine ends the current line: it is the last one, and a BYE or not.
// A line ending in a literal marker is not over: the literal follows, and
// after it the rest of the line, which is no line start.
func (c *byeConn) endLine() {
	line := bytes.TrimRight(c.line, "\r")
	n, literal := literalSize(bytes.TrimRight(c.tail, "\r"))
	c.tail, c.bye = c.tail[:0], ""
	if literal {
		c.literal, c.line, c.skip = n, c.line[:0], true
		return
	}
	if !c.skip && len(line) > 6 && bytes.EqualFold(line[:6], []byte("* BYE ")) {
		c.bye = string(line)
	}
	c.line, c.skip = c.line[:0], false
}

// literalSize reads the literal marker a line ends with: {N} or {N+}.
func literalSize(line []byte) (int64, bool) {
	if !bytes.HasSuffix(line, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	digits := bytes.TrimSuffix(line[i+1:len(line)-1], []byte("+"))
	if len(digits) == 0 || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	return n, err == nil && n >= 0
}

// serverClosed adds to err the server's BYE when the last line received
// was one and err is this connection's failure (closed, reset, ended): the
// reason a command failed on a closed connection. Any other err (a store's,
// a server's NO), and nil, is returned as it is.
func (c *byeConn) serverClosed(err error) error {
	if err == nil || !c.connError(err) {
		return err
	}
	c.mu.Lock()
	bye := c.bye
	c.mu.Unlock()
	if bye == "" {
		return err
	}
	return fmt.Errorf("%w (the server closed the connection: %s)", err, bye)
}

// connError reports whether err is a failure of this connection: a network
// error on its remote address (not a database's), or the connection closed
// or ended.
func (c *byeConn) connError(err error) bool {
	if op, ok := errors.AsType[*net.OpError](err); ok {
		return op.Addr == nil || c.Conn == nil || op.Addr.String() == c.Conn.RemoteAddr().String()
	}
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
