package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
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
		"receipts  last 30 days  20     0     0     0      0          not enough volume  not enough volume\n",
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

// The example of docs/rates.md is what bouncer rates prints for its
// figures, recorded in a real store: a day under rates.min_volume reads
// "not enough volume" in both rate columns.
func TestRatesDocExample(t *testing.T) {
	_, s := sqliteStoreConfig(t, "")
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Per day of the stream: sent, hard, soft, block, complaint.
	days := map[string][5]int{
		"2026-11-15": {67600, 590, 90, 22, 29},
		"2026-12-03": {25000, 246, 28, 6, 9},
		"2026-12-06": {5000, 61, 12, 3, 2},
		"2026-12-07": {400, 3, 0, 0, 0},
	}
	classes := []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock, dsn.ClassComplaint}
	var msgs []suppression.Message
	for day, f := range days {
		at, _ := time.ParseInLocation(time.DateTime, day+" 10:00:00", paris)
		if _, err := s.AddSent(ctx, []suppression.Sent{{Stream: "newsletter", Count: int64(f[0]), At: at}}, at); err != nil {
			t.Fatal(err)
		}
		for c, class := range classes {
			for i := range f[c+1] {
				key := fmt.Sprintf("%s-%s-%d", day, class, i)
				msgs = append(msgs, suppression.Message{Key: key, Mailbox: "main", ReceivedAt: at, Stream: "newsletter",
					Report: &dsn.Report{Type: dsn.TypeDSN, Recipients: []dsn.Recipient{{FinalRecipient: key + "@x.test", Class: class}}}})
			}
		}
	}
	if _, err := s.Record(ctx, msgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	last, _ := time.ParseInLocation(time.DateTime, "2026-12-07 15:00:00", paris)
	q, err := suppression.ParseRatesQuery("newsletter", "2", suppression.RatesQuery{Last: last, Location: paris, MinVolume: 1000})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Rates(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printRates(&out, r); err != nil {
		t.Fatal(err)
	}
	if want := docSample(t, "rates.md", "bouncer rates --stream newsletter --days 2"); out.String() != want {
		t.Errorf("docs/rates.md's example:\n%s\nbouncer rates prints:\n%s", want, out.String())
	}
}

// rates --stream for a stream that neither sent nor bounced names the
// streams that did, so a misspelt name is not read as a quiet stream.
func TestRatesUnknownStreamNamesOthers(t *testing.T) {
	cfg, s := sqliteStoreConfig(t, "")
	now := time.Now()
	if _, err := s.AddSent(context.Background(), []suppression.Sent{{Stream: "newsletter", Count: 1500, At: now}, {Stream: "receipts", Count: 20, At: now}}, now); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "rates", "--stream", "newsleter", "--config", cfg)
	if want := "nothing sent or bounced in the last 30 days\nthe streams that did: newsletter, receipts (not newsleter)\n"; code != 0 || !strings.HasSuffix(out, want) {
		t.Errorf("rates --stream newsleter: exit %d %s\n%s\nwant it to end with %q", code, errOut, out, want)
	}
	if out, _, _ := runCLI(t, "rates", "--stream", "newsleter", "--format", "json", "--config", cfg); !strings.Contains(out, `"streams": []`) {
		t.Errorf("rates --format json of an unknown stream:\n%s\nwant no streams", out)
	}
}
