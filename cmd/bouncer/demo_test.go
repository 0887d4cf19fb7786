package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemo runs the README's first command and checks what a newcomer sees:
// the real poller disposed of every message, hard bounces and the complaint
// are suppressed, a block and a soft bounce are only counted, the report is
// printed, and nothing is left behind.
func TestDemo(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	out, errOut, code := runCLI(t, "demo")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"fetched 10,",
		"folders after the pass: INBOX 0 Processed 9 Unprocessed 1",
		"bouncer failure report for",
		"== next steps",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q\n%s", want, out)
		}
	}
	states := map[string]string{
		"userunknown@bouncehammer.jp": "suppressed", // Sendmail 5.1.1
		"kijitora@example.com":        "suppressed", // Office 365 5.1.10
		"redacted@example.net":        "suppressed", // ARF abuse complaint
		"kijitora@example.ed.jp":      "counting",   // Exim block: the receiver refused us
		"kijitora@example.jp":         "counting",   // mailbox full: soft, one of three
	}
	for email, want := range states {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(email) + `\s+(\S+)`).FindStringSubmatch(out)
		if m == nil || m[1] != want {
			t.Errorf("state of %s in the demo table = %v, want %q", email, m, want)
		}
	}
	if ents, _ := os.ReadDir(cwd); len(ents) != 0 {
		t.Errorf("demo wrote into the working directory: %v", ents)
	}
	if m := regexp.MustCompile(`database (\S+)`).FindStringSubmatch(out); m == nil {
		t.Errorf("demo does not name its database")
	} else if _, err := os.Stat(filepath.Dir(m[1])); !os.IsNotExist(err) {
		t.Errorf("demo left its temporary directory %s (stat: %v)", filepath.Dir(m[1]), err)
	}
}
