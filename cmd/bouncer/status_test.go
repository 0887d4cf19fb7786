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
		reportMsg("2", "<reset-2@app.test>", at, dsn.Recipient{FinalRecipient: "away@x.test", Action: "autoreply", Class: dsn.ClassIgnore, Reason: dsn.ReasonVacation}))
	tests := []struct {
		id   string
		want []string
	}{
		{"reset-1@app.test", []string{"<reset-1@app.test>: failed\n", "dead@x.test  failed  hard   userunknown  5.1.1", "550 5.1.1 no such user"}},
		{"<reset-2@app.test>", []string{"<reset-2@app.test>: no report (first report 3h ago"}},
		{"<never@app.test>", []string{"<never@app.test>: no report (no report names this message)\n"}},
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
	}
	_, errOut, code := runCLI(t, "status", "<>", "--config", cfg)
	if code != exitUsage || !strings.Contains(errOut, `bouncer: invalid message id "<>": want the Message-ID`) {
		t.Errorf("status '<>': exit %d, %s; want %d naming the id", code, errOut, exitUsage)
	}
	out, _, code := runCLI(t, "status", "reset-1@app.test", "--format", "json", "--config", cfg)
	if code != 0 || !strings.Contains(out, `"state": "failed"`) || !strings.Contains(out, `"reason": "userunknown"`) ||
		!strings.Contains(out, `"message_id": "<reset-1@app.test>"`) {
		t.Errorf("status --format json: exit %d\n%s", code, out)
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
