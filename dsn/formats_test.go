package dsn

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// TestParseOldFormats: notice formats of old and odd servers name their
// failed recipients in ways the general scanner must read, and the
// returned original's list address is never taken for one.
func TestParseOldFormats(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		want      []string
	}{
		{"AOL screen name at the notice's domain",
			"From: Mail Delivery Subsystem <MAILER-DAEMON@aol.com>\nTo: <list-bounces@lists.example.org>\nSubject: Mail Delivery Problem\n\n" +
				"Your mail to the following recipients could not be delivered because they are not accepting mail from list@lists.example.org:\n" +
				"\tscreenname\n\n",
			[]string{"screenname@aol.com"}},
		{"Exchange 5.5 X.400 recipient block",
			"From: System Administrator <postmaster@example.com>\nTo: list-bounces@lists.example.org\nSubject: Undeliverable: RE: results\n\n" +
				"Your message\n\n  To: list@lists.example.org\n  Subject: RE: results\n\ndid not reach the following recipient(s):\n\n" +
				"c=US;a= ;p=EXAMPLE;o=Nexus2;dda:SMTP=JSMITH@EXAMPLE.COM; on Fri, 4 Oct 2002\n17:12:28 -0400\n" +
				"    The recipient name is not recognized\n",
			[]string{"JSMITH@EXAMPLE.COM"}},
		{"MDaemon's quoted list under a 'copy of your message' line",
			"From: MDaemon@mx.example.com\nTo: list-admin@lists.example.org\nSubject: Permanent Delivery Failure\n\n" +
				"The attached message had PERMANENT fatal delivery errors!\n\nYOUR MESSAGE WAS NOT DELIVERED!\n\n" +
				"The following addresses did NOT receive a copy of your message:\n\n> gone@example.com\n\n" +
				"--- Session Transcript ---\n RCPT To:<gone@example.com>\n 550 <gone@example.com>, User unknown\n--- End Transcript ---\n",
			[]string{"gone@example.com"}},
		{"Microsoft's Non-Delivery Report names the address as its own display name",
			"From: <admin@example.com>\nTo: <list-bounces@lists.example.org>\nSubject: Non-Delivery: Your message\n\n" +
				"--- Non-Delivery Report ---\nThe email below could not be delivered to the following user:\n\n" +
				"\"kim@example.com\" <kim@example.com>\n\nOld message:\n\nYour mail to 'GPC-talk' is held.\n",
			[]string{"kim@example.com"}},
		{"a sentence wrapped over two lines",
			"From: Mail Delivery System <Mailer-Daemon@mail.example.net>\nTo: list-admin@lists.example.org\nSubject: Mail delivery failure\n\n" +
				"This message was created automatically by mail delivery\nsoftware.\n\n" +
				"The following message, addressed to 'james@example.co.uk',\nfailed because it has not been collected after 30 days\n",
			[]string{"james@example.co.uk"}},
		{"Smail 3's failed-address block between bar separators (flufl.bounce simple_04)",
			"From: <MAILER-DAEMON@airmail.example>\nTo: list-admin@lists.example.org\nList-Id: <list.lists.example.org>\n" +
				"Subject: mail failed, returning to sender\n\n" +
				"|------------------------- Message log follows: -------------------------|\n no valid recipients were found for this message\n" +
				"|------------------------- Failed addresses follow: ---------------------|\n claird@starbase.example.com ... unknown host\n" +
				"|------------------------- Message text follows: ------------------------|\nReceived: from mx1.airmail.example\n" +
				"To: someone-else@example.net\n\nhello\n",
			[]string{"claird@starbase.example.com"}},
		{"Yale's phquery notice names a bare name, completed by the returned trace (flufl.bounce yale_01)",
			"From: MAILER-DAEMON@mr2.its.yale.example\nTo: list-admin@lists.example.org\nSubject: Returned mail - nameserver error report\n\n" +
				" --------Message not delivered to the following:\n\n thomas.dtankengine    No matches to nameserver query\n\n" +
				" --------Error Detail (phquery V4.1):\n\n To reach a party that was formerly reachable by emailing NAME@yale.example,\n try emailing to NAME@cs.yale.example instead.\n\n" +
				" --------Unsent Message below:\n\nReceived: from mail.lists.example.org ([192.0.2.30])\n\tby mr2.its.yale.example (8.8.8/8.8.8) with ESMTP id NAA14654\n" +
				"\tfor <thomas.dtankengine@yale.example>; Tue, 26 Dec 2000 13:26:17 -0500 (EST)\nFrom: list-request@lists.example.org\nTo: list@lists.example.org\n\nhello\n",
			[]string{"thomas.dtankengine@yale.example"}},
		{"a bare name the returned trace does not complete gives no record",
			"From: MAILER-DAEMON@mr2.its.yale.example\nTo: list-admin@lists.example.org\nSubject: Returned mail - nameserver error report\n\n" +
				" --------Message not delivered to the following:\n\n thomas.dtankengine    No matches to nameserver query\n\n" +
				" --------Unsent Message below:\n\nReceived: from mail.lists.example.org ([192.0.2.30])\n\tby mr2.its.yale.example (8.8.8/8.8.8) with ESMTP id NAA14654\n" +
				"\tfor <someone.else@yale.example>; Tue, 26 Dec 2000 13:26:17 -0500 (EST)\nFrom: list-request@lists.example.org\nTo: list@lists.example.org\n\nhello\n",
			nil},
		{"LLNL's FAILED MAIL, relayed with the list's own List-Id (flufl.bounce llnl_01)",
			"From: postmaster@llnl.example (Automated response from LLNL postmaster)\nTo: list-admin@lists.example.org\n" +
				"List-Id: <list.lists.example.org>\nSubject: FAILED MAIL to \"trotts1\" regarding \"[ANNOUNCE] 2.3.0\"\n\n" +
				"The standard form of email address at LLNL is lastnameNumber@llnl.example\nalthough individuals may choose an alternate email address. The address to\n" +
				"which your message was addressed, trotts1@llnl.example, did not exactly match an\nLLNL email address.\n",
			[]string{"trotts1@llnl.example"}},
		{"a report's Final-Recipient field in the notice's own header (hostcenter, bounce_email's unknown_code_bounce_01)",
			"From: Postmaster@tradingpost.example\nTo: jack@example.com\nSubject: Mail Delivery Failure\n" +
				"Final-Recipient: rfc822;sdrake@tradingpost.example\nOriginal-Recipient: rfc822;sdrake@tradingpost.example\n\n" +
				"Delivery of email to this address\n\n\"sdrake@tradingpost.example\"\n\nhas failed due to a full mailbox.\n",
			[]string{"sdrake@tradingpost.example"}},
		{"the returned post's list address is no recipient",
			"From: MAILER-DAEMON@mx.example.com\nTo: list-bounces@lists.example.org\nSubject: Returned mail - nameserver error report\n\n" +
				"Message not delivered.\n\n----- Original message follows -----\n" +
				"From: someone@example.net\nTo: list@lists.example.org\nList-Id: The list <list.lists.example.org>\nSubject: hi\n\nhello\n",
			nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := failedAddrs(mustParse(t, []byte(c.msg))); !slices.Equal(got, c.want) {
				t.Errorf("failed records %q, want %q", got, c.want)
			}
		})
	}
}

