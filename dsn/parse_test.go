package dsn

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const simpleDSN = "From: MAILER-DAEMON@mx.example.net\nTo: bounces+tok@example.com\nDelivered-To: bounces+tok@example.com\n" +
	"Subject: Undelivered Mail Returned to Sender\nMessage-ID: <b1@mx.example.net>\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n" +
	"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n" +
	"--B\nContent-Type: text/plain\n\nThe mail system\n\n<a@example.org>: host mx.example.org said: 550 5.1.1 unknown\n" +
	"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" +
	"Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n" +
	"Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address rejected\n\n" +
	"--B\nContent-Type: message/rfc822\n\nMessage-ID: <orig-1@example.com>\nFrom: Sender <news@example.com>\n" +
	"To: a@example.org\nSubject: Hello\nReturn-Path: <bounces+tok@example.com>\nX-Campaign-Id: c42\n\nbody\n--B--\n"

func TestParseDSN(t *testing.T) {
	rep, err := ParseWithOptions(strings.NewReader(simpleDSN), &Options{Headers: []string{"x-campaign-id"}})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Type", string(rep.Type), string(TypeDSN)},
		{"ReportingMTA", rep.ReportingMTA, "mx.example.net"},
		{"recipient", rep.Recipients[0].FinalRecipient, "a@example.org"},
		{"status", rep.Recipients[0].Status, "5.1.1"},
		{"reply code", rep.Recipients[0].ReplyCode, "550"},
		{"class", string(rep.Recipients[0].Class), string(ClassHard)},
		{"Message.From", rep.Message.From, "MAILER-DAEMON@mx.example.net"},
		{"Message.DeliveredTo", strings.Join(rep.Message.DeliveredTo, ","), "bounces+tok@example.com"},
		{"Message.MessageID", rep.Message.MessageID, "<b1@mx.example.net>"},
		{"Original.MessageID", rep.Original.MessageID, "<orig-1@example.com>"},
		{"Original.From", rep.Original.From, "news@example.com"},
		{"Original.Subject", rep.Original.Subject, "Hello"},
		{"Original.ReturnPath", rep.Original.ReturnPath, "bounces+tok@example.com"},
		{"Original.Headers", rep.Original.Headers["X-Campaign-Id"], "c42"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestParseForwardedReport(t *testing.T) {
	msg := "From: admin@example.com\nTo: bounces@example.com\nSubject: Fwd: bounce\n" +
		"Content-Type: multipart/mixed; boundary=\"OUT\"\n\n--OUT\nContent-Type: text/plain\n\nsee attached\n" +
		"--OUT\nContent-Type: message/rfc822\n\n" + simpleDSN + "\n--OUT--\n"
	rep := mustParse(t, []byte(msg))
	if rep.Type != TypeDSN || len(rep.Recipients) != 1 || rep.Recipients[0].FinalRecipient != "a@example.org" {
		t.Fatalf("forwarded report: type %q records %+v, want one dsn record for a@example.org", rep.Type, rep.Recipients)
	}
}

func TestParseDelayedIsInformational(t *testing.T) {
	msg := strings.Replace(simpleDSN, "Action: failed\nStatus: 5.1.1", "Action: delayed\nStatus: 4.4.1", 1)
	rep := mustParse(t, []byte(msg))
	rc := rep.Recipients[0]
	if rc.Action != "delayed" || rc.Class != ClassIgnore {
		t.Errorf("delayed record: action %q class %q, want delayed/ignore", rc.Action, rc.Class)
	}
}

func TestParseGlobalDSN(t *testing.T) {
	msg := "From: MAILER-DAEMON@mx.example\nContent-Type: multipart/report; report-type=global-delivery-status; boundary=B\n\n" +
		"--B\nContent-Type: message/global-delivery-status\n\nReporting-MTA: dns; mx.example\n\n" +
		"Final-Recipient: utf-8; \\x{65E5}\\x{672C}@example.jp\nAction: failed\nStatus: 5.1.1\n--B--\n"
	rep := mustParse(t, []byte(msg))
	if len(rep.Recipients) != 1 || rep.Recipients[0].FinalRecipient != "日本@example.jp" {
		t.Fatalf("global DSN records %+v, want 日本@example.jp", rep.Recipients)
	}
}

func TestParseNotAReport(t *testing.T) {
	for _, msg := range []string{
		"",
		"From: alice@example.com\nTo: bob@example.com\nSubject: lunch?\n\nAt noon, bob@example.com?\n",
		"garbage without any header\n\n\n",
		"From: Alice <alice@example.com>\nSubject: Re: your proposal was rejected\n\n<bob@example.com>: could you look at this?\n",
		"From: News <bounce@news.example.com>\nSubject: 配信停止のお知らせ\n\nuser@example.com\n",
		"From: News <news@shop.example>\nTo: c@example.com\nSubject: Your parcel\n\nYour parcel could not be delivered.\nContact support@shop.example.\n",
		"From: Bob <bob@example.org>\nSubject: Read: Hello\nContent-Type: multipart/report; report-type=disposition-notification; boundary=M\n\n" +
			"--M\nContent-Type: text/plain\n\nYour message was read.\n--M\nContent-Type: message/disposition-notification\n\n" +
			"Final-Recipient: rfc822;bob@example.org\nDisposition: automatic-action/MDN-sent-automatically; displayed\n--M--\n",
		// RFC 8098's example read receipt (MimeKit's test message): its
		// prose names the reader in brackets, as a failure notice would.
		"From: Joe Recipient <Joe_Recipient@example.com>\nSubject: Disposition notification\nTo: Jane Sender <Jane_Sender@example.org>\n" +
			"Content-Type: multipart/report; report-type=disposition-notification;\n boundary=\"RAA14128.773615765/example.com\"\n\n" +
			"--RAA14128.773615765/example.com\n\nThe message sent on 1995 Sep 19 at 13:30:00 (EDT) -0400 to Joe\n" +
			"Recipient <Joe_Recipient@example.com> with subject \"First draft of\nreport\" has been displayed.  This is no guarantee that the message\n" +
			"has been read or understood.\n\n--RAA14128.773615765/example.com\ncontent-type: message/disposition-notification\n\n" +
			"Reporting-UA: joes-pc.cs.example.com; Foomail 97.1\nOriginal-Recipient: rfc822;Joe_Recipient@example.com\n" +
			"Final-Recipient: rfc822;Joe_Recipient@example.com\nOriginal-Message-ID: <199509192301.23456@example.org>\n" +
			"Disposition: manual-action/MDN-sent-manually; displayed\n\n--RAA14128.773615765/example.com\ncontent-type: message/rfc822\n\n" +
			"From: Jane Sender <Jane_Sender@example.com>\nSubject: First draft of report\nTo: Joe Recipient <Joe_Recipient@example.com>\n\nHey Joe,\n" +
			"\n--RAA14128.773615765/example.com--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\n",
	} {
		rep, err := Parse(strings.NewReader(msg))
		if err != nil {
			t.Errorf("Parse(%q): %v", msg, err)
			continue
		}
		if rep.Type != TypeOther || len(rep.Recipients) != 0 {
			t.Errorf("Parse(%q) = type %q with %d records, want other with none", msg, rep.Type, len(rep.Recipients))
		}
	}
}

func TestParseAutoreply(t *testing.T) {
	msg := "From: Kiji <kiji@example.net>\nTo: news@example.com\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nAway.\n"
	rep := mustParse(t, []byte(msg))
	if rep.Type != TypeAutoreply || len(rep.Recipients) != 1 || rep.Recipients[0].FinalRecipient != "kiji@example.net" ||
		rep.Recipients[0].Class != ClassIgnore {
		t.Fatalf("auto-reply: type %q records %+v, want one ignored record for kiji@example.net", rep.Type, rep.Recipients)
	}
}

func TestParseLimits(t *testing.T) {
	rep, err := ParseWithOptions(strings.NewReader(simpleDSN), &Options{MaxSize: 600})
	if !errors.Is(err, ErrTooLarge) || rep == nil {
		t.Errorf("MaxSize 600: err %v report %v, want ErrTooLarge with a report", err, rep)
	}
	if want := "dsn: message exceeds the size limit (600 bytes)"; err == nil || err.Error() != want {
		t.Errorf("MaxSize 600: err %q, want %q (one dsn: prefix)", err, want)
	}
	_, err = ParseWithOptions(strings.NewReader("Subject: "+strings.Repeat("x", 5000)+"\n\n"), &Options{MaxHeaderBytes: 1000})
	var hl *HeaderTooLongError
	if !errors.As(err, &hl) || !errors.Is(err, ErrHeaderTooLong) || hl.Limit != 1000 {
		t.Errorf("long header: err %v, want HeaderTooLongError{1000}", err)
	}
	rep, err = ParseWithOptions(strings.NewReader(simpleDSN), &Options{MaxParts: 2})
	if err != nil || len(rep.Problems) == 0 {
		t.Errorf("MaxParts 2: err %v problems %v, want a problem", err, rep.Problems)
	}
	nested := simpleDSN
	for i := range 4 {
		b := fmt.Sprintf("N%d", i)
		nested = "From: MAILER-DAEMON@relay.example\nContent-Type: multipart/mixed; boundary=" + b +
			"\n\n--" + b + "\nContent-Type: message/rfc822\n\n" + nested + "\n--" + b + "--\n"
	}
	if rep := mustParse(t, []byte(nested)); rep.Type != TypeDSN || len(rep.Problems) != 0 {
		t.Errorf("nested 4 deep: type %q problems %v, want dsn without problems", rep.Type, rep.Problems)
	}
	rep, err = ParseWithOptions(strings.NewReader(nested), &Options{MaxDepth: 3})
	if err != nil || len(rep.Problems) == 0 {
		t.Errorf("MaxDepth 3: err %v problems %v, want a problem", err, rep.Problems)
	}
}

func TestNormalizeNewlines(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\nb\r\n", "a\nb\n"},
		{"a\rb\r", "a\nb\n"},
		{"a\nb", "a\nb"},
		{"a\r\r\nb", "a\n\nb"},
	}
	for _, tt := range tests {
		if got := string(normalizeNewlines([]byte(tt.in))); got != tt.want {
			t.Errorf("normalizeNewlines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParsePipelinedRCPT: with PIPELINING, Sendmail sends RCPT TO and DATA
// together and prints ">>> DATA" before the replies; when DATA is then
// refused for want of a recipient ("503 Need RCPT", "no valid
// recipients"), the refusal printed first answered RCPT TO. A refusal after
// the message was sent (">>> ." and no such reply) answered DATA.
func TestParsePipelinedRCPT(t *testing.T) {
	const tmpl = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n" +
		"To: <sender@example.org>\nSubject: Returned mail: see transcript for details\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n" +
		"--b\n\n   ----- The following addresses had permanent fatal errors -----\n<a@example.net>\n" +
		"    (reason: 553 5.3.0 <a@example.net>... Unknown E-Mail Address)\n\n" +
		"   ----- Transcript of session follows -----\n... while talking to mx.example.net.:\n%s\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n" +
		"Final-Recipient: RFC822; a@example.net\nAction: failed\nStatus: 5.3.0\nRemote-MTA: DNS; mx.example.net\n" +
		"Diagnostic-Code: SMTP; 553 5.3.0 <a@example.net>... Unknown E-Mail Address\n\n--b--\n"
	for _, c := range []struct {
		name, transcript, cmd string
		class                 Class
	}{
		{"503 need rcpt", ">>> DATA\n<<< 553 5.3.0 <a@example.net>... Unknown E-Mail Address\n" +
			"550 5.1.1 <a@example.net>... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)", "RCPT", ClassHard},
		{"no valid recipients", ">>> DATA\n<<< 553 5.3.0 <a@example.net>... Unknown E-Mail Address\n" +
			"550 5.1.1 <a@example.net>... User unknown\n<<< 554 5.5.1 Error: no valid recipients", "RCPT", ClassHard},
		{"refused after the message", ">>> DATA\n<<< 354 Enter mail\n>>> .\n<<< 553 5.3.0 <a@example.net>... Unknown E-Mail Address\n" +
			"554 5.0.0 <a@example.net>... Service unavailable", "DATA", ClassSoft},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := mustParse(t, []byte(fmt.Sprintf(tmpl, c.transcript)))
			if len(rep.Recipients) != 1 {
				t.Fatalf("%d records, want 1", len(rep.Recipients))
			}
			r := rep.Recipients[0]
			if r.Command != c.cmd || r.Class != c.class {
				t.Errorf("command %q class %q (%s), want %q %q", r.Command, r.Class, r.Reason, c.cmd, c.class)
			}
		})
	}
}

func TestPipelinedRCPT(t *testing.T) {
	for in, want := range map[string]bool{
		">>> DATA\n<<< 550 5.1.1 <a@b>... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)":       true,
		">>> DATA\n<<< 550 <a@b>: User unknown\n<<< 554 Error: no valid recipients":                true,
		">>> DATA\n<<< 550 unknown user\n<<< 503-All RCPT commands were rejected with this error:": true,
		">>> DATA\n<<< 354 Enter mail\n>>> .\n<<< 550 No valid recipients":                         false, // after the message
		">>> .\n<<< 550 No valid recipients":                                                       false, // no DATA in the story
		">>> DATA\n<<< 554 5.7.1 Message refused":                                                  false,
	} {
		if got := pipelinedRCPT(in); got != want {
			t.Errorf("pipelinedRCPT(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestParseTextDelayNotices: a notice that only says delivery is delayed is
// informational (ignore), never a failure; a failure whose subject quotes
// the original's ("Undeliverable: Flight delayed") stays a failure.
func TestParseTextDelayNotices(t *testing.T) {
	gmailDelay := "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: a@example.org\n" +
		"Subject: Delivery Status Notification (Delay)\n\n" +
		"This is an automatically generated Delivery Status Notification\n\nTHIS IS A WARNING MESSAGE ONLY.\n\n" +
		"YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\nDelivery to the following recipient has been delayed:\n\n" +
		"     b@example.net\n\nMessage will be retried for 2 more day(s)\n\n" +
		"Technical details of temporary failure:\nThe recipient server did not accept our requests to connect.\n"
	failure := "From: MAILER-DAEMON@mx.example.org\nTo: a@example.org\nSubject: Undeliverable: Flight delayed\n\n" +
		"Your message did not reach some or all of the intended recipients.\n\n" +
		"b@example.net\n    550 5.1.1 <b@example.net>: Recipient address rejected: User unknown in local recipient table\n"
	for _, c := range []struct {
		name, msg, action string
		class             Class
	}{
		{"gmail delay", gmailDelay, "delayed", ClassIgnore},
		// X1's delay warning (sisimai set-of-emails lhost-x1-04), in the
		// failure layout of Sendmail's notices: the subject says warning.
		{"x1 warning", "From: \"Mail Deliver System\" <MAILER-DAEMON@fix1.example.co.jp>\nTo: a@example.org\n" +
			"Subject: Warning--Could not send mail for past 8.5 hours\n\nThe original message was received at Fri, 21 Mar 2025 13:13:48 +0900 (JST)\n" +
			"from a@example.org\n\n---The following addresses had delivery errors---\n\nb@example.net [Connection timed out]\n", "delayed", ClassIgnore},
		// A gateway's "Delivery failure notification" that goes on
		// retrying (flufl.bounce simple_22): its advice line is no
		// separator, and the retry sentence makes it a delay.
		{"retrying gateway", "From: postmaster@gw.example.org\nTo: a@example.org\nSubject: Delivery failure notification\n\n" +
			"Your message with Subject: Re: lost and found\ncould not be delivered to the following recipients:\n\nb@example.net\n\n" +
			"Please do not resend your original message.\n\nDelivery attempts will continue to be made for 5  day(s).\n", "delayed", ClassIgnore},
		{"failure quoting a delay subject", failure, "failed", ClassHard},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := mustParse(t, []byte(c.msg))
			if len(rep.Recipients) != 1 {
				t.Fatalf("%d records, want 1", len(rep.Recipients))
			}
			if r := rep.Recipients[0]; r.Action != c.action || r.Class != c.class {
				t.Errorf("action %q class %q (%s), want %q %q", r.Action, r.Class, r.Reason, c.action, c.class)
			}
		})
	}
}

// TestParseForwardedBounceInProse: a person forwarding a bounce inline to a
// mailing list ("Getting a lot of these...") is no bounce; above all, the
// addresses of the forwarded original's header are no failed recipients.
func TestParseForwardedBounceInProse(t *testing.T) {
	msg := "From: Jamal <jhs@example.com>\nTo: Developers <dev@lists.example.org>\nSubject: email issues?\n" +
		"Precedence: bulk\nList-ID: <dev.lists.example.org>\n\nGetting a lot of these...\n\n" +
		"---------- Forwarded message ---------\nFrom: Postmaster <postmaster@bounce.example.net>\n" +
		"Subject: Undeliverable: Re: [PATCH] net: simplify\nTo: <jhs@example.com>\n\n" +
		"MESSAGE NOT DELIVERED\n\nThere was an issue delivering your message to got@dopamine.example. This\nis an 5.1.2 Error.\n\n" +
		"---------- Forwarded message ----------\nFrom: Jamal <jhs@example.com>\nTo: Vladimir <vladimir@example.com>\n" +
		"Cc: dev@lists.example.org, Eric <eric@example.com>,\nJiri Pirko <jiri@example.us>\nSubject: Re: [PATCH] net: simplify\n"
	rep := mustParse(t, []byte(msg))
	for _, r := range rep.Recipients {
		if r.Class == ClassHard || r.Class == ClassSoft || r.Class == ClassBlock {
			t.Errorf("record %s classed %s/%s, want none", r.FinalRecipient, r.Reason, r.Class)
		}
	}
}

// TestParseNotNotices: a newsletter or a list post that shows a bounce in
// its text (List-Unsubscribe, List-Id) and a person's mail naming its own
// reader as the failed address are not notices: no failure record.
func TestParseNotNotices(t *testing.T) {
	for name, msg := range map[string]string{
		"newsletter example": "From: Deliverability Weekly <news@weekly.example>\nTo: henry@example.com\n" +
			"Subject: Issue 42: hard bounces\nList-Unsubscribe: <https://weekly.example/u>\nPrecedence: bulk\n\n" +
			"This week: what undeliverable really means.\n\nA hard bounce looks like this:\n\n" +
			"  Final-Recipient: rfc822; someone@example.com\n  Action: failed\n  Status: 5.1.1\n" +
			"  Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.\n",
		"issue notification": "From: Kim <notifications@forge.example>\nTo: repo@noreply.forge.example\n" +
			"Subject: [repo] Bounces are not parsed (#45)\nList-ID: <repo.forge.example>\n\n" +
			"Our mail delivery failed with:\n\n```\n<kim@example.net>: host mx.example.net said: 550 5.1.1 user unknown\n```\n",
		"a person naming its reader": "From: \"Mail Admin\" <it-desk@evil.example>\nTo: eli@example.com\n" +
			"Subject: Undeliverable: 3 incoming messages for eli@example.com\n\n" +
			"Delivery has failed to these recipients or groups:\n\neli@example.com\n" +
			"Your message couldn't be delivered because the mailbox is full.\n",
	} {
		t.Run(name, func(t *testing.T) {
			rep := mustParse(t, []byte(msg))
			for _, r := range rep.Recipients {
				if r.Class == ClassHard || r.Class == ClassSoft || r.Class == ClassBlock {
					t.Errorf("record %s classed %s/%s, want none", r.FinalRecipient, r.Reason, r.Class)
				}
			}
		})
	}
}

// TestParseNullSenderNotice: a notice whose From is the null reverse-path
// ("From: <>", an Exim filter's reply in BounceParser's warning-5.msg) is
// written by a mail system, and its one sentence names the failed address.
func TestParseNullSenderNotice(t *testing.T) {
	msg := "Return-Path: <>\nFrom: <>\nTo: bounces@example.com\nAuto-Submitted: auto-replied\n" +
		"Subject: \n\nYou sent mail to b@example.net. That's not a valid user here.\n"
	rep := mustParse(t, []byte(msg))
	if len(rep.Recipients) != 1 || rep.Recipients[0].FinalRecipient != "b@example.net" || rep.Recipients[0].Action != "failed" {
		t.Fatalf("records %+v, want one failed record for b@example.net", rep.Recipients)
	}
	if r := rep.Recipients[0]; r.Class == ClassIgnore || r.Class == "" {
		t.Errorf("class %q, want a failure class", r.Class)
	}
}

// TestParseReturnedToOnlyWhenSole: a notice naming no full address is
// attributed to the returned original's To only when the original has one
// addressee and, where the notice names the recipient by a bare name, the
// To is that name. A list post (To a person, the list in Cc, as
// flufl.bounce's bounce_01 from Jetmail naming only "dylan") names its
// author's addressees, not the member whose delivery failed.
func TestParseReturnedToOnlyWhenSole(t *testing.T) {
	notice := func(to string) string {
		return "From: \"Jetmail System\" <>\nTo: list-admin@example.org\nSubject: Mail Error\nDate: 06 Feb 2001 14:41:27 GMT\n\n" +
			"Your mail cannot be delivered to the following address(es):\n\n dylan \"(0), ErrMsg=mail box space not enough, account=dylan \"\n\n" +
			"Please check the above address(es) and then try again.\n\n---- Header of the source mail attached ----\n\n" +
			"Received: from mx.example.org by mail.example.net (JetMail 2.5.3.0)\n\twith SMTP id jmb3a800bb6; Tue,  6 Feb 2001 06:41:26 -0000\n" +
			"From: <author@example.com>\n" + to + "Subject: Re: sorting\nMessage-ID: <1@example.com>\n"
	}
	for _, c := range []struct {
		name, to, want string
	}{
		{"the named recipient, sole addressee", "To: Dylan <dylan@example.com>\n", "dylan@example.com"},
		{"another sole addressee than the name", "To: Sam <sam@example.com>\n", ""},
		{"a list in copy", "To: Dylan <dylan@example.com>\nCc: <list@example.org>\n", ""},
	} {
		rep := mustParse(t, []byte(notice(c.to)))
		got := ""
		for i := range rep.Recipients {
			got += rep.Recipients[i].Address()
		}
		if got != c.want {
			t.Errorf("%s: recorded %q, want %q", c.name, got, c.want)
		}
	}
}
