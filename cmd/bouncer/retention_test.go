package main

import (
	"bytes"
	"database/sql"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// bouncer prune --dry-run says what would go and keeps it; bouncer prune
// deletes the events past retention.events and leaves the list alone; the
// ids of sent counts follow retention.ledger.
func TestPruneCommand(t *testing.T) {
	now := time.Now()
	dead := dsn.Recipient{FinalRecipient: "dead@x.test", Action: "failed", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}
	cfg := recordedConfig(t, "retention: {events: 100d, ledger: 0}\n",
		reportMsg("old", "<1@app.test>", now.AddDate(0, 0, -101), dead), reportMsg("new", "<2@app.test>", now.AddDate(0, 0, -99), dead))
	out, errOut, code := runCLI(t, "prune", "--dry-run", "--config", cfg)
	if code != 0 || !strings.Contains(out, "bounce_events: would prune 1 row received before") || !strings.Contains(out, "processed_messages: kept for ever") {
		t.Errorf("prune --dry-run: exit %d\n%s%s", code, out, errOut)
	}
	if zone := now.Format(" 15:04 MST\n"); !strings.Contains(out, now.AddDate(0, 0, -100).Format(time.DateOnly)) || !strings.Contains(out, zone[6:]) {
		t.Errorf("prune --dry-run names no time zone (%q):\n%s", zone[6:], out)
	}
	out, errOut, code = runCLI(t, "prune", "--config", cfg)
	for _, want := range []string{"bounce_events: pruned 1 row received before", "; 1 batch, longest",
		"sent_counts: pruned 0 rows counting hours before", "sent_count_ids: kept for ever"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("prune: exit %d, want %q in\n%s%s", code, want, out, errOut)
		}
	}
	out, _, _ = runSupp(t, cfg, "show", "dead@x.test")
	if !strings.Contains(out, "hard 2, soft 0") || !strings.Contains(out, "evidence (1 event") {
		t.Errorf("after prune, show:\n%s\nwant the counts kept (hard 2) and one event left", out)
	}
	_, errOut, _ = runSupp(t, cfg, "recompute", "--dry-run")
	if !strings.Contains(errOut, "recompute sees the events received since") {
		t.Errorf("recompute after prune says %q, want the date it sees from", errOut)
	}
}

// bouncer run prunes once at start (then daily).
func TestRunPrunesAtStart(t *testing.T) {
	now := time.Now()
	dead := dsn.Recipient{FinalRecipient: "dead@x.test", Action: "failed", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}
	cfg, path := recordedStore(t, "retention: {events: 100d}\n",
		reportMsg("old", "<1@app.test>", now.AddDate(0, 0, -101), dead), reportMsg("new", "<2@app.test>", now.AddDate(0, 0, -99), dead))
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events := func() int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM bounce_events`).Scan(&n); err != nil {
			return -1
		}
		return n
	}
	var out bytes.Buffer
	cmd := exec.Command(bouncerBinary(t), "run", "--config", cfg)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "the event of 101 days ago pruned", func() bool { return events() == 1 })
	terminate(t, cmd, &out)
}

// A batch shorter than a millisecond reads "<1ms", never "0s".
func TestBatchTime(t *testing.T) {
	for d, want := range map[time.Duration]string{300 * time.Microsecond: "<1ms", 1400 * time.Microsecond: "1ms", 31 * time.Millisecond: "31ms"} {
		if got := batchTime(d); got != want {
			t.Errorf("batchTime(%v) = %q, want %q", d, got, want)
		}
	}
}