// TestParseNeverInvents: no record names a null, empty or masked address,
// an address with its type glued on, or one of our own addresses. With
// KeepNameless (the poller, when a signed return path can name the
// recipient) a record without an address survives, its FinalRecipient
// left empty; masked addresses are still dropped.
func TestParseNeverInvents(t *testing.T) {
	for _, c := range []struct {
		name, rcpt string
		own        []string
		keep       bool
		want       []string
	}{
		{"type glued on, space before the colon", "Final-Recipient : rfc/822;kim@example.com", nil, false, []string{"kim@example.com"}},
		{"null address", "Final-Recipient: rfc822; <>", nil, false, nil},
		{"empty", "Final-Recipient: rfc822;", nil, false, nil},
		{"masked", "Final-Recipient: rfc822; david...@gmail.com", nil, false, nil},
		{"our own bounce mailbox", "Final-Recipient: rfc822; bounces@example.com", []string{"Bounces@Example.com"}, false, nil},
		{"empty, kept nameless", "Final-Recipient: rfc822;", nil, true, []string{""}},
		{"null address, kept nameless", "Final-Recipient: rfc822; <>", nil, true, []string{""}},
		{"masked, even with nameless kept", "Final-Recipient: rfc822; david...@gmail.com", nil, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := dsnMessage(c.rcpt + "\nAction: failed\nStatus: 5.1.1\n\n")
			rep, err := ParseWithOptions(bytes.NewReader([]byte(msg)), &Options{OwnAddresses: c.own, KeepNameless: c.keep})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rep.Recipients {
				got = append(got, r.FinalRecipient)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("records %q, want %q", got, c.want)
			}
		})
	}
}

