package dashboard

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// The unprocessed page lists every message nothing was recorded for, each
// kind apart: unparsed (seeded), not a report, and a bounce naming no
// recipient; a complaint whose recipient was redacted is not held and not
// listed; the old /ui/unparsed address still answers.
func TestUnprocessedListsEveryHeldKind(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		msgs := []suppression.Message{
			{Key: "ooo", Mailbox: "bounces", ReceivedAt: now.Add(-4 * time.Hour), Report: &dsn.Report{Type: dsn.TypeOther,
				Message: dsn.Envelope{Subject: "Please remove me", From: "reader@example.org"}}},
			{Key: "arf", Mailbox: "fbl", ReceivedAt: now.Add(-5 * time.Hour), Report: &dsn.Report{Type: dsn.TypeARF,
				Feedback: &dsn.Feedback{Type: "abuse"}, Recipients: []dsn.Recipient{{FeedbackType: "abuse"}},
				Message: dsn.Envelope{Subject: "FW: Earn money", From: "abusedesk@example.com"}}},
			{Key: "dsn", Mailbox: "bounces", ReceivedAt: now.Add(-6 * time.Hour), Report: &dsn.Report{Type: dsn.TypeDSN,
				Recipients: []dsn.Recipient{{}}, Message: dsn.Envelope{Subject: "Undelivered Mail", From: "MAILER-DAEMON@mx.example.net"}}},
		}
		if _, err := s.Record(context.Background(), msgs, now); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(readToken)
		code, page := b.get("/ui/unprocessed")
		if code != 200 {
			t.Fatalf("/ui/unprocessed = %d", code)
		}
		for _, want := range []string{"<title>Unprocessed messages", ">Unprocessed</a>",
			"of those given to <code>bouncer ingest</code> only this row is left",
			"Could not be parsed</td>", "no report &lt;b&gt;here&lt;/b&gt;",
			"Not a bounce or complaint</td>", "Please remove me", "reader@example.org",
			"No usable recipient</td>", "Undelivered Mail", "record 1: no recipient"} {
			if !strings.Contains(page, want) {
				t.Errorf("/ui/unprocessed lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "FW: Earn money") {
			t.Errorf("/ui/unprocessed lists the complaint whose recipient was redacted (not held):\n%s", page)
		}
		_, page = b.get("/ui/unprocessed?kind=not_report")
		if !strings.Contains(page, "Please remove me") || strings.Contains(page, "FW: Earn money") || strings.Contains(page, "mailer@odd.test") {
			t.Errorf("kind=not_report shows other kinds or lacks its own:\n%s", page)
		}
		if code, page := b.get("/ui/unprocessed?kind=bogus"); code != 400 || !strings.Contains(page, `unknown kind &#34;bogus&#34;`) {
			t.Errorf("kind=bogus = %d, want 400 naming it:\n%s", code, page)
		}
		resp, _ := b.do("GET", "/ui/unparsed?days=7", nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 301 || loc != "/ui/unprocessed?days=7&kind=quarantined" {
			t.Errorf("/ui/unparsed = %d to %q, want 301 to the quarantined messages", resp.StatusCode, loc)
		}
		_, page = b.get("/ui/unprocessed?days=7&kind=quarantined")
		if !strings.Contains(page, "mailer@odd.test") || strings.Contains(page, "Please remove me") {
			t.Errorf("kind=quarantined:\n%s", page)
		}
	})
}

// The overview shows a mailbox's last error only while it is failing (as
// the report does), and no waiting count for a poll that failed.
func TestOverviewMailboxErrorAndWaiting(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		ctx := context.Background()
		polls := []suppression.PollStatus{
			{Mailbox: "recovered", At: now.Add(-time.Hour), Err: "login: wrong password"},
			{Mailbox: "recovered", At: now.Add(-50 * time.Minute), Waiting: 2},
			{Mailbox: "failing", At: now.Add(-time.Hour), Waiting: 3},
			{Mailbox: "failing", At: now.Add(-50 * time.Minute), Err: "login: authentication failed"},
		}
		for _, p := range polls {
			if err := s.RecordPoll(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(readToken)
		_, page := b.get("/ui/")
		if strings.Contains(page, "wrong password") {
			t.Errorf("overview shows the error of a mailbox that recovered:\n%s", page)
		}
		for _, want := range []string{"login: authentication failed", "<td>unknown (last poll failed)</td>", "<td>2</td>"} {
			if !strings.Contains(page, want) {
				t.Errorf("overview lacks %q:\n%s", want, page)
			}
		}
	})
}
