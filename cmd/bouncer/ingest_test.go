package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

func TestIngestExitCodes(t *testing.T) {
	e := newPollEnv(t, 10, func(*testenv.DovecotServer) []mailboxYAML { return nil })
	hard := filepath.Join(t.TempDir(), "hard.eml")
	if err := os.WriteFile(hard, corpusFile(t, "hard"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.eml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	downCfg := strings.Replace(readString(t, e.config), e.dbURL, "postgres://postgres@127.0.0.1:"+itoa(closedPort(t))+"/x?sslmode=disable&connect_timeout=2", 1)
	down := writeFile(t, "down.yaml", downCfg)
	tests := []struct {
		name   string
		args   []string
		code   int
		events int // bounce_events after the call
	}{
		{"recorded", []string{"ingest", hard, "--config", e.config}, 0, 1},
		{"again: duplicate", []string{"ingest", hard, "--config", e.config}, 0, 1},
		{"empty", []string{"ingest", empty, "--config", e.config}, exitDataErr, 1},
		{"missing file", []string{"ingest", "/nonexistent/x.eml", "--config", e.config}, exitNoInput, 1},
		{"database down", []string{"ingest", hard, "--config", down}, exitTempFail, 1},
		{"two files", []string{"ingest", hard, empty, "--config", e.config}, exitUsage, 1},
		{"unknown flag", []string{"ingest", "--no-such-flag", hard, "--config", e.config}, exitUsage, 1},
	}
	for _, tt := range tests {
		_, stderr, code := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d (stderr %s)", tt.name, code, tt.code, stderr)
		}
		if n := e.count(t, `SELECT count(*) FROM bounce_events`); n != tt.events {
			t.Errorf("%s: %d events, want %d", tt.name, n, tt.events)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM processed_messages WHERE mailbox = 'ingest'`); n != 1 {
		t.Errorf("ledger rows labelled ingest = %d, want 1", n)
	}
}
