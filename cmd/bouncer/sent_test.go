package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
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
	if code != 0 || !strings.Contains(out, `id "x1" was recorded before with this stream, count and hour: nothing added`) {
		t.Errorf("sent add again with --id x1: exit %d\n%s", code, out)
	}
	_, errOut, code := runCLI(t, "sent", "add", "--config", cfg, "--stream", "t", "--count", "5", "--at", at, "--id", "x1")
	if want := `bouncer: id "x1" was recorded before for stream news, count 20, hour 2026-03-01 12:00 UTC; this count has stream t, count 5: an id names one count`; code != exitUsage || !strings.HasPrefix(errOut, want) {
		t.Errorf("sent add reusing x1 for another count: exit %d, %q; want exit 64 and %q", code, errOut, want)
	}
	// Without --at a count is timed by its arrival: a retry in a later
	// hour (x2 first recorded an hour ago) is a duplicate.
	if _, err := s.AddSent(context.Background(), []suppression.Sent{{ID: "x2", Stream: "news", Count: 7}}, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI(t, "sent", "add", "--config", cfg, "--stream", "news", "--count", "7", "--id", "x2")
	if code != 0 || !strings.Contains(out, `id "x2" was recorded before with this stream and count: nothing added`) {
		t.Errorf("sent add --id x2 without --at, an hour after x2: exit %d\n%s%s", code, out, errOut)
	}
	soon := time.Now().Add(4 * time.Minute).Format(time.RFC3339)
	if out, errOut, code := runCLI(t, "sent", "add", "--config", cfg, "--stream", "soon", "--count", "1", "--at", soon); code != 0 {
		t.Errorf("sent add --at 4 minutes ahead: exit %d\n%s%s", code, out, errOut)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--stream", "news", "--count", "0"}, "count 0 must be 1 to"},
		{[]string{"--stream", "a b", "--count", "5"}, `stream "a b" must be`},
		{[]string{"--stream", "news", "--count", "5", "--at", "noon"}, `--at "noon": want an RFC 3339 time`},
		{[]string{"--count", "5"}, `"stream" not set`},
		{[]string{"--stream", "news", "--count", "5", "--at", time.Now().Add(6 * time.Minute).Format(time.RFC3339)}, "is more than 5m in the future"},
		{[]string{"--stream", "news", "--count", "5", "--at", time.Now().AddDate(0, 0, -401).Format(time.RFC3339)}, "is older than retention.sent (400d) keeps sent counts"},
	} {
		_, errOut, code := runCLI(t, append([]string{"sent", "add", "--config", cfg}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("sent add %v: exit %d, %q; want an error saying %q", tt.args, code, errOut, tt.want)
		}
	}
	from := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got, err := s.SentHours(context.Background(), from, from.Add(time.Hour))
	if err != nil || len(got) != 1 || got[0].Count != 120 {
		t.Errorf("SentHours = %+v, %v; want news 120", got, err)
	}
}
