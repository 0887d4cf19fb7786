package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// bouncer rates prints each stream's days and trailing windows, says "not
// enough volume" under rates.min_volume, and prints JSON on request.
func TestRatesCommand(t *testing.T) {
	cfg, s := sqliteStoreConfig(t, "report: {timezone: UTC}\nrates: {min_volume: 1000}\n")
	now := time.Now()
	if _, err := s.AddSent(context.Background(), []suppression.Sent{{Stream: "news", Count: 1500, At: now}, {Stream: "receipts", Count: 20, At: now}}, now); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "rates", "--days", "1", "--config", cfg)
	if code != 0 {
		t.Fatalf("rates: exit %d %s", code, errOut)
	}
	today := now.UTC().Format(time.DateOnly)
	for _, want := range []string{
		"Rates through " + today + " (UTC); a rate needs 1,000 sent\n",
		"news      " + today + "    1,500  0     0     0      0          0.00%              0.00%\n",
		"receipts  last 30 days  20     0     0     0      0          not enough volume  \n",
		"(all)     last 7 days   1,520",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rates:\n%s\nwant %q", out, want)
		}
	}
	out, _, code = runCLI(t, "rates", "--stream", "receipts", "--format", "json", "--config", cfg)
	if code != 0 || !strings.Contains(out, `"stream": "receipts"`) || strings.Contains(out, `"news"`) || !strings.Contains(out, `"bounce_rate": null`) {
		t.Errorf("rates --stream receipts --format json: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"--days", "0"}, {"--stream", "a b"}, {"--format", "csv"}} {
		if _, errOut, code := runCLI(t, append([]string{"rates", "--config", cfg}, args...)...); code != 64 || !strings.Contains(errOut, args[1]) {
			t.Errorf("rates %v: exit %d %q, want 64 naming %s", args, code, errOut, args[1])
		}
	}
}
