package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestNewLogger(t *testing.T) {
	tests := []struct {
		cfg        LogConfig
		debug      bool   // debug records are written
		wantPrefix string // how a record starts
	}{
		{LogConfig{Level: "info", Format: "text"}, false, "time="},
		{LogConfig{Level: "debug", Format: "json"}, true, `{"time":`},
		{LogConfig{Level: "error", Format: "text"}, false, "time="},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		l := newLoggerTo(&buf, tt.cfg)
		if got := l.Enabled(context.Background(), slog.LevelDebug); got != tt.debug {
			t.Errorf("newLoggerTo(%+v) debug enabled = %v, want %v", tt.cfg, got, tt.debug)
		}
		l.Error("boom", "mailbox_name", "main")
		if !strings.HasPrefix(buf.String(), tt.wantPrefix) || !strings.Contains(buf.String(), "main") {
			t.Errorf("newLoggerTo(%+v) wrote %q, want prefix %q", tt.cfg, buf.String(), tt.wantPrefix)
		}
	}
	if newLogger(LogConfig{Level: "warn"}).Enabled(context.Background(), slog.LevelInfo) {
		t.Error("newLogger(warn) enables info")
	}
}
