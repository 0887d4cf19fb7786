package main

import (
	"io"
	"log/slog"
	"os"
)

// newLogger returns the logger cfg describes, writing to stderr.
func newLogger(cfg LogConfig) *slog.Logger { return newLoggerTo(os.Stderr, cfg) }

// newLoggerTo returns a text or JSON logger at cfg's level writing to w.
// Unknown values fall back to text and info (validation reports them).
func newLoggerTo(w io.Writer, cfg LogConfig) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