// failedHeaderNotice is an Exim-style notice whose X-Failed-Recipients
// header lists 2n addresses (n distinct, each twice) that its text does
// not name.
func failedHeaderNotice(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Mail Delivery System <Mailer-Daemon@mx.example.com>\nTo: bounces@example.org\n" +
		"Subject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: ")
	for i := range 2 * n {
		if i > 0 {
			b.WriteString(",\n ")
		}
		fmt.Fprintf(&b, "u%d@example.com", i%n)
	}
	b.WriteString("\n\nA message that you sent could not be delivered to one or more of its\nrecipients. " +
		"This is a permanent error.\n\n  SMTP error from remote mail server after RCPT TO: 550 5.1.1 User unknown\n")
	return b.Bytes()
}

// TestParseHugeFailedHeader: a forged X-Failed-Recipients of 33,000
// addresses (16,500 distinct) yields MaxRecipients records, distinct, with
// the rest counted.
func TestParseHugeFailedHeader(t *testing.T) {
	rep := mustParse(t, failedHeaderNotice(16_500))
	if len(rep.Recipients) != DefaultMaxRecipients {
		t.Fatalf("%d records, want %d", len(rep.Recipients), DefaultMaxRecipients)
	}
	seen := map[string]bool{}
	for _, r := range rep.Recipients {
		if seen[r.FinalRecipient] {
			t.Errorf("record %s repeated", r.FinalRecipient)
		}
		seen[r.FinalRecipient] = true
	}
	if !hasProblem(rep, "more records ignored") {
		t.Errorf("problems %q, want the ignored records counted", rep.Problems)
	}
}

// BenchmarkParseHugeFailedHeader parses the 33,000-address notice; the
// de-duplication is linear, so this stays in milliseconds.
func BenchmarkParseHugeFailedHeader(b *testing.B) {
	msg := failedHeaderNotice(16_500)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseExpansionSource: Exim's "(ultimately generated from a@b)" under
// a failed address names the address the sender wrote to, which the record
// keeps as its original recipient; the note is no part of the reason.
func TestParseExpansionSource(t *testing.T) {
	for _, c := range []struct{ name, msg, final, orig, diag string }{
		{"exim", "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: a@example.com\nSubject: Mail delivery failed: returning message to sender\n\n" +
			"This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\n" +
			"recipients. This is a permanent error. The following address(es) failed:\n\n  kiji@example.net\n    (ultimately generated from neko@example.org)\n" +
			"    SMTP error from remote mail server after RCPT TO:<kiji@example.net>:\n    host mx.example.net [192.0.2.1]: 550 5.1.1 User unknown\n",
			"kiji@example.net", "neko@example.org", "SMTP error from remote mail server after RCPT TO:<kiji@example.net>: host mx.example.net [192.0.2.1]: 550 5.1.1 User unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := mustParse(t, []byte(c.msg))
			if len(rep.Recipients) != 1 {
				t.Fatalf("%d records, want 1", len(rep.Recipients))
			}
			r := rep.Recipients[0]
			if r.FinalRecipient != c.final || r.OriginalRecipient != c.orig || r.Diagnostic != c.diag {
				t.Errorf("final %q original %q diagnostic %q, want %q %q %q", r.FinalRecipient, r.OriginalRecipient, r.Diagnostic, c.final, c.orig, c.diag)
			}
		})
	}
}
