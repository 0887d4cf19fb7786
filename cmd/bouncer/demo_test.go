package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
		"starting from configs/bouncer.postgres.yaml", // as README.md says
		"bouncer demo --keep keeps it",                // README.md says the demo tells of --keep
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

// TestDemoKeepPrintsCommandsThatWork runs demo --keep, then the commands it
// prints: BOUNCER_DATABASE_URL reaches the kept database, and the report
// preview for the printed day shows the demo's mail.
func TestDemoKeepPrintsCommandsThatWork(t *testing.T) {
	t.Chdir(t.TempDir())
	out, errOut, code := runCLI(t, "demo", "--keep")
	if code != 0 {
		t.Fatalf("demo --keep exit %d: %s", code, errOut)
	}
	m := regexp.MustCompile(`(?m)^  BOUNCER_DATABASE_URL=(\S+) bouncer report preview --date (\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo --keep prints no ready report command:\n%s", out)
	}
	if path, ok := sqlitePath(m[1]); ok {
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(path)) })
	}
	t.Setenv("BOUNCER_DATABASE_URL", m[1])
	list, errOut, code := runCLI(t, "suppression", "list", "--all")
	if code != 0 || !strings.Contains(list, "kijitora@example.com") {
		t.Errorf("suppression list on the kept database: exit %d, %s\n%s", code, errOut, list)
	}
	// show prints the reason list prints: for an address counting (not
	// suppressed), the last event's.
	if !regexp.MustCompile(`(?m)^kijitora@example\.jp +counting +mailboxfu`).MatchString(list) {
		t.Errorf("suppression list --all: kijitora@example.jp is not counting with mailboxfull:\n%s", list)
	}
	show, errOut, code := runCLI(t, "suppression", "show", "kijitora@example.jp")
	if code != 0 || !regexp.MustCompile(`(?m)^reason: +mailboxfull \(the last event's; not suppressed\)$`).MatchString(show) {
		t.Errorf("suppression show kijitora@example.jp: exit %d, %s\n%s\nwant reason: mailboxfull (the last event's; not suppressed)", code, errOut, show)
	}
	report, errOut, code := runCLI(t, "report", "preview", "--date", m[2])
	if code != 0 || !regexp.MustCompile(`Messages processed +10 `).MatchString(report) {
		t.Errorf("report preview --date %s on the kept database: exit %d, %s\n%s", m[2], code, errOut, report)
	}
}

// TestDemoArrivalSameDay: the demo's messages arrive on now's day even
// when the demo runs minutes after midnight (report preview --date of the
// demo's day must show all of them).
func TestDemoArrivalSameDay(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 3, 0, 0, time.UTC)
	for n := 0; n <= 12; n++ {
		at := demoArrival(now, n)
		if at.UTC().Format(time.DateOnly) != "2026-12-07" || at.After(now) {
			t.Errorf("demoArrival(00:03, %d) = %s, want on 2026-12-07 and not after now", n, at)
		}
	}
	if at := demoArrival(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), 5); !at.Equal(time.Date(2026, 12, 7, 11, 55, 0, 0, time.UTC)) {
		t.Errorf("demoArrival(12:00, 5) = %s, want 11:55", at)
	}
}
