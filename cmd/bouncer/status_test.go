package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// bouncer status prints the fate of a message by its Message-ID, with or
// without brackets, and says "no report" (with the first report's age)
// for one without a failure.
func TestStatusCommand(t *testing.T) {
	at := time.Now().Add(-3 * time.Hour)
	cfg := recordedConfig(t, "",
		reportMsg("1", "<reset-1@app.test>", at, dsn.Recipient{FinalRecipient: "dead@x.test", Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 no such user", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}),
		reportMsg("2", "<reset-2@app.test>", at, dsn.Recipient{FinalRecipient: "away@x.test", Action: "autoreply", Class: dsn.ClassIgnore, Reason: dsn.ReasonVacation}),
		reportMsg("3", "<reset-3@app.test>", at, dsn.Recipient{FinalRecipient: "ok@x.test", Action: "delivered", Status: "2.0.0", Class: dsn.ClassIgnore, Reason: dsn.ReasonDelivered}))
	tests := []struct {
		id   string
		want []string
	}{
		{"reset-1@app.test", []string{"<reset-1@app.test>: failed\n", "dead@x.test  failed  hard   userunknown  5.1.1", "550 5.1.1 no such user"}},
		{"<reset-2@app.test>", []string{"<reset-2@app.test>: no failure reported (first report 3h ago", ": not a failure, complaint or delay)\n" + notProof,
			"away@x.test  no failure  ignore  vacation"}},
		{"<reset-3@app.test>", []string{"<reset-3@app.test>: no failure reported (a delivery report came 3h ago, ", "ok@x.test  delivered  ignore  delivered  2.0.0"}},
		{"<never@app.test>", []string{"<never@app.test>: no report\n" + notProof}},
	}
	for _, tt := range tests {
		out, errOut, code := runCLI(t, "status", tt.id, "--config", cfg)
		if code != 0 {
			t.Fatalf("status %s: exit %d, %s", tt.id, code, errOut)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("status %s:\n%s\nwant %q", tt.id, out, w)
			}
		}
		if strings.Contains(out, "Reports are kept from") {
			t.Errorf("status %s says reports were pruned, none were:\n%s", tt.id, out)
		}
	}
	out, _, _ := runCLI(t, "status", "reset-3@app.test", "--config", cfg)
	if strings.Contains(out, "no report") || strings.Contains(out, notProof) {
		t.Errorf("status of a delivered message says no report or that it is not proven:\n%s", out)
	}
	_, errOut, code := runCLI(t, "status", "<>", "--config", cfg)
	if code != exitUsage || !strings.Contains(errOut, `bouncer: invalid message id "<>": want the Message-ID`) {
		t.Errorf("status '<>': exit %d, %s; want %d naming the id", code, errOut, exitUsage)
	}
	out, _, code = runCLI(t, "status", "reset-3@app.test", "--format", "json", "--config", cfg)
	if code != 0 || !strings.Contains(out, `"state": "no_report"`) || !strings.Contains(out, `"state": "delivered"`) || !strings.Contains(out, `"reports_pruned_before": null`) {
		t.Errorf("status --format json of a delivered message: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "status", "reset-1@app.test", "--format", "json", "--config", cfg)
	if code != 0 || !strings.Contains(out, `"state": "failed"`) || !strings.Contains(out, `"reason": "userunknown"`) ||
		!strings.Contains(out, `"message_id": "<reset-1@app.test>"`) {
		t.Errorf("status --format json: exit %d\n%s", code, out)
	}
}

// notProof is the line status prints under a message no failure names.
const notProof = "Not proof of delivery: the receiver may have accepted it, or a bounce may be yet to come or name no message.\n"

// Once retention has pruned events, status says from when reports are
// kept, and the JSON answer gives the time; a Message-ID is matched with
// its case. suppression show says it too under an entry first seen before
// then (an empty evidence is not read as no cause), and not under one
// whose events are all kept.
func TestStatusCommandAfterPrune(t *testing.T) {
	now := time.Now()
	cfg, db := recordedStore(t, "",
		reportMsg("old", "<old@app.test>", now.AddDate(0, 0, -500), dsn.Recipient{FinalRecipient: "a@x.test", Action: "failed", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}),
		reportMsg("new", "<New@app.test>", now, dsn.Recipient{FinalRecipient: "b@x.test", Action: "failed", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}))
	s, err := suppression.Open(context.Background(), "sqlite:"+db, suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keep := 400 * 24 * time.Hour
	if _, err := s.Prune(context.Background(), suppression.Retention{Events: keep}, now, false); err != nil {
		t.Fatal(err)
	}
	s.Close()
	kept := now.Add(-keep)
	out, _, code := runCLI(t, "status", "old@app.test", "--config", cfg)
	if want := "<old@app.test>: no report\n" + notProof + "Reports are kept from " + zoned(&kept) + " (retention.events); older ones were pruned.\n"; code != 0 || out != want {
		t.Errorf("status of a pruned message: exit %d\n%s\nwant\n%s", code, out, want)
	}
	out, _, code = runCLI(t, "suppression", "show", "a@x.test", "--config", cfg)
	if code != 0 || !strings.Contains(out, "evidence (0 events, newest first):\n") ||
		!strings.HasSuffix(out, "Events are kept from "+zoned(&kept)+" (retention.events); older ones were pruned, and the counts above include them.\n") {
		t.Errorf("show of an entry whose events were pruned: exit %d\n%s", code, out)
	}
	if out, _, _ := runCLI(t, "suppression", "show", "b@x.test", "--config", cfg); strings.Contains(out, "Events are kept from") {
		t.Errorf("show of an entry whose events are all kept speaks of pruning:\n%s", out)
	}
	out, _, _ = runCLI(t, "status", "new@app.test", "--format", "json", "--config", cfg)
	if !strings.Contains(out, `"state": "no_report"`) || !strings.Contains(out, `"reports_pruned_before": "`+kept.UTC().Format(time.RFC3339)[:16]) {
		t.Errorf("status --format json of new@app.test (sent as New@app.test):\n%s\nwant no_report (case-sensitive) and the pruning time", out)
	}
}

// recordedConfig writes a config (with extra YAML) whose SQLite store holds
// msgs, recorded now.
func recordedConfig(t *testing.T, extra string, msgs ...suppression.Message) string {
	t.Helper()
	cfg, _ := recordedStore(t, extra, msgs...)
	return cfg
}

// recordedStore is recordedConfig also returning the database's path.
func recordedStore(t *testing.T, extra string, msgs ...suppression.Message) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	cfg = writeFile(t, "bouncer.yaml", fmt.Sprintf("state_dir: %s\n%s", dir, extra))
	db = filepath.Join(dir, "bouncer.db")
	s, err := suppression.Open(context.Background(), "sqlite:"+db, suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Record(context.Background(), msgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// reportMsg is a DSN received at at about the sent message id.
func reportMsg(key, id string, at time.Time, r dsn.Recipient) suppression.Message {
	return suppression.Message{Key: key, Mailbox: "main", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN,
		Recipients: []dsn.Recipient{r}, Original: dsn.Original{MessageID: id}}}
}
