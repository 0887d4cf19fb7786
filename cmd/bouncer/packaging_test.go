package main

import (
	"os"
	"strings"
	"testing"
)

// TestCompletion checks bouncer completion writes a script for each shell
// the README names.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, err := runBouncer("completion", shell) // a process: cobra writes the script to os.Stdout
		if err != nil || !strings.Contains(out, "bouncer") || !strings.Contains(out, shell+" completion") {
			t.Errorf("bouncer completion %s: %v, %d bytes", shell, err, len(out))
		}
	}
}

// TestSystemdUnit checks the shipped unit runs the daemon with the hardening
// the README promises, and does not restart-loop on a bad configuration.
func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("../../configs/bouncer.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			unit[k] = v
		}
	}
	want := map[string]string{
		"ExecStart":                "/usr/local/bin/bouncer run --config /etc/bouncer/bouncer.yaml",
		"User":                     "bouncer", // README's install creates it and its group
		"Group":                    "bouncer",
		"NoNewPrivileges":          "yes",
		"ProtectSystem":            "strict",
		"ProtectHome":              "yes",
		"PrivateTmp":               "yes",
		"StateDirectory":           "bouncer",
		"CapabilityBoundingSet":    "",
		"RestartPreventExitStatus": "78",
	}
	for k, v := range want {
		if got, ok := unit[k]; !ok || got != v {
			t.Errorf("bouncer.service %s = %q (set: %v), want %q", k, got, ok, v)
		}
	}
	if c, _, _ := newRootCmd().Find([]string{"run"}); c == nil || c.Name() != "run" {
		t.Errorf("the unit runs `bouncer run`, which does not exist")
	}
	if exitConfig != 78 {
		t.Errorf("exitConfig = %d, the unit's RestartPreventExitStatus says 78", exitConfig)
	}
}

// TestCompletionOfFlagValuesAndShells checks --format and --mailbox values
// complete, and that a shell without a script is an error, not help.
func TestCompletionOfFlagValuesAndShells(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "mailboxes:\n  - {name: main, protocol: imap, host: h, username: u, password_env: P}\n  - {name: other, protocol: pop3, host: h, username: u, password_env: P}\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "suppression", "list", "--format", ""}, "table\njson\ncsv\n:4\n"},
		{[]string{"__complete", "suppression", "import", "--format", ""}, "bouncer\nses\nsendgrid\nmailgun\npostmark\n:4\n"},
		{[]string{"__complete", "report", "preview", "--format", ""}, "text\nhtml\nmime\n:4\n"},
		{[]string{"__complete", "poll", "--config", cfg, "--mailbox", ""}, "main\nother\n:4\n"},
	}
	for _, tt := range tests {
		out, err := runBouncer(tt.args...)
		if err != nil || !strings.HasPrefix(out, tt.want) {
			t.Errorf("bouncer %v = %q, %v; want %q", tt.args, out, err, tt.want)
		}
	}
	out, err := runBouncer("completion", "tcsh")
	if err == nil || !strings.Contains(out, `unsupported shell "tcsh"`) {
		t.Errorf("completion tcsh = %q, %v; want an error naming the shell", out, err)
	}
}

// TestContainerImage checks the Dockerfile exposes the documented API port,
// has a HEALTHCHECK running a command bouncer has, and that the build
// context leaves out the history and local binaries.
func TestContainerImage(t *testing.T) {
	b, err := os.ReadFile("../../configs/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	if !strings.Contains(df, "\nEXPOSE 8025\n") {
		t.Errorf("Dockerfile does not EXPOSE 8025, the port README documents")
	}
	if !strings.Contains(df, `CMD ["/usr/local/bin/bouncer", "health"`) {
		t.Errorf("Dockerfile has no HEALTHCHECK running bouncer health")
	}
	if c, _, err := newRootCmd().Find([]string{"health"}); err != nil || c.Name() != "health" {
		t.Errorf("the HEALTHCHECK's command does not exist: %v", err)
	}
	ign, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "/bouncer", "*.test", ".testenv"} {
		if !strings.Contains("\n"+string(ign), "\n"+want+"\n") {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}
