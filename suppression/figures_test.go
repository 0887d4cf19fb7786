package suppression

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// figDay is the day the figures tests report on, in UTC.
var figDay = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func figWindow() Window { return Window{From: figDay, To: figDay.AddDate(0, 0, 1)} }

// figRcpt builds a classified recipient record.
func figRcpt(addr string, class dsn.Class, reason dsn.Reason, status, mta, diag string) dsn.Recipient {
	return dsn.Recipient{FinalRecipient: addr, Action: "failed", Status: status, RemoteMTA: mta, Diagnostic: diag, Class: class, Reason: reason}
}

// figMessage is a parsed DSN from mx.bouncer.test received at.
func figMessage(key string, at time.Time, recs ...dsn.Recipient) Message {
	return Message{Key: key, Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{
		Type: dsn.TypeDSN, ReportingMTA: "mx.bouncer.test", Recipients: recs,
		Message: dsn.Envelope{MessageID: key + "@mx.bouncer.test", From: "MAILER-DAEMON@mx.bouncer.test", Subject: "Undelivered Mail"},
	}}
}

// seedFigures records a day of traffic, the day before, a week before and
// the first second after the day, one Record call per message.
func seedFigures(t *testing.T, s *Store) {
	t.Helper()
	at := func(day, hour int) time.Time { return figDay.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour) }
	hostile := `550 5.7.1 <script>alert("x")</script> blocked using zen.spamhaus.org`
	msgs := []Message{
		figMessage("m1", at(0, 9),
			figRcpt("a@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 <a@example.com>: user unknown"),
			figRcpt("b@outlook.com", dsn.ClassBlock, dsn.ReasonBlocked, "5.7.606", "outlook-com.olc.protection.outlook.com", "550 5.7.606 Access denied, banned sending IP [192.0.2.1]")),
		figMessage("m2", at(0, 10), figRcpt("c@outlook.com", dsn.ClassBlock, dsn.ReasonBlocked, "5.7.1", "outlook-com.olc.protection.outlook.com", hostile)),
		figMessage("m3", at(0, 11), figRcpt("d@example.org", dsn.ClassSoft, dsn.ReasonMailboxFull, "4.2.2", "mx.example.org", "452 4.2.2 mailbox full")),
		{Key: "m4", Mailbox: "bounces", ReceivedAt: at(0, 12), Report: &dsn.Report{
			Type: dsn.TypeARF, Feedback: &dsn.Feedback{Type: "abuse"},
			Recipients: []dsn.Recipient{{FinalRecipient: "e@yahoo.com", FeedbackType: "abuse", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback}},
			Message:    dsn.Envelope{From: "Yahoo! Mail <feedback@arf.mail.yahoo.com>", Subject: "FW: spam"},
		}},
		{Key: "m5", Mailbox: "bounces", ReceivedAt: at(0, 13), ParseError: "not a report", Subject: "Re: your invoice", From: "someone@example.net"},
		figMessage("m6", at(-1, 9), figRcpt("f@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")),
		figMessage("m7", at(-7, 9), figRcpt("g@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")),
		figMessage("m8", at(1, 0), figRcpt("h@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")),
	}
	for _, m := range msgs {
		if _, err := s.Record(context.Background(), []Message{m}, m.ReceivedAt.Add(time.Minute)); err != nil {
			t.Fatalf("Record(%s): %v", m.Key, err)
		}
	}
}

