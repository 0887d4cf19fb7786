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
		out, err := runBouncer("completion", shell) // a fresh process: cobra builds the command once
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
	if c, _, _ := rootCmd.Find([]string{"run"}); c == nil || c.Name() != "run" {
		t.Errorf("the unit runs `bouncer run`, which does not exist")
	}
	if exitConfig != 78 {
		t.Errorf("exitConfig = %d, the unit's RestartPreventExitStatus says 78", exitConfig)
	}
}
