// Package pop3 is a small POP3 client (RFC 1939) with the extensions a
// bounce poller needs: CAPA (RFC 2449), STLS (RFC 2595), SASL AUTH (RFC
// 5034) and UIDL. It reads messages through net/textproto's DotReader, so
// dot-stuffing is undone and lines of any length are kept whole.
//
// A Client is not safe for concurrent use and takes no context: close it
// to abort a command in flight.
package pop3

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
)

// ErrProtocol reports a reply the client could not understand.
var ErrProtocol = errors.New("pop3: protocol error")

// Error is a -ERR reply.
type Error struct {
	Command string // the command verb, never its arguments (they may be secret)
	Text    string
}

func (e *Error) Error() string { return fmt.Sprintf("pop3: %s: -ERR %s", e.Command, e.Text) }

// Client is a POP3 session.
type Client struct {
	conn net.Conn
	tp   *textproto.Conn
	dot  io.Reader // the multi-line reply being read, if any

	lastText string // the text of the last "+ challenge" line
}

// NewClient starts a session on conn and reads the greeting.
func NewClient(conn net.Conn) (*Client, error) {
	c := &Client{conn: conn, tp: textproto.NewConn(conn)}
	if _, err := c.reply("greeting"); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// Dial connects without TLS (use StartTLS to upgrade).
func Dial(d *net.Dialer, addr string) (*Client, error) {
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return NewClient(conn)
}

// DialTLS connects with implicit TLS (POP3S).
func DialTLS(d *net.Dialer, addr string, cfg *tls.Config) (*Client, error) {
	conn, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	return NewClient(conn)
}

// Close closes the connection without QUIT: deletions are not applied.
func (c *Client) Close() error { return c.conn.Close() }

// cmd sends a command and reads its single-line reply. name is the verb
// used in errors, so arguments (passwords) never reach an error.
func (c *Client) cmd(name, format string, args ...any) (string, error) {
	if err := c.drain(); err != nil {
		return "", err
	}
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return "", fmt.Errorf("pop3: %s: %w", name, err)
	}
	return c.reply(name)
}

// MaxLineLength bounds a reply line: a status line, or a line of a CAPA,
// LIST or UIDL listing (RFC 2449 allows 512 octets). A longer line ends the
// command with an error wrapping ErrProtocol instead of growing without
// limit. Message bodies (RETR) are streamed and their lines are not bounded.
const MaxLineLength = 8192

// readLine reads one CRLF- or LF-terminated line of at most MaxLineLength
// bytes, without its line ending.
func (c *Client) readLine(name string) (string, error) {
	var line []byte
	for {
		chunk, err := c.tp.R.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineLength+2 {
			return "", fmt.Errorf("%w: %s: reply line longer than %d bytes", ErrProtocol, name, MaxLineLength)
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("pop3: %s: %w", name, err)
		}
		return strings.TrimRight(string(line), "\r\n"), nil
	}
}

// reply reads a +OK or -ERR line and returns its text.
func (c *Client) reply(name string) (string, error) {
	line, err := c.readLine(name)
	if err != nil {
		return "", err
	}
	switch {
	case strings.HasPrefix(line, "+OK"):
		return strings.TrimSpace(line[3:]), nil
	case strings.HasPrefix(line, "-ERR"):
		return "", &Error{Command: name, Text: strings.TrimSpace(line[4:])}
	case strings.HasPrefix(line, "+"):
		c.lastText = strings.TrimSpace(line[1:])
		return "", errContinue
	}
	return "", fmt.Errorf("%w: %s: unexpected reply %q", ErrProtocol, name, truncate(line))
}

// errContinue marks a "+ challenge" line of a SASL exchange.
var errContinue = errors.New("pop3: continuation")

// multi sends a command whose +OK reply is followed by a dot-terminated body.
func (c *Client) multi(name, format string, args ...any) (io.Reader, error) {
	if _, err := c.cmd(name, format, args...); err != nil {
		return nil, err
	}
	c.dot = c.tp.DotReader()
	return c.dot, nil
}

// drain reads what is left of a multi-line reply the caller did not finish.
func (c *Client) drain() error {
	if c.dot == nil {
		return nil
	}
	_, err := io.Copy(io.Discard, c.dot)
	c.dot = nil
	if err != nil {
		return fmt.Errorf("pop3: read reply: %w", err)
	}
	return nil
}

// lines sends a multi-line command and returns its body lines.
func (c *Client) lines(name, format string, args ...any) ([]string, error) {
	if _, err := c.cmd(name, format, args...); err != nil {
		return nil, err
	}
	var lines []string
	for {
		line, err := c.readLine(name)
		if err != nil {
			return nil, err
		}
		if line == "." {
			return lines, nil
		}
		lines = append(lines, strings.TrimPrefix(line, ".")) // undo dot-stuffing
	}
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
