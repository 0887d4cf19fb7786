// Package testenv gives tests real servers: a fresh Postgres database per
// call (PostgresURL) and a fresh user with a Maildir on a running Dovecot
// (Dovecot). The servers are started by scripts/test-servers (make test),
// which writes their addresses to .testenv/env; the same BOUNCER_TEST_*
// variables in the environment take precedence.
//
// When a server is not configured or unreachable, a test fails on CI
// (CI=true) and skips elsewhere with a message saying how to enable it. The
// package starts no shared server itself and holds no test logic of its
// own; OwnPostgres starts a throwaway cluster for a test that stops and
// restarts its database. SelfSigned and SelfSignedFiles give a TLS server
// that a test starts itself a certificate for 127.0.0.1 and localhost.
package testenv

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Variables written by scripts/test-servers.
const (
	EnvDatabaseURL = "BOUNCER_TEST_DATABASE_URL"
	EnvDovecotHost = "BOUNCER_TEST_DOVECOT_HOST"
	EnvIMAPPort    = "BOUNCER_TEST_DOVECOT_IMAP_PORT"
	EnvIMAPSPort   = "BOUNCER_TEST_DOVECOT_IMAPS_PORT"
	EnvPOP3Port    = "BOUNCER_TEST_DOVECOT_POP3_PORT"
	EnvPOP3SPort   = "BOUNCER_TEST_DOVECOT_POP3S_PORT"
	EnvCAFile      = "BOUNCER_TEST_DOVECOT_CA_FILE"
	EnvPasswdDir   = "BOUNCER_TEST_DOVECOT_PASSWD_DIR"
	EnvMailDir     = "BOUNCER_TEST_DOVECOT_MAIL_DIR"
	EnvOAuth2Key   = "BOUNCER_TEST_DOVECOT_OAUTH2_KEY_FILE"
	envFileName    = ".testenv/env"
	enableHint     = "run `make test` or `scripts/test-servers start` to enable"
)

var (
	fileOnce sync.Once
	fileVars map[string]string
)

// lookup returns the variable from the environment, else from the
// .testenv/env file found by walking up from the working directory.
func lookup(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	fileOnce.Do(func() { fileVars = readEnvFile() })
	return fileVars[key]
}

// readEnvFile parses the nearest .testenv/env (KEY=VALUE lines).
func readEnvFile() map[string]string {
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	for {
		if vars, ok := parseEnvFile(filepath.Join(dir, envFileName)); ok {
			return vars
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

func parseEnvFile(path string) (map[string]string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && !strings.HasPrefix(k, "#") {
			vars[k] = v
		}
	}
	return vars, true
}

// unavailable fails the test on CI and skips it elsewhere.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("testenv: "+format+" (CI=true: required)", args...)
	}
	t.Skipf("testenv: "+format+"; "+enableHint, args...)
}
