package main

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/poller"
)

func TestLogProgress(t *testing.T) {
	var buf bytes.Buffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	p := logProgress(10*time.Second, func() time.Time { return now })
	steps := []struct {
		done, total int
		after       time.Duration
	}{
		{100, 500, 0},                 // small pass: never logged
		{100, 5000, 0},                // logged
		{200, 5000, 5 * time.Second},  // too soon
		{300, 5000, 10 * time.Second}, // logged
		{5000, 5000, time.Second},     // the end is always logged
	}
	for _, s := range steps {
		now = now.Add(s.after)
		p(poller.ProgressInfo{Mailbox: "main", Done: s.done, Total: s.total})
	}
	got := strings.Count(buf.String(), "poll progress")
	if got != 3 || !strings.Contains(buf.String(), "done=300 total=5000") || strings.Contains(buf.String(), "done=200") {
		t.Errorf("progress lines:\n%s\nwant 3: done=100, 300 and 5000 of 5000", buf.String())
	}
}

func TestTerminalProgress(t *testing.T) {
	var buf bytes.Buffer
	p := terminalProgress(&buf)
	p(poller.ProgressInfo{Mailbox: "main", Done: 500, Total: 2000})
	p(poller.ProgressInfo{Mailbox: "main", Done: 2000, Total: 2000})
	if want := "\rmain: 500/2000 (25%)\rmain: 2000/2000 (100%)\n"; buf.String() != want {
		t.Errorf("terminal progress = %q, want %q", buf.String(), want)
	}
}
