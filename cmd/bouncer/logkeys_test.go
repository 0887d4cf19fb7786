package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestLogErrorKey checks every package logs an error under the one key
// `err`, so a log query for failures finds them all: no slog attribute or
// key-value pair named "error" or "error_*".
func TestLogErrorKey(t *testing.T) {
	bad := regexp.MustCompile(`slog\.(String|Any)\("error[^"]*"|(Error|Warn|Info|Debug)(Context)?\(.*"error[^"]*", *\w*[eE]rr`)
	testenv.SourceLines(t, "../..", []string{".go"}, func(path string, n int, line string) {
		if bad.MatchString(line) {
			t.Errorf("%s:%d: log an error under the key err: %s", path, n, strings.TrimSpace(line))
		}
	})
}
