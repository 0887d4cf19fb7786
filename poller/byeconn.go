package poller

import (
	"bytes"
	"fmt"
	"net"
	"sync"
)

// maxByeLine bounds the untagged BYE line byeConn keeps.
const maxByeLine = 512

// byeConn is an IMAP connection that remembers the server's last words: the
// last line it received, when that was an untagged BYE ("* BYE Internal
// error occurred"). go-imap parses a BYE and drops its text, and the next
// command then fails with "use of closed network connection"; byeConn keeps
// the server's reason for the error (see serverClosed). Only lines starting
// with '*' are copied, so message bodies cost a byte scan.
type byeConn struct {
	net.Conn
	mu   sync.Mutex
	line []byte // the start of the line being read, when it starts with '*'
	skip bool   // the line being read is not a BYE (or is too long to keep)
	bye  string // the last complete line, when it was an untagged BYE
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
func (c *byeConn) endLine() {
	line := bytes.TrimRight(c.line, "\r")
	c.bye = ""
	if !c.skip && len(line) > 6 && bytes.EqualFold(line[:6], []byte("* BYE ")) {
		c.bye = string(line)
	}
	c.line, c.skip = c.line[:0], false
}

// serverClosed adds to err the server's BYE when the last line received
// was one: the reason a command failed on a closed connection. Any other
// err, and nil, is returned as it is.
func (c *byeConn) serverClosed(err error) error {
	if err == nil {
		return nil
	}
	c.mu.Lock()
	bye := c.bye
	c.mu.Unlock()
	if bye == "" {
		return err
	}
	return fmt.Errorf("%w (the server closed the connection: %s)", err, bye)
}
