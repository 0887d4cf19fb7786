package main

import (
	"bytes"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// makeMaildirFolder creates the Maildir++ folder name for d's user, owned
// like the user's Maildir, and returns its path.
func makeMaildirFolder(t *testing.T, d *testenv.DovecotServer, name string) string {
	t.Helper()
	fi, err := os.Stat(d.Maildir)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	dir := filepath.Join(d.Maildir, "."+name)
	for _, p := range []string{dir, filepath.Join(dir, "cur"), filepath.Join(dir, "new"), filepath.Join(dir, "tmp")} {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(p, int(st.Uid), int(st.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRunDaemon runs `bouncer run` with two mailboxes on their schedules,
// waits until both are drained, then stops it with SIGTERM.
func TestRunDaemon(t *testing.T) {
	e := newPollEnv(t, 10, func(d *testenv.DovecotServer) []mailboxYAML {
		return []mailboxYAML{
			{name: "inbox", protocol: "imap", tls: "implicit", port: d.IMAPSPort},
			{name: "other", protocol: "imap", tls: "starttls", port: d.IMAPPort},
		}
	})
	cfg := readString(t, e.config)
	cfg = strings.Replace(cfg, "    tls: starttls\n", "    tls: starttls\n    folder: Other\n    schedule: \"@every 1s\"\n", 1)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	other := makeMaildirFolder(t, e.dovecot, "Other")
	e.deliverCorpus(t) // INBOX, polled at start
	var out bytes.Buffer
	cmd := exec.Command(bouncerBinary(t), "run", "--config", e.config)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "INBOX recorded", func() bool { return e.ledgerRows() == 6 })
	// Deliver to Other once the daemon runs: picked up by its 1 s schedule.
	for i := range 3 {
		writeMaildirFile(t, other, syntheticBounce(i, 0))
	}
	waitFor(t, "Other recorded", func() bool { return e.ledgerRows() == 9 })
	waitFor(t, "both statuses", func() bool {
		return e.count(t, `SELECT count(*) FROM mailbox_status WHERE last_error = ''`) == 2
	})
	terminate(t, cmd, &out)
	if e.maildir(t, "Other") != 0 || e.maildir(t, "") != 0 {
		t.Errorf("INBOX %d, Other %d after the daemon; want both drained", e.maildir(t, ""), e.maildir(t, "Other"))
	}
}

// writeMaildirFile delivers raw into a Maildir folder's new/ through tmp/.
func writeMaildirFile(t *testing.T, folder string, raw []byte) {
	t.Helper()
	fi, err := os.Stat(folder)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	name := strings.ReplaceAll(time.Now().Format("20060102150405.000000000"), ".", "") + ".test"
	tmp := filepath.Join(folder, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(tmp, int(st.Uid), int(st.Gid)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(folder, "new", name)); err != nil {
		t.Fatal(err)
	}
}

// A mailbox skipped for another process's lock is logged at info when the
// skipping starts and when this process polls it again, not at every tick.
func TestLockSkipsLoggedOncePerChange(t *testing.T) {
	var buf bytes.Buffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	var l lockSkips
	for _, skipped := range []bool{false, true, true, true, false, false, true} {
		l.note("main", skipped)
	}
	out := buf.String()
	if n := strings.Count(out, "level=INFO msg=\"poll skipped"); n != 2 {
		t.Errorf("skip logged %d times, want 2 (twice it started):\n%s", n, out)
	}
	if n := strings.Count(out, "level=INFO msg=\"polling again"); n != 1 {
		t.Errorf("resume logged %d times, want 1:\n%s", n, out)
	}
}

// run's help says what run does: each service it starts, and the schema.
func TestRunHelpSaysWhatRunDoes(t *testing.T) {
	out, _, code := runCLI(t, "run", "--help")
	if code != 0 {
		t.Fatalf("run --help: exit %d", code)
	}
	for _, want := range []string{"database schema", "polls each configured mailbox", "sends the webhooks",
		"announces the suppressions that expire", "daily report", "alerts by mail", "HTTP API", "/metrics", "prunes the history"} {
		if !strings.Contains(out, want) {
			t.Errorf("run --help lacks %q:\n%s", want, out)
		}
	}
	// HTTP API, metrics refresh, reports and alerts, pruning, webhooks.
	if n := len(daemonServices); n != 5 {
		t.Errorf("run starts %d services, the help describes 5: say what the new one does in newRunCmd, then count it here", n)
	}
}
