package main

import (
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestPollSummaryCountsEachMessageOnce polls, from a real Dovecot into
// each store, a hard bounce, a copy of it relayed once more (another
// Received: line: the same notice, other bytes) and one junk message
// delivered twice. The summary accounts for each of the four once: the
// copies are duplicates (they changed nothing), and the second junk copy
// is not also counted as a second message that was not a report.
func TestPollSummaryCountsEachMessageOnce(t *testing.T) {
	hard, junk := corpusFile(t, "hard"), corpusFile(t, "junk")
	relayed := append([]byte("Received: from relay2.example.com by mail.example.com; Mon, 24 May 2010 19:07:00 +0900\r\n"), hard...)
	for _, store := range []string{"postgres", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			dbURL := testenv.PostgresURL(t)
			if store == "sqlite" {
				dbURL = "sqlite:" + t.TempDir() + "/bouncer.db"
			}
			e := newPollEnvDB(t, dbURL, 10, func(d *testenv.DovecotServer) []mailboxYAML {
				return []mailboxYAML{{name: "main", protocol: "imap", tls: "implicit", port: d.IMAPSPort}}
			})
			if store == "sqlite" {
				if _, stderr, code := runCLI(t, "migrate", "--config", e.config); code != 0 {
					t.Fatalf("migrate exit %d: %s", code, stderr)
				}
			}
			for _, m := range [][]byte{hard, relayed, junk, junk} {
				e.dovecot.DeliverMaildir(m)
			}
			out, stderr, code := runCLI(t, "poll", "--once", "--config", e.config)
			if code != 0 {
				t.Fatalf("poll --once exit %d, stderr %s", code, stderr)
			}
			want := "main: fetched 4, events [hard=1], complaints 0, not reports 1, unparsed 0, no recipient 0, newly suppressed 1, duplicates 2, "
			if !strings.HasPrefix(out, want) {
				t.Errorf("summary = %q, want it to start %q", out, want)
			}
			if n := e.count(t, `SELECT count(*) FROM bounce_events`); n != 1 {
				t.Errorf("%d events recorded, want 1", n)
			}
			if n := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'repeated'`); n != 1 {
				t.Errorf("repeated ledger rows = %d, want 1 (the relayed copy)", n)
			}
			if got := [3]int{e.maildir(t, ""), e.maildir(t, "Processed"), e.maildir(t, "Unprocessed")}; got != [3]int{0, 2, 2} {
				t.Errorf("INBOX, Processed, Unprocessed = %v; want [0 2 2]", got)
			}
		})
	}
}
