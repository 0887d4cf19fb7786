package notify

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// TestReportShowsMessagesLeftForAPerson sends a day with a message that is
// not a report, a complaint whose recipient is redacted (the ARF sample as
// providers send it), a bounce naming only an invalid address and an
// unparsed message, and a mailbox whose last poll failed, through the SMTP
// server: each held kind is counted apart with its subject and sender, the
// complaint counts under its provider and is not held, and the failing
// mailbox's waiting count is unknown.
func TestReportShowsMessagesLeftForAPerson(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		ctx := context.Background()
		at := func(h int) time.Time { return reportDay.Add(time.Duration(h) * time.Hour) }
		raw, err := os.ReadFile("../dsn/testdata/corpus/arf-mail-auth/arf-001.eml")
		if err != nil {
			t.Fatal(err)
		}
		arf, err := dsn.Parse(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		record(t, s,
			suppression.Message{Key: "ooo", Mailbox: "bounces", ReceivedAt: at(9), Report: &dsn.Report{Type: dsn.TypeOther,
				Message: dsn.Envelope{Subject: "Please remove me", From: "reader@example.org"}}},
			suppression.Message{Key: "arf", Mailbox: "fbl", ReceivedAt: at(10), Report: arf},
			bounce("bad", at(11), failed("not an address", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 no such user")),
			suppression.Message{Key: "junk", Mailbox: "bounces", ReceivedAt: at(12), ParseError: "no MIME boundary", Subject: "Re: your invoice", From: "someone@example.net"},
		)
		for _, p := range []suppression.PollStatus{
			{Mailbox: "bounces", At: at(22), Waiting: 5},
			{Mailbox: "bounces", At: at(23), Err: "login: authentication failed"},
		} {
			if err := s.RecordPoll(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		srv := startSMTP(t, TLSStartTLS, "reporter", "s3cret")
		if out, err := newTestNotifier(t, s, srv).Tick(ctx, dueAt.Add(time.Second)); err != nil || out != Sent {
			t.Fatalf("Tick = %q, %v; want sent", out, err)
		}
		m := parseMail(t, only(t, srv).Data)
		m.Text = strings.ReplaceAll(m.Text, "\r\n", "\n")
		for _, want := range []string{
			"COMPLAINTS BY FEEDBACK PROVIDER\n  ! example.com: 1 complaint without a recipient, not recorded: sign return",
			"MESSAGES LEFT FOR A PERSON: 3\n",
			"  nothing was recorded for them; polled ones are in the failed folder (IMAP)\n  or left on the server (POP3); of those given to bouncer ingest only the\n  ledger's row below is left (kept for retention.ledger)\n",
			"  could not be parsed: 1\n", "bounces  Re: your invoice\n        from someone@example.net; no MIME boundary\n",
			"  not a bounce or complaint: 1\n", "bounces  Please remove me\n        from reader@example.org\n",
			"  no usable recipient: 1\n",
			"bounces  Undelivered Mail\n        from MAILER-DAEMON@mx.bouncer.test; record 1: invalid address",
			"      0 consecutive failures",
		} {
			if want == "      0 consecutive failures" {
				if strings.Contains(m.Text, want) {
					t.Errorf("text part shows the failing mailbox as healthy:\n%s", m.Text)
				}
				continue
			}
			if !strings.Contains(m.Text, want) {
				t.Errorf("text part lacks %q:\n%s", want, m.Text)
			}
		}
		if !strings.Contains(m.Text, "1 consecutive failure, waiting: unknown (last poll failed)\n") || strings.Contains(m.Text, "5 waiting") {
			t.Errorf("text part shows a waiting count for a failed poll:\n%s", m.Text)
		}
		if strings.Contains(m.Text, "FW: Earn money") || strings.Contains(m.HTML, "FW: Earn money") {
			t.Errorf("the redacted complaint is listed as left for a person:\n%s", m.Text)
		}
		for _, want := range []string{"Messages left for a person: 3</h2>", "no usable recipient: 1</h3>", "Please remove me",
			"example.com: 1 complaint without a recipient", "unknown (last poll failed)</td>"} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("HTML part lacks %q:\n%s", want, m.HTML)
			}
		}
		if strings.Contains(m.Text, "COMPLAINTS BY FEEDBACK PROVIDER\n  none") {
			t.Errorf("text part says no complaints:\n%s", m.Text)
		}
	})
}