func TestTotals(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		ctx := context.Background()
		tests := []struct {
			name string
			w    Window
			want Totals
		}{
			{"day", figWindow(), Totals{Messages: 5, Unparsed: 1, NewlySuppressed: 2,
				ByClass: map[dsn.Class]int{dsn.ClassHard: 1, dsn.ClassBlock: 2, dsn.ClassSoft: 1, dsn.ClassComplaint: 1}}},
			{"day before", Window{figDay.AddDate(0, 0, -1), figDay}, Totals{Messages: 1, NewlySuppressed: 1, ByClass: map[dsn.Class]int{dsn.ClassHard: 1}}},
			{"week before", Window{figDay.AddDate(0, 0, -7), figDay}, Totals{Messages: 2, NewlySuppressed: 2, ByClass: map[dsn.Class]int{dsn.ClassHard: 2}}},
			{"empty", Window{figDay.AddDate(0, 0, -30), figDay.AddDate(0, 0, -29)}, Totals{ByClass: map[dsn.Class]int{}}},
		}
		for _, tt := range tests {
			got, err := s.Totals(ctx, tt.w)
			if err != nil {
				t.Fatalf("Totals(%s): %v", tt.name, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Totals(%s) = %+v, want %+v", tt.name, got, tt.want)
			}
		}
	})
}

func TestRankings(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		ctx := context.Background()
		tests := []struct {
			by    Dimension
			limit int
			want  []Count
		}{
			{ByReason, 10, []Count{{"blocked", 2}, {"mailboxfull", 1}, {"userunknown", 1}}},
			{ByReason, 1, []Count{{"blocked", 2}}},
			{ByDomain, 10, []Count{{"outlook.com", 2}, {"example.com", 1}, {"example.org", 1}}},
			{ByRemoteMTA, 10, []Count{{"outlook-com.olc.protection.outlook.com", 2}, {"mx.example.com", 1}, {"mx.example.org", 1}}},
		}
		for _, tt := range tests {
			got, err := s.Top(ctx, figWindow(), tt.by, tt.limit)
			if err != nil {
				t.Fatalf("Top(%s): %v", tt.by, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Top(%s, %d) = %v, want %v", tt.by, tt.limit, got, tt.want)
			}
		}
		if _, err := s.Top(ctx, figWindow(), "recipient; DROP TABLE x", 1); err == nil {
			t.Errorf("Top(unknown dimension) = nil error, want one")
		}
	})
}

func TestNewSuppressions(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		got, err := s.NewSuppressions(context.Background(), figWindow(), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []NewSuppression{
			{Email: "a@example.com", Domain: "example.com", SuppressedAt: figDay.Add(9 * time.Hour), Reason: "userunknown", Class: "hard", LastReason: "userunknown", Status: "5.1.1", Diagnostic: "550 5.1.1 <a@example.com>: user unknown", Source: "bounce"},
			{Email: "e@yahoo.com", Domain: "yahoo.com", SuppressedAt: figDay.Add(12 * time.Hour), Reason: "feedback", Class: "complaint", LastReason: "feedback", Source: "complaint"},
		}
		if len(got) != len(want) {
			t.Fatalf("NewSuppressions = %+v, want %+v", got, want)
		}
		for i := range want {
			g := got[i]
			g.SuppressedAt = g.SuppressedAt.UTC()
			if !g.SuppressedAt.Equal(want[i].SuppressedAt) {
				t.Errorf("NewSuppressions[%d].SuppressedAt = %v, want %v", i, g.SuppressedAt, want[i].SuppressedAt)
			}
			g.SuppressedAt = want[i].SuppressedAt
			if g != want[i] {
				t.Errorf("NewSuppressions[%d] = %+v, want %+v", i, g, want[i])
			}
		}
		one, err := s.NewSuppressions(context.Background(), figWindow(), 1)
		if err != nil || len(one) != 1 || one[0].Email != "a@example.com" {
			t.Errorf("NewSuppressions(limit 1) = %+v, %v; want a@example.com only", one, err)
		}
	})
}

