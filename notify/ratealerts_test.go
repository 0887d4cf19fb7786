package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// seedRateAlerts gives, over the 7 days before alertNow, the stream news
// 2,000 sent with 50 hard bounces (2.5%: over the 2% warning) and 3
// complaints (0.15%: over the 0.1% critical), and the stream tiny 100 sent
// with 60 hard bounces (not enough volume: no alert).
func seedRateAlerts(t *testing.T, s *suppression.Store) {
	t.Helper()
	at := alertNow.Add(-26 * time.Hour)
	if _, err := s.AddSent(context.Background(), []suppression.Sent{{Stream: "news", Count: 2000, At: at}, {Stream: "tiny", Count: 100, At: at}}, alertNow); err != nil {
		t.Fatal(err)
	}
	var news, tiny []dsn.Recipient
	for i := range 50 {
		domain, reason := "gmail.com", dsn.ReasonUserUnknown
		if i%5 == 0 {
			domain, reason = "yahoo.com", dsn.ReasonHostUnknown
		}
		news = append(news, failed(fmt.Sprintf("n%d@%s", i, domain), dsn.ClassHard, reason, "5.1.1", "mx."+domain, "550 unknown"))
	}
	for i := range 3 {
		news = append(news, dsn.Recipient{FinalRecipient: fmt.Sprintf("c%d@aol.com", i), Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback})
	}
	for i := range 60 {
		tiny = append(tiny, failed(fmt.Sprintf("t%d@example.com", i), dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 unknown"))
	}
	m1, m2 := bounce("news", at, news...), bounce("tiny", at, tiny...)
	m1.Stream, m2.Stream = "news", "tiny"
	record(t, s, m1, m2)
}

// A stream's trailing rates over a threshold raise an alert per rate at its
// level, with the figures and the top reasons and domains; the real SMTP
// test server receives them, and the alert rate limiting holds them back
// within the interval.
func TestRateAlerts(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		seedRateAlerts(t, s)
		n, srv := plainNotifier(t, s)
		n.cfg.AlertTo = []string{"oncall@bouncer.test"}
		sent, err := n.CheckAlerts(context.Background(), alertNow)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, a := range sent {
			keys = append(keys, a.Key())
		}
		if want := "bounce_rate:news:warning complaint_rate:news:critical"; strings.Join(keys, " ") != want {
			t.Errorf("alerts sent %q, want %q", keys, want)
		}
		if again, err := n.CheckAlerts(context.Background(), alertNow.Add(time.Hour)); err != nil || len(again) != 0 {
			t.Errorf("an hour later: %d alerts sent (%v), want none within the interval", len(again), err)
		}
		msgs := srv.messages()
		if len(msgs) != 2 {
			t.Fatalf("server received %d alerts, want 2", len(msgs))
		}
		bounceMail := parseMail(t, msgs[0].Data)
		bounceMail.Text = strings.ReplaceAll(bounceMail.Text, "\r\n", "\n")
		subject, _ := bounceMail.Header.Subject()
		if subject != "[bouncer] WARNING: stream news bounce rate 2.50% over 7 days" {
			t.Errorf("subject %q", subject)
		}
		for _, want := range []string{
			"Stream news had 50 hard bounces for 2,000 messages sent\nin the last 7 days (today included): a bounce rate of 2.50%, at or over\nthe warning threshold of 2.00% (rates.bounce_warning).",
			"Top reasons:\n  userunknown                                   40\n  hostunknown                                   10\n",
			"Top recipient domains:\n  gmail.com                                     40\n  yahoo.com                                     10\n",
		} {
			if !strings.Contains(bounceMail.Text, want) {
				t.Errorf("bounce rate alert lacks %q:\n%s", want, bounceMail.Text)
			}
		}
		complaintMail := parseMail(t, msgs[1].Data)
		subject, _ = complaintMail.Header.Subject()
		if subject != "[bouncer] CRITICAL: stream news complaint rate 0.15% over 7 days" || !strings.Contains(complaintMail.Text, "aol.com                                        3") {
			t.Errorf("complaint alert %q:\n%s", subject, complaintMail.Text)
		}
	})
}

// A level set negative is off; a higher minimum volume silences a stream.
func TestRateAlertOptions(t *testing.T) {
	s := openStore(t, "sqlite")
	seedRateAlerts(t, s)
	for _, o := range []RateAlertOptions{
		{BounceWarning: -1, ComplaintWarning: -1, ComplaintCritical: -1},
		{MinVolume: 5000},
	} {
		got, err := EvaluateAlerts(context.Background(), s, alertNow, time.UTC, AlertOptions{Rates: o})
		if err != nil || len(got) != 0 {
			t.Errorf("EvaluateAlerts(%+v) = %+v, %v; want none", o, got, err)
		}
	}
	got, err := EvaluateAlerts(context.Background(), s, alertNow, time.UTC, AlertOptions{Rates: RateAlertOptions{Days: 1}})
	if err != nil || len(got) != 0 {
		t.Errorf("over the last day (nothing sent today): %+v, %v; want none", got, err)
	}
	got, err = EvaluateAlerts(context.Background(), s, alertNow, time.UTC, AlertOptions{Rates: RateAlertOptions{Days: 2, BounceCritical: 0.025}})
	if err != nil || len(got) != 2 || got[0].Key() != "bounce_rate:news:critical" {
		t.Errorf("over 2 days with a 2.5%% critical level: %+v, %v; want bounce_rate:news:critical first", got, err)
	}
}
