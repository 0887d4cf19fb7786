package notify

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// reportDay is the day the integration tests report on (UTC); its run is due
// at 08:00 the next day.
var reportDay = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// dueAt is when reportDay's report is scheduled.
var dueAt = reportDay.Add(32 * time.Hour)

// openStore opens a fresh store of the dialect.
func openStore(t *testing.T, dialect string) *suppression.Store {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
	if dialect == "postgres" {
		url = testenv.PostgresURL(t)
	}
	return openURL(t, url)
}

func openURL(t testing.TB, url string) *suppression.Store {
	t.Helper()
	s, err := suppression.Open(context.Background(), url, suppression.Options{})
	if err != nil {
		t.Fatalf("suppression.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// dialects runs fn on a fresh SQLite store and a fresh Postgres store.
func dialects(t *testing.T, fn func(t *testing.T, s *suppression.Store)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) { fn(t, openStore(t, d)) })
	}
}

func failed(addr string, class dsn.Class, reason dsn.Reason, status, mta, diag string) dsn.Recipient {
	return dsn.Recipient{FinalRecipient: addr, Action: "failed", Status: status, RemoteMTA: mta, Diagnostic: diag, Class: class, Reason: reason}
}

func bounce(key string, at time.Time, recs ...dsn.Recipient) suppression.Message {
	return suppression.Message{Key: key, Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{
		Type: dsn.TypeDSN, ReportingMTA: "mx.bouncer.test", Recipients: recs,
		Message: dsn.Envelope{MessageID: key + "@mx.bouncer.test", From: "MAILER-DAEMON@mx.bouncer.test", Subject: "Undelivered Mail"},
	}}
}

// record stores messages through the public API, one call each, at their
// arrival time.
func record(t *testing.T, s *suppression.Store, msgs ...suppression.Message) {
	t.Helper()
	for _, m := range msgs {
		if _, err := s.Record(context.Background(), []suppression.Message{m}, m.ReceivedAt); err != nil {
			t.Fatalf("Record(%s): %v", m.Key, err)
		}
	}
}

const outlookMTA = "outlook-com.olc.protection.outlook.com"

// seedDay records reportDay's traffic, the day before and a week before.
func seedDay(t *testing.T, s *suppression.Store) {
	t.Helper()
	at := func(day, hour int) time.Time {
		return reportDay.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour)
	}
	record(t, s,
		bounce("m1", at(0, 9),
			failed("a@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", hostileDiagnostic),
			failed("b@outlook.com", dsn.ClassBlock, dsn.ReasonBlocked, "5.7.606", outlookMTA, "550 5.7.606 Access denied, banned sending IP [192.0.2.1]")),
		bounce("m2", at(0, 10), failed("c@outlook.com", dsn.ClassBlock, dsn.ReasonBlocked, "5.7.1", outlookMTA, "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using Spamhaus")),
		bounce("m3", at(0, 11), failed("d@example.org", dsn.ClassSoft, dsn.ReasonMailboxFull, "4.2.2", "mx.example.org", "452 4.2.2 mailbox full")),
		suppression.Message{Key: "m4", Mailbox: "bounces", ReceivedAt: at(0, 12), Report: &dsn.Report{
			Type: dsn.TypeARF, Feedback: &dsn.Feedback{Type: "abuse"},
			Recipients: []dsn.Recipient{{FinalRecipient: "e@yahoo.com", FeedbackType: "abuse", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback}},
			Message:    dsn.Envelope{From: "Yahoo! Mail <feedback@arf.mail.yahoo.com>", Subject: "FW: spam"},
		}},
		suppression.Message{Key: "m5", Mailbox: "bounces", ReceivedAt: at(0, 13), ParseError: "not a report", Subject: "Re: your invoice", From: "someone@example.net"},
		bounce("m6", at(-1, 9), failed("f@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")),
		bounce("m7", at(-7, 9), failed("g@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")),
	)
	err := s.RecordPoll(context.Background(), suppression.PollStatus{Mailbox: "bounces", At: at(0, 23), Waiting: 4})
	if err != nil {
		t.Fatal(err)
	}
}

// plainNotifier is newTestNotifier sending to a fresh test server without
// TLS (no STARTTLS), returned with it.
func plainNotifier(t *testing.T, s Store) (*Notifier, *smtpServer) {
	t.Helper()
	srv := startSMTP(t, TLSNone, "", "")
	n := newTestNotifier(t, s, srv)
	n.sender = NewMailer(srv.options(TLSNone))
	return n, srv
}

// newTestNotifier sends through srv with fixed Message-IDs.
func newTestNotifier(t *testing.T, s Store, srv *smtpServer) *Notifier {
	t.Helper()
	n, err := New(Config{From: "bouncer <reports@bouncer.test>", To: []string{"admin@bouncer.test", "ops@bouncer.test"},
		Report: ReportOptions{Location: time.UTC, RefuseMinimum: 2}}, s, NewMailer(srv.options(TLSStartTLS)), loadTestTemplates(t, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	n.NewID = func(kind, domain string) string { return kind + "-1@" + domain }
	return n
}

// mailParts is a received message taken apart.
type mailParts struct {
	Header      gomail.Header
	Types       []string          // content types, depth first
	Text, HTML  string            // the decoded alternatives
	Attachments map[string]string // by file name
}

func parseMail(t *testing.T, data []byte) mailParts {
	t.Helper()
	e, err := message.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("message.Read: %v", err)
	}
	p := mailParts{Header: gomail.Header{Header: e.Header}, Attachments: map[string]string{}}
	err = e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		ct, _, _ := part.Header.ContentType()
		p.Types = append(p.Types, ct)
		if strings.HasPrefix(ct, "multipart/") {
			return nil
		}
		body, err := io.ReadAll(part.Body)
		if err != nil {
			return err
		}
		if disp, params, _ := part.Header.ContentDisposition(); disp == "attachment" {
			p.Attachments[params["filename"]] = string(body)
			return nil
		}
		switch ct {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return p
}

// only returns the one message srv received.
func only(t *testing.T, srv *smtpServer) received {
	t.Helper()
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want exactly 1", len(got))
	}
	return got[0]
}
