package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// bouncer sent add adds to a stream's hour, once per --id, and names what
// is wrong with bad input (exit 64).
func TestSentAddCommand(t *testing.T) {
	cfg, s := sqliteStoreConfig(t, "")
	at := "2026-03-01T12:30:00Z"
	for _, args := range [][]string{
		{"--stream", "News", "--count", "100", "--at", at},
		{"--stream", "news", "--count", "20", "--at", at, "--id", "x1"},
	} {
		out, errOut, code := runCLI(t, append([]string{"sent", "add", "--config", cfg}, args...)...)
		if code != 0 || !strings.Contains(out, "to stream news, hour of ") {
			t.Fatalf("sent add %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	out, _, code := runCLI(t, "sent", "add", "--config", cfg, "--stream", "news", "--count", "20", "--at", at, "--id", "x1")
	if code != 0 || !strings.Contains(out, `id "x1" was recorded before: nothing added`) {
		t.Errorf("sent add again with --id x1: exit %d\n%s", code, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--stream", "news", "--count", "0"}, "count 0 must be 1 to"},
		{[]string{"--stream", "a b", "--count", "5"}, `stream "a b" must be`},
		{[]string{"--stream", "news", "--count", "5", "--at", "noon"}, `--at "noon": want an RFC 3339 time`},
		{[]string{"--count", "5"}, `"stream" not set`},
	} {
		_, errOut, code := runCLI(t, append([]string{"sent", "add", "--config", cfg}, tt.args...)...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("sent add %v: exit %d, %q; want an error saying %q", tt.args, code, errOut, tt.want)
		}
	}
	from := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got, err := s.SentHours(context.Background(), from, from.Add(time.Hour))
	if err != nil || len(got) != 1 || got[0].Count != 120 {
		t.Errorf("SentHours = %+v, %v; want news 120", got, err)
	}
}
