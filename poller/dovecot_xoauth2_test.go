package poller

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDovecotXOAUTH2 logs in to a real Dovecot with SASL XOAUTH2, the way
// Gmail and Microsoft 365 mailboxes are read once passwords are retired:
// Dovecot checks the bearer token (a signed JWT) itself, so a forged or
// expired token is refused by the server, not by a test double.
func TestDovecotXOAUTH2(t *testing.T) {
	for _, tt := range []struct{ protocol, tls string }{
		{ProtocolIMAP, TLSImplicit},
		{ProtocolIMAP, TLSStartTLS},
		{ProtocolPOP3, TLSImplicit},
		{ProtocolPOP3, TLSStartTLS},
	} {
		t.Run(tt.protocol+"-"+tt.tls, func(t *testing.T) {
			d, mb := dovecotMailbox(t, tt.protocol, tt.tls)
			mb.Password = ""
			mb.Auth = AuthXOAUTH2
			tokenFile := filepath.Join(t.TempDir(), "token")
			writeToken := func(tok string) {
				t.Helper()
				if err := os.WriteFile(tokenFile, []byte(tok+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			// Refused tokens: nothing is read, nothing moved, and the
			// token itself never appears in the error.
			for name, tok := range map[string]string{
				"forged":  d.OAuth2TokenWithKey([]byte("not the server's key"), time.Hour),
				"expired": d.OAuth2Token(-time.Hour),
			} {
				writeToken(tok)
				mb.TokenFile = tokenFile
				sum, err := Poll(context.Background(), mb, newFakeStore(), nil)
				if err == nil {
					t.Fatalf("%s token: Poll succeeded (fetched %d)", name, sum.Fetched)
				}
				if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), tok[strings.LastIndexByte(tok, '.')+1:]) {
					t.Errorf("%s token: the error shows the token: %v", name, err)
				}
				// The refusal is named as such, with the server's reason
				// (its SASL error JSON), not as a protocol error.
				if !errors.Is(err, ErrXOAUTH2) || !strings.Contains(err.Error(), "status 401, schemes bearer, scope mail") ||
					strings.Contains(err.Error(), "Invalid base64") {
					t.Errorf("%s token: error %q; want ErrXOAUTH2 with status 401, schemes bearer, scope mail", name, err)
				}
				if got := maildirCount(t, d, ""); got != 6 {
					t.Errorf("%s token: INBOX holds %d, want all 6 untouched", name, got)
				}
			}

			// A good token from a file, then from a command.
			writeToken(d.OAuth2Token(time.Hour))
			store := newFakeStore()
			sum, err := Poll(context.Background(), mb, store, nil)
			if err != nil || sum.Fetched != 6 {
				t.Fatalf("token_file: fetched %d, err %v; want 6, nil", sum.Fetched, err)
			}
			mb.TokenFile, mb.TokenCommand = "", "cat '"+tokenFile+"'"
			pollFindsNothing(t, mb, store)
		})
	}
}
