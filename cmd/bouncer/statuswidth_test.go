package main

import (
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// A table that does not fit cuts the diagnostic, never what an operator
// pastes into the next command: status keeps each recipient whole, and
// suppression show keeps each event's Message-ID whole (what status takes).
func TestStatusAndShowKeepAddressAndMessageIDWhole(t *testing.T) {
	const (
		rcpt = "pseudo-local-part-kijitora-nyaan@neko.example.co.jp"
		id   = "<01010157b7234f87-8e1ec8d5-9a60-4b48-8c3a-1a6e8b4b3c4d-000000@us-west-2.amazonses.com>"
		diag = "550 5.1.1 <pseudo-local-part-kijitora-nyaan@neko.example.co.jp>: Recipient address rejected: User unknown in virtual mailbox table"
	)
	cfg := recordedConfig(t, "", reportMsg("1", id, time.Now().Add(-time.Hour),
		dsn.Recipient{FinalRecipient: rcpt, Action: "failed", Status: "5.1.1", Diagnostic: diag, Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}))
	out, errOut, code := runCLI(t, "status", id, "--config", cfg)
	if code != 0 {
		t.Fatalf("status: exit %d, %s", code, errOut)
	}
	if !strings.Contains(out, "\n"+rcpt+"  failed  hard") || !strings.Contains(out, "…") {
		t.Errorf("status cut the recipient (or did not need to cut the diagnostic):\n%s\nwant %s whole", out, rcpt)
	}
	out, errOut, code = runCLI(t, "suppression", "show", rcpt, "--config", cfg)
	if code != 0 {
		t.Fatalf("suppression show: exit %d, %s", code, errOut)
	}
	if !strings.Contains(out, "  "+id+"\n") {
		t.Errorf("suppression show cut the Message-ID:\n%s\nwant %s whole", out, id)
	}
}
