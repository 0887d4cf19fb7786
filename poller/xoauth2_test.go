package poller

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"
)

// oauthSession adds SASL XOAUTH2 to the in-memory server: a good bearer
// token logs the user in.
type oauthSession struct {
	imapserver.Session
	token string
}

func (s *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	return saslServerFunc(func(resp []byte) ([]byte, bool, error) {
		want := xoauth2Response("bounces", s.token)
		if !bytes.Equal(resp, want) {
			return nil, true, errors.New("invalid token")
		}
		return nil, true, s.Session.Login("bounces", "secret")
	}), nil
}

type saslServerFunc func(resp []byte) ([]byte, bool, error)

func (f saslServerFunc) Next(resp []byte) ([]byte, bool, error) { return f(resp) }

func startOAuthServer(t *testing.T, token string) Mailbox {
	t.Helper()
	srv := serveMem(t, imap.CapSet{imap.CapIMAP4rev1: {}}, func(s imapserver.Session) imapserver.Session {
		return &oauthSession{Session: s, token: token}
	})
	mb := srv.mailbox("oauth")
	mb.Password, mb.Auth, mb.After = "", AuthXOAUTH2, AfterFlag
	return mb
}

func TestXOAUTH2Login(t *testing.T) {
	mb := startOAuthServer(t, "ya29.good-token")
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("ya29.good-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		file, command string
		ok            bool
	}{
		{"token file", file, "", true},
		{"token command", "", "echo ya29.good-token", true},
		{"expired token", "", "echo ya29.expired", false},
		{"failing command", "", "exit 3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mb
			m.TokenFile, m.TokenCommand = tt.file, tt.command
			_, err := Poll(context.Background(), m, newFakeStore(), nil)
			if (err == nil) != tt.ok {
				t.Fatalf("Poll = %v, want ok %v", err, tt.ok)
			}
			if err != nil && bytes.Contains([]byte(err.Error()), []byte("ya29")) {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

func TestDescribeSASLError(t *testing.T) {
	for in, want := range map[string]string{
		`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`: "status 401, schemes bearer, scope https://mail.google.com/",
		`{"status":"invalid_token"}`: "status invalid_token",
		`not json`:                   `server said "not json"`,
		`{"other":1}`:                `server said "{\"other\":1}"`,
	} {
		if got := describeSASLError([]byte(in)); got != want {
			t.Errorf("describeSASLError(%q) = %q, want %q", in, got, want)
		}
	}
}
