package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

// verpConfig writes a config with one mailbox address and the given keys,
// and returns its path.
func verpConfig(t *testing.T, keys ...string) string {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "verp.keys")
	if err := os.WriteFile(keyFile, []byte("# first signs\n"+strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, "bouncer.yaml", fmt.Sprintf(`
state_dir: %s
mailboxes:
  - {name: main, protocol: imap, host: h, username: u, password_file: %s, address: bounces@example.com}
  - {name: other, protocol: imap, host: h, username: u, password_file: %s, address: returns@example.net}
verp: {secret_file: %s}
`, dir, keyFile, keyFile, keyFile))
	// verp sign stores references in the database, which it does not create.
	if _, errOut, code := runCLI(t, "migrate", "--config", cfg); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errOut)
	}
	return cfg
}

func runVERP(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runCLI(t, append([]string{"verp"}, args...)...)
}

const (
	verpKeyNew = "new-key-0123456789abcdef"
	verpKeyOld = "old-key-0123456789abcdef"
)

func TestVERPSignVerify(t *testing.T) {
	cfg := verpConfig(t, verpKeyNew)
	long := "a-rather-long-recipient-name.for-the-reference@example.com"
	tests := []struct {
		rcpt, mailbox, wantPrefix string
	}{
		{"Alice@Example.com", "", "bounces+1"},
		{"alice@example.com", "other", "returns+1"},
		{long, "", "bounces+2"},
	}
	for _, tt := range tests {
		args := []string{"sign", tt.rcpt, "--config", cfg}
		if tt.mailbox != "" {
			args = append(args, "--mailbox", tt.mailbox)
		}
		out, errOut, code := runVERP(t, args...)
		addr := strings.TrimSpace(out)
		if code != 0 || !strings.HasPrefix(addr, tt.wantPrefix) {
			t.Fatalf("verp sign %q --mailbox %q = %q (exit %d, %s), want prefix %q", tt.rcpt, tt.mailbox, addr, code, errOut, tt.wantPrefix)
		}
		out, errOut, code = runVERP(t, "verify", addr, "--config", cfg)
		if want := strings.ToLower(tt.rcpt); code != 0 || strings.TrimSpace(out) != want {
			t.Errorf("verp verify %q = %q (exit %d, %s), want %q", addr, out, code, errOut, want)
		}
	}
}

func TestVERPVerifyRejects(t *testing.T) {
	cfg := verpConfig(t, verpKeyNew)
	out, _, _ := runVERP(t, "sign", "alice@example.com", "--config", cfg)
	addr := strings.TrimSpace(out)
	tampered := strings.Replace(addr, "+1m", "+1n", 1)
	long, _, _ := runVERP(t, "sign", "a-rather-long-recipient-name@example.com", "--config", cfg)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"tampered", []string{tampered}, 1},
		{"no token", []string{"bounces@example.com"}, 1},
		{"unknown mailbox", []string{strings.Replace(addr, "example.com", "example.org", 1)}, 1},
		{"reference for another recipient", []string{strings.TrimSpace(long), "--recipient", "victim@example.com"}, 1},
		{"reference for its recipient", []string{strings.TrimSpace(long), "--recipient", "a-rather-long-recipient-name@example.com"}, 0},
		{"unknown reference", []string{"bounces+2aaaaaaaaaaaaaaaa@example.com"}, 1},
	}
	for _, tt := range tests {
		out, errOut, code := runVERP(t, append(append([]string{"verify"}, tt.args...), "--config", cfg)...)
		if code != tt.code {
			t.Errorf("%s: verp verify %q: exit %d, want %d (stdout %q, stderr %q)", tt.name, tt.args, code, tt.code, out, errOut)
		}
	}
}

func TestVERPKeyRotation(t *testing.T) {
	old := verpConfig(t, verpKeyOld)
	out, _, _ := runVERP(t, "sign", "alice@example.com", "--config", old)
	addr := strings.TrimSpace(out)
	for _, tt := range []struct {
		name string
		keys []string
		code int
	}{
		{"old key alone", []string{verpKeyOld}, 0},
		{"rotated, old key listed", []string{verpKeyNew, verpKeyOld}, 0},
		{"old key removed", []string{verpKeyNew}, 1},
	} {
		if _, errOut, code := runVERP(t, "verify", addr, "--config", verpConfig(t, tt.keys...)); code != tt.code {
			t.Errorf("%s: verp verify %q: exit %d, want %d (%s)", tt.name, addr, code, tt.code, errOut)
		}
	}
}

func TestVERPNotConfigured(t *testing.T) {
	cfg := writeFile(t, "bouncer.yaml", "state_dir: "+t.TempDir()+"\n")
	if _, errOut, code := runVERP(t, "sign", "a@b.c", "--config", cfg); code != exitConfig || !strings.Contains(errOut, "verp.secret_file is not set") {
		t.Errorf("verp sign without a key file: exit %d, stderr %q; want %d and a message naming verp.secret_file", code, errOut, exitConfig)
	}
	c, err := readConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := newVerifier(c, nil, nil); v != nil || err != nil {
		t.Errorf("newVerifier without a key file = %v, %v; want nil, nil", v != nil, err)
	}
}

func TestNewVerifier(t *testing.T) {
	path := verpConfig(t, verpKeyNew)
	out, _, _ := runVERP(t, "sign", "alice@example.com", "--mailbox", "other", "--config", path)
	cfg, err := readConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	opts, err := pollerOptions(cfg, nil, slog.New(slog.NewTextHandler(&logs, nil))) // the wiring poll and run use
	v := opts.Verifier
	if err != nil || v == nil {
		t.Fatalf("pollerOptions: verifier %v, %v", v != nil, err)
	}
	r := &dsn.Report{Message: dsn.Envelope{DeliveredTo: []string{strings.TrimSpace(out)}},
		Recipients: []dsn.Recipient{{FinalRecipient: "alice@example.com"}}}
	if ok, rcpt := v(context.Background(), r, nil); !ok || rcpt != "alice@example.com" {
		t.Errorf("verifier(bounce to %q) = %v, %q; want true, alice@example.com", out, ok, rcpt)
	}
	if logs.Len() != 0 {
		t.Errorf("a verified bounce logged %q", logs.String())
	}
	r.Recipients[0].FinalRecipient = "victim@example.com"
	r.Message.MessageID = "forged-1@evil.test"
	if ok, _ := v(context.Background(), r, nil); ok {
		t.Errorf("verifier(bounce to %q naming victim@example.com) verified", out)
	}
	// README promises this warning for a bounce whose token does not verify it.
	got := logs.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, `msg="verp: bounce not verified"`) ||
		!strings.Contains(got, "forged-1@evil.test") || strings.Contains(got, verpKeyNew) {
		t.Errorf("log after a bounce for another address = %q; want a warning naming its Message-ID, without the key", got)
	}
}

func TestVERPKeygen(t *testing.T) {
	a, _, code := runVERP(t, "keygen")
	b, _, _ := runVERP(t, "keygen")
	if code != 0 || len(strings.TrimSpace(a)) != 64 || a == b {
		t.Errorf("verp keygen = %q then %q (exit %d), want two different 64-hex-digit keys", a, b, code)
	}
}