func TestBlocksAndReceivers(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		ctx := context.Background()
		diags, err := s.BlockDiagnostics(ctx, figWindow(), 0)
		if err != nil {
			t.Fatal(err)
		}
		mta := "outlook-com.olc.protection.outlook.com"
		wantDiags := []BlockDiagnostic{
			{"outlook.com", mta, "550 5.7.1 <script>alert(\"x\")</script> blocked using zen.spamhaus.org", 1},
			{"outlook.com", mta, "550 5.7.606 Access denied, banned sending IP [192.0.2.1]", 1},
		}
		if !reflect.DeepEqual(diags, wantDiags) {
			t.Errorf("BlockDiagnostics = %+v, want %+v", diags, wantDiags)
		}
		recv, err := s.ReceiverBounces(ctx, figWindow())
		if err != nil {
			t.Fatal(err)
		}
		wantRecv := []ReceiverBounces{{"example.com", 1, 0}, {"example.org", 1, 0}, {"outlook.com", 2, 2}}
		if !reflect.DeepEqual(recv, wantRecv) {
			t.Errorf("ReceiverBounces = %+v, want %+v", recv, wantRecv)
		}
	})
}

func TestComplaintsAndUnparsed(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		ctx := context.Background()
		got, err := s.Complaints(ctx, figWindow(), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []Complaints{{Provider: "arf.mail.yahoo.com", FeedbackType: "abuse", N: 1}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Complaints = %+v, want %+v", got, want)
		}
		un, err := s.UnparsedMessages(ctx, figWindow(), 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(un) != 1 || un[0].Subject != "Re: your invoice" || un[0].Error != "not a report" || !un[0].ReceivedAt.Equal(figDay.Add(13*time.Hour)) {
			t.Errorf("UnparsedMessages = %+v, want the one quarantined message of 13:00", un)
		}
	})
}

func TestProviderOf(t *testing.T) {
	tests := []struct{ mta, from, want string }{
		{"MTA.Example.COM", "x@y.z", "mta.example.com"},
		{"", "Yahoo! Mail <feedback@arf.mail.yahoo.com>", "arf.mail.yahoo.com"},
		{"", "staff@hotmail.com", "hotmail.com"},
		{"", "", "(unknown)"},
	}
	for _, tt := range tests {
		if got := providerOf(tt.mta, tt.from); got != tt.want {
			t.Errorf("providerOf(%q, %q) = %q, want %q", tt.mta, tt.from, got, tt.want)
		}
	}
}

func TestMailboxHealth(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		ctx := context.Background()
		ok := figDay.Add(20 * time.Hour)
		polls := []PollStatus{
			{Mailbox: "bounces", At: ok, Waiting: 9},
			{Mailbox: "bounces", At: ok.Add(time.Minute), Err: "dial tcp: connection refused"},
			{Mailbox: "bounces", At: ok.Add(2 * time.Minute), Err: "dial tcp: connection refused", Waiting: 7},
		}
		for i := range 5 {
			polls = append(polls, PollStatus{Mailbox: "fbl", At: ok.Add(time.Duration(i) * time.Minute), Err: "login failed"})
		}
		for _, p := range polls {
			if err := s.RecordPoll(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.MailboxHealth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("MailboxHealth = %+v, want 2 mailboxes", got)
		}
		b, f := got[0], got[1]
		if b.Mailbox != "bounces" || !b.LastSuccess.Equal(ok) || b.ConsecutiveFailures != 2 || b.Waiting != 7 ||
			b.LastError != "dial tcp: connection refused" || !b.LastReceived.Equal(figDay.AddDate(0, 0, 1)) {
			t.Errorf("MailboxHealth[0] = %+v, want bounces: ok at %v, 2 failures, 7 waiting, last message %v", b, ok, figDay.AddDate(0, 0, 1))
		}
		if f.Mailbox != "fbl" || !f.LastSuccess.IsZero() || !f.LastReceived.IsZero() || f.ConsecutiveFailures != 5 {
			t.Errorf("MailboxHealth[1] = %+v, want fbl: never succeeded, nothing received, 5 failures", f)
		}
	})
}

