package poller

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/emersion/go-sasl"
)

// ErrXOAUTH2 reports that the server refused an XOAUTH2 token; its error
// details (a JSON object from the server) are kept in the message.
var ErrXOAUTH2 = errors.New("poller: xoauth2 refused")

// xoauth2Client is the SASL XOAUTH2 mechanism used by Gmail and Microsoft
// 365 (go-sasl has none): one initial response
// "user=U\x01auth=Bearer T\x01\x01". On failure the server sends a JSON
// challenge and expects an empty response before its NO.
type xoauth2Client struct {
	username, token string
	failed          bool
}

// newXOAUTH2Client returns the SASL client for username and a bearer token.
func newXOAUTH2Client(username, token string) sasl.Client {
	return &xoauth2Client{username: username, token: token}
}

func (c *xoauth2Client) Start() (mech string, ir []byte, err error) {
	return "XOAUTH2", xoauth2Response(c.username, c.token), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.failed {
		return nil, fmt.Errorf("%w: %s", ErrXOAUTH2, challenge)
	}
	c.failed = true // the error challenge: answer empty, the server then says NO
	return []byte{}, nil
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
