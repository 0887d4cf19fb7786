package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// ErrXOAUTH2 reports that the server refused an XOAUTH2 token; the error
// says why, from the server's SASL error challenge (status, scheme, scope).
var ErrXOAUTH2 = errors.New("poller: xoauth2: the server refused the token")

// xoauth2Client is the SASL XOAUTH2 mechanism used by Gmail and Microsoft
// 365 (go-sasl has none): one initial response
// "user=U\x01auth=Bearer T\x01\x01". On failure the server sends a JSON
// challenge ({"status", "schemes", "scope"}) and expects one more client
// response, a single 0x01 as in OAUTHBEARER (RFC 7628 §3.2.3; Dovecot
// answers an empty one with "Invalid base64 data in continued response"),
// before its NO. The challenge is kept: refused turns the NO into an error
// that says the token was refused and why.
type xoauth2Client struct {
	username, token string
	failed          bool
	challenge       []byte // the server's error challenge, when it sent one
}

// newXOAUTH2Client returns the SASL client for username and a bearer token.
func newXOAUTH2Client(username, token string) *xoauth2Client {
	return &xoauth2Client{username: username, token: token}
}

func (c *xoauth2Client) Start() (mech string, ir []byte, err error) {
	return "XOAUTH2", xoauth2Response(c.username, c.token), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.failed {
		return nil, c.refused(errors.New("a second challenge"))
	}
	c.failed = true
	c.challenge = append([]byte(nil), challenge...)
	return []byte{1}, nil
}

// refused wraps err, the server's final answer to an authentication, in
// ErrXOAUTH2 with the reason from its error challenge; err is returned as
// it is when the server sent none (it refused before looking at the
// token, or the login failed for another reason).
func (c *xoauth2Client) refused(err error) error {
	if err == nil || c.challenge == nil {
		return err
	}
	return fmt.Errorf("%w (%s): the token expired, was revoked, or is for another user or scope: get a new one (server: %w)",
		ErrXOAUTH2, describeSASLError(c.challenge), err)
}

// saslError is the JSON error challenge of XOAUTH2 and OAUTHBEARER.
type saslError struct {
	Status  string `json:"status"`
	Schemes string `json:"schemes"`
	Scope   string `json:"scope"`
}

// describeSASLError renders a SASL error challenge for a person: status,
// schemes and scope, or the challenge's text when it is not that JSON. The
// challenge comes from the server, never holds the token, and is cut to a
// line's length.
func describeSASLError(challenge []byte) string {
	var e saslError
	if err := json.Unmarshal(challenge, &e); err != nil || e.Status == "" {
		return "server said " + strconv.Quote(truncate(string(challenge), 200))
	}
	parts := []string{"status " + truncate(e.Status, 40)}
	if e.Schemes != "" {
		parts = append(parts, "schemes "+truncate(e.Schemes, 40))
	}
	if e.Scope != "" {
		parts = append(parts, "scope "+truncate(e.Scope, 200))
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func xoauth2Response(username, token string) []byte {
	return []byte("user=" + username + "\x01auth=Bearer " + token + "\x01\x01")
}

// bearerToken reads mb's XOAUTH2 token from its file or command.
func bearerToken(ctx context.Context, mb Mailbox) (string, error) {
	var raw []byte
	var err error
	if mb.TokenFile != "" {
		raw, err = os.ReadFile(mb.TokenFile)
	} else {
		raw, err = exec.CommandContext(ctx, "/bin/sh", "-c", mb.TokenCommand).Output()
	}
	if err != nil {
		// The command's output is a secret; its error says only how it failed.
		return "", fmt.Errorf("poller: %s: read xoauth2 token: %w", mb.Name, err)
	}
	token := strings.TrimSpace(string(raw))
	if token == "" {
		return "", fmt.Errorf("poller: %s: xoauth2 token is empty", mb.Name)
	}
	return token, nil
}