func TestReportRuns(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := figDay.Add(8 * time.Hour)
		if _, ok, err := s.LastReportRun(ctx); err != nil || ok {
			t.Fatalf("LastReportRun on empty = ok %v, %v; want none", ok, err)
		}
		steps := []struct {
			name string
			at   time.Time
			want bool
		}{
			{"first claim", now, true},
			{"claimed, fresh", now.Add(time.Minute), false},
			{"claimed, stale", now.Add(20 * time.Minute), true},
		}
		for _, st := range steps {
			got, err := s.ClaimReportRun(ctx, "2026-11-23", st.at, 15*time.Minute)
			if err != nil || got != st.want {
				t.Fatalf("ClaimReportRun(%s) = %v, %v; want %v", st.name, got, err, st.want)
			}
		}
		if err := s.FinishReportRun(ctx, ReportRun{Day: "2026-11-23", Status: RunFailed, StartedAt: now, Error: "smtp: 451"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ClaimReportRun(ctx, "2026-11-23", now.Add(21*time.Minute), 15*time.Minute); err != nil || !got {
			t.Fatalf("ClaimReportRun(after failure) = %v, %v; want true", got, err)
		}
		sent := ReportRun{Day: "2026-11-23", Status: RunSent, StartedAt: now, SentAt: now.Add(22 * time.Minute), Late: true, MessageID: "id@x"}
		if err := s.FinishReportRun(ctx, sent); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ClaimReportRun(ctx, "2026-11-23", now.AddDate(0, 0, 3), 15*time.Minute); err != nil || got {
			t.Fatalf("ClaimReportRun(sent) = %v, %v; want false", got, err)
		}
		last, ok, err := s.LastReportRun(ctx)
		if err != nil || !ok {
			t.Fatalf("LastReportRun = ok %v, %v", ok, err)
		}
		if day, ok, err := s.ReportRun(ctx, "2026-11-23"); err != nil || !ok || day != last {
			t.Errorf("ReportRun(2026-11-23) = %+v, %v, %v; want %+v", day, ok, err, last)
		}
		if _, ok, err := s.ReportRun(ctx, "2026-11-22"); err != nil || ok {
			t.Errorf("ReportRun(2026-11-22) = ok %v, %v; want none", ok, err)
		}
		if last.Day != "2026-11-23" || last.Status != RunSent || last.Attempts != 3 || !last.Late || last.MessageID != "id@x" || !last.SentAt.Equal(sent.SentAt) || last.Error != "" {
			t.Errorf("LastReportRun = %+v, want sent late as id@x after 3 attempts", last)
		}
	})
}

func TestAlertRateLimit(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := figDay.Add(8*time.Hour + 123456789)
		every := 6 * time.Hour
		claim := func(at time.Time, want bool) {
			t.Helper()
			got, err := s.ClaimAlert(ctx, "poll_failures:bounces", at, every)
			if err != nil || got != want {
				t.Fatalf("ClaimAlert(%v) = %v, %v; want %v", at.Sub(now), got, err, want)
			}
		}
		claim(now, true)
		claim(now.Add(time.Hour), false)
		if err := s.ReleaseAlert(ctx, "poll_failures:bounces", now); err != nil {
			t.Fatal(err)
		}
		claim(now.Add(time.Hour), true) // the failed send was given back
		claim(now.Add(2*time.Hour), false)
		claim(now.Add(7*time.Hour), true)
		if err := s.ReleaseAlert(ctx, "poll_failures:bounces", now.Add(7*time.Hour)); err != nil {
			t.Fatal(err)
		}
		claim(now.Add(7*time.Hour+time.Minute), true) // back to the 1h claim, more than 6h ago
		claim(now.Add(8*time.Hour), false)
		for i := range 3 {
			key := fmt.Sprintf("block_cluster:d%d", i)
			if got, err := s.ClaimAlert(ctx, key, now, every); err != nil || !got {
				t.Errorf("ClaimAlert(%s) = %v, %v; want true (keys are independent)", key, got, err)
			}
		}
	})
}

