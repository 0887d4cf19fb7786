package pop3

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"
)

// Capa returns the server's capabilities (RFC 2449), upper-cased names
// mapped to their arguments. A server without CAPA gives an empty map.
func (c *Client) Capa() (map[string][]string, error) {
	lines, err := c.lines("CAPA", "CAPA")
	var perr *Error
	if errors.As(err, &perr) {
		return map[string][]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	caps := make(map[string][]string, len(lines))
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 {
			caps[strings.ToUpper(f[0])] = f[1:]
		}
	}
	return caps, nil
}

// StartTLS upgrades the connection (STLS, RFC 2595).
func (c *Client) StartTLS(cfg *tls.Config) error {
	if _, err := c.cmd("STLS", "STLS"); err != nil {
		return err
	}
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("pop3: STLS handshake: %w", err)
	}
	c.conn = tc
	c.tp = textproto.NewConn(tc)
	return nil
}

// User logs in with USER and PASS.
func (c *Client) User(username, password string) error {
	if _, err := c.cmd("USER", "USER %s", username); err != nil {
		return err
	}
	_, err := c.cmd("PASS", "PASS %s", password)
	return err
}

// Auth logs in with a SASL mechanism (RFC 5034), sending the initial
// response with the command.
func (c *Client) Auth(client sasl.Client) error {
	mech, ir, err := client.Start()
	if err != nil {
		return fmt.Errorf("pop3: AUTH: %w", err)
	}
	format, args := "AUTH %s", []any{mech}
	if ir != nil {
		format, args = "AUTH %s %s", []any{mech, encodeSASL(ir)}
	}
	_, err = c.cmd("AUTH", format, args...)
	for err == errContinue {
		var challenge []byte
		challenge, err = base64.StdEncoding.DecodeString(c.lastText)
		if err != nil {
			return fmt.Errorf("%w: AUTH: bad challenge", ErrProtocol)
		}
		resp, serr := client.Next(challenge)
		if serr != nil {
			c.cmd("AUTH", "*") // cancel the exchange; its -ERR is expected
			return fmt.Errorf("pop3: AUTH: %w", serr)
		}
		_, err = c.cmd("AUTH", "%s", encodeSASL(resp))
	}
	return err
}

func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// MessageInfo is one line of a LIST or UIDL reply.
type MessageInfo struct {
	Num  int
	Size int64  // LIST only
	UID  string // UIDL only
}

// List returns the number and size of every message.
func (c *Client) List() ([]MessageInfo, error) {
	return c.infos("LIST", func(mi *MessageInfo, arg string) error {
		n, err := strconv.ParseInt(arg, 10, 64)
		mi.Size = n
		return err
	})
}

// UIDL returns the number and unique id of every message.
func (c *Client) UIDL() ([]MessageInfo, error) {
	return c.infos("UIDL", func(mi *MessageInfo, arg string) error {
		mi.UID = arg
		return nil
	})
}

func (c *Client) infos(verb string, set func(*MessageInfo, string) error) ([]MessageInfo, error) {
	lines, err := c.lines(verb, "%s", verb)
	if err != nil {
		return nil, err
	}
	out := make([]MessageInfo, 0, len(lines))
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 2 {
			return nil, fmt.Errorf("%w: %s: bad line %q", ErrProtocol, verb, truncate(l))
		}
		n, err := strconv.Atoi(f[0])
		mi := MessageInfo{Num: n}
		if err == nil {
			err = set(&mi, f[1])
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: bad line %q", ErrProtocol, verb, truncate(l))
		}
		out = append(out, mi)
	}
	return out, nil
}

// Retr starts retrieving message n. The reader yields the message with
// dot-stuffing undone and CRLF turned into LF (net/textproto's DotReader);
// it is valid until the next command, which drains what is left of it.
func (c *Client) Retr(n int) (io.Reader, error) {
	return c.multi("RETR", "RETR %d", n)
}

// Dele marks message n deleted; the server removes it at Quit.
func (c *Client) Dele(n int) error {
	_, err := c.cmd("DELE", "DELE %d", n)
	return err
}

// Noop does nothing, to check the connection.
func (c *Client) Noop() error {
	_, err := c.cmd("NOOP", "NOOP")
	return err
}

// Quit ends the session; the server then removes the messages marked deleted.
func (c *Client) Quit() error {
	_, err := c.cmd("QUIT", "QUIT")
	c.conn.Close()
	return err
}
