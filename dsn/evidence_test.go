package dsn

import (
	"strings"
	"testing"
)

// failedAddrs returns the addresses of the records that count as failures
// (hard, soft, block).
func failedAddrs(rep *Report) []string {
	var out []string
	for _, r := range rep.Recipients {
		if r.Class == ClassHard || r.Class == ClassSoft || r.Class == ClassBlock {
			out = append(out, r.FinalRecipient)
		}
	}
	return out
}

// TestParseRelayedNotices: a notice from a mail system that list software
// or a forwarding rule relayed with its own List-* and Precedence fields is
// still a notice: list headers are evidence, never a veto.
func TestParseRelayedNotices(t *testing.T) {
	const postfix = "This is the mail system at host mx.example.net.\n\n" +
		"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n" +
		"<gone@example.net>: host mx.example.net said: 550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown\n"
	for name, hdr := range map[string]string{
		"Mailman to the list owner": "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: dev-bounces@lists.example.org\n" +
			"Subject: Undelivered Mail Returned to Sender\nList-Id: <dev.lists.example.org>\n" +
			"List-Unsubscribe: <mailto:dev-request@lists.example.org?subject=unsubscribe>\nPrecedence: list\n",
		"Google Groups relay": "From: Mail Delivery System <postmaster@mx.example.net>\nTo: team@groups.example.com\n" +
			"Subject: Mail delivery failed\nList-Id: <team.groups.example.com>\nPrecedence: bulk\n",
	} {
		t.Run(name, func(t *testing.T) {
			rep := mustParse(t, []byte(hdr+"\n"+postfix))
			if got := failedAddrs(rep); len(got) != 1 || got[0] != "gone@example.net" {
				t.Errorf("failed records %q, want [gone@example.net]", got)
			}
		})
	}
}

// TestParseQuotedExamples: without list headers too, a person's or a
// newsletter's mail that shows a notice as an example (indented report
// fields, a fenced block) names no failure.
func TestParseQuotedExamples(t *testing.T) {
	for name, msg := range map[string]string{
		"indented report fields": "From: Deliverability Weekly <news@weekly.example>\nTo: henry@example.com\n" +
			"Subject: Issue 42: hard bounces\n\nThis week: what undeliverable really means.\n\n" +
			"A hard bounce looks like this:\n\n  Final-Recipient: rfc822; someone@example.com\n  Action: failed\n" +
			"  Status: 5.1.1\n  Diagnostic-Code: smtp; 550 5.1.1 The email account does not exist.\n",
		"fenced block": "From: Kim <notifications@forge.example>\nTo: repo@noreply.forge.example\n" +
			"Subject: [repo] Bounces are not parsed (#45)\n\nOur mail delivery failed with:\n\n" +
			"```\n<kim@example.net>: host mx.example.net said: 550 5.1.1 user unknown\n```\n",
	} {
		t.Run(name, func(t *testing.T) {
			if got := failedAddrs(mustParse(t, []byte(msg))); len(got) != 0 {
				t.Errorf("failed records %q, want none", got)
			}
			// The same text as a mail system's notice is read.
			notice := strings.Replace(strings.Replace(msg, "```\n", "", 2), "\n  ", "\n", -1)
			notice = "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nSubject: Undelivered Mail\n" + notice[strings.Index(notice, "To:"):]
			if got := failedAddrs(mustParse(t, []byte(notice))); len(got) != 1 {
				t.Errorf("as a notice: failed records %q, want one", got)
			}
		})
	}
}

// TestParseChallengeResponse: a challenge/response system's hold notice,
// even written as a multipart/report (Boxbe), is an auto-reply: no failure.
func TestParseChallengeResponse(t *testing.T) {
	report := "From: noreply@screen.example\nTo: news@example.com\nSubject: Re: Your offer\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n" +
		"--B\nContent-Type: text/plain\n\nYour message about \"Your offer\" has been waitlisted.\n" +
		"Please add yourself to my Guest List so your messages go to my Inbox.\n" +
		"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; screen.example\n\n" +
		"Final-Recipient: rfc822; kim@example.net\nAction: failed\nStatus: 4.7.0\n" +
		"Diagnostic-Code: X-Screen-Notice; Sender not pre-approved\n--B--\n"
	prose := "From: Kim <kim@example.net>\nTo: news@example.com\nSubject: Please verify your message\n\n" +
		"I use a spam filter. Your message could not be delivered until you verify you are human:\n" +
		"https://verify.example/abc\n"
	for name, msg := range map[string]string{"report": report, "prose": prose} {
		t.Run(name, func(t *testing.T) {
			rep := mustParse(t, []byte(msg))
			if got := failedAddrs(rep); len(got) != 0 {
				t.Errorf("failed records %q, want none", got)
			}
			if rep.Type != TypeAutoreply {
				t.Errorf("type %q, want %q", rep.Type, TypeAutoreply)
			}
		})
	}
	// The same report from a mail system is a failure.
	rep := mustParse(t, []byte(strings.Replace(report, "noreply@screen.example", "MAILER-DAEMON@screen.example", 1)))
	if got := failedAddrs(rep); len(got) != 1 {
		t.Errorf("from a mail system: failed records %q, want kim@example.net", got)
	}
}