// TestHeldMessages records one message of each held kind (and the seeded
// quarantined one): Totals counts each apart, HeldMessages lists one kind
// or all, Record reports their keys as held. Complaints whose recipient was
// redacted are not held (redacted_complaint: disposed of like a recorded
// message) and count per provider; bounces without a usable recipient (an
// invalid address, none at all) are held as no_recipient.
func TestHeldMessages(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedFigures(t, s)
		ctx := context.Background()
		at := figDay.Add(14 * time.Hour)
		redacted := func(key, from string) Message {
			return Message{Key: key, Mailbox: "fbl", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeARF,
				Feedback: &dsn.Feedback{Type: "abuse"}, Recipients: []dsn.Recipient{{FeedbackType: "abuse"}},
				Message: dsn.Envelope{From: from, Subject: "complaint " + key}}}
		}
		msgs := []Message{
			{Key: "h1", Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeOther,
				Message: dsn.Envelope{From: "reader@example.org", Subject: "Please remove me"}}},
			redacted("h2", "staff@hotmail.com"), redacted("h3", "Outlook <staff@hotmail.com>"), redacted("h4", "abuse@mail.example"),
			figMessage("h5", at, figRcpt("not an address", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 no")),
			figMessage("h6", at, figRcpt("", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 no")),
		}
		res, err := s.Record(ctx, msgs, at)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]bool{"h1": true, "h5": true, "h6": true}; res.NotReports != 1 || res.NoRecipientMsgs != 2 || res.RedactedComplaints != 3 || !reflect.DeepEqual(res.HeldKeys, want) {
			t.Errorf("Record = not reports %d, no recipient %d, redacted complaints %d, held %v; want 1, 2, 3, %v",
				res.NotReports, res.NoRecipientMsgs, res.RedactedComplaints, res.HeldKeys, want)
		}
		again, err := s.Record(ctx, msgs[:1], at)
		if err != nil || again.Duplicates != 1 || !again.HeldKeys["h1"] {
			t.Errorf("Record again = %+v, %v; want a duplicate still held", again, err)
		}
		tot, err := s.Totals(ctx, figWindow())
		if err != nil {
			t.Fatal(err)
		}
		if tot.Unparsed != 1 || tot.NotReports != 1 || tot.NoRecipient != 2 {
			t.Errorf("Totals = unparsed %d, not reports %d, no recipient %d; want 1, 1, 2", tot.Unparsed, tot.NotReports, tot.NoRecipient)
		}
		all, err := s.HeldMessages(ctx, figWindow(), "", 0)
		if err != nil || len(all) != 4 {
			t.Fatalf("HeldMessages(all) = %d rows, %v; want 4 (no redacted complaint)", len(all), err)
		}
		nr, err := s.HeldMessages(ctx, figWindow(), OutcomeNoRecipient, 10)
		if err != nil || len(nr) != 2 {
			t.Fatalf("HeldMessages(no_recipient) = %+v, %v", nr, err)
		}
		var errs []string
		for _, m := range nr {
			errs = append(errs, m.Error)
		}
		slices.Sort(errs)
		if want := []string{`record 1: invalid address "not an address": no @`, "record 1: no recipient"}; !reflect.DeepEqual(errs, want) {
			t.Errorf("no_recipient reasons = %q, want %q", errs, want)
		}
		if _, err := s.HeldMessages(ctx, figWindow(), OutcomeRedactedComplaint, 10); err == nil {
			t.Errorf("HeldMessages(redacted_complaint) = nil error, want it refused: they are not held")
		}
		if _, err := s.HeldMessages(ctx, figWindow(), OutcomeRecorded, 10); err == nil || !strings.Contains(err.Error(), `unknown outcome "recorded"`) {
			t.Errorf("HeldMessages(recorded) error = %v, want one naming the outcome", err)
		}
		un, err := s.UnattributedComplaints(ctx, figWindow())
		if err != nil {
			t.Fatal(err)
		}
		if want := []Count{{"hotmail.com", 2}, {"mail.example", 1}}; !reflect.DeepEqual(un, want) {
			t.Errorf("UnattributedComplaints = %+v, want %+v", un, want)
		}
	})
}
