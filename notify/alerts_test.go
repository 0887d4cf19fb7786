package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// alertNow is when the alert tests check.
var alertNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// seedAlerts makes all three alert conditions true at alertNow: mailbox
// "bounces" failed its last 3 polls, outlook.com's bounces of the last hour
// are mostly blocks, and mailbox "old" has had nothing for 5 days.
func seedAlerts(t *testing.T, s *suppression.Store) {
	t.Helper()
	ctx := context.Background()
	var recs []dsn.Recipient
	for i := range 12 {
		recs = append(recs, failed(fmt.Sprintf("u%d@outlook.com", i), dsn.ClassBlock, dsn.ReasonBlocked, "5.7.1", outlookMTA, "550 5.7.1 blocked using zen.spamhaus.org"))
	}
	recs = append(recs,
		failed("gone@outlook.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", outlookMTA, "550 5.1.1 unknown"),
		failed("one@example.com", dsn.ClassBlock, dsn.ReasonBlocked, "5.7.1", "mx.example.com", "554 blocked"))
	old := bounce("old1", alertNow.AddDate(0, 0, -5), failed("x@example.net", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.net", "550 unknown"))
	old.Mailbox = "old"
	record(t, s, bounce("hot", alertNow.Add(-30*time.Minute), recs...), old)
	polls := []suppression.PollStatus{
		{Mailbox: "bounces", At: alertNow.Add(-time.Hour)},
		{Mailbox: "old", At: alertNow.Add(-time.Minute)},
	}
	for i := 3; i > 0; i-- {
		polls = append(polls, suppression.PollStatus{Mailbox: "bounces", At: alertNow.Add(-time.Duration(i) * time.Minute), Err: "dial tcp 192.0.2.9:993: connection refused"})
	}
	for _, p := range polls {
		if err := s.RecordPoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEvaluateAlerts(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		seedAlerts(t, s)
		got, err := EvaluateAlerts(context.Background(), s, alertNow, time.UTC, AlertOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, a := range got {
			keys = append(keys, fmt.Sprintf("%s count=%d total=%d detail=%q", a.Key(), a.Count, a.Total, a.Detail))
		}
		want := []string{
			`poll_failures:bounces count=3 total=0 detail="dial tcp 192.0.2.9:993: connection refused"`,
			`mailbox_silent:old count=5 total=0 detail=""`,
			`block_cluster count=12 total=13 detail="Spamhaus"`,
		}
		if strings.Join(keys, "\n") != strings.Join(want, "\n") {
			t.Errorf("EvaluateAlerts =\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
		}
		got, err = EvaluateAlerts(context.Background(), s, alertNow, time.UTC, AlertOptions{FailedPolls: -1, SilentDays: -1, BlockShare: -1})
		if err != nil || len(got) != 0 {
			t.Errorf("EvaluateAlerts(all off) = %+v, %v; want none", got, err)
		}
		// Stricter options silence all three.
		got, err = EvaluateAlerts(context.Background(), s, alertNow, time.UTC, AlertOptions{FailedPolls: 4, SilentDays: 6, BlockShare: 0.95})
		if err != nil || len(got) != 0 {
			t.Errorf("EvaluateAlerts(strict) = %+v, %v; want none", got, err)
		}
	})
}

func TestCheckAlertsRateLimited(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		seedAlerts(t, s)
		n, srv := plainNotifier(t, s)
		n.cfg.AlertTo = []string{"oncall@bouncer.test"}
		ctx := context.Background()
		steps := []struct {
			at   time.Time
			want int
		}{
			{alertNow, 3},
			{alertNow.Add(time.Hour), 0},     // within the 6h interval
			{alertNow.Add(7 * time.Hour), 2}, // the block cluster has left its hour
		}
		for _, st := range steps {
			sent, err := n.CheckAlerts(ctx, st.at)
			if err != nil || len(sent) != st.want {
				t.Fatalf("CheckAlerts(%v) sent %d, %v; want %d", st.at, len(sent), err, st.want)
			}
		}
		msgs := srv.messages()
		if len(msgs) != 5 {
			t.Fatalf("server received %d alerts, want 5", len(msgs))
		}
		var subjects []string
		for _, m := range msgs[:3] {
			if strings.Join(m.To, ",") != "oncall@bouncer.test" {
				t.Errorf("alert sent to %q, want oncall@bouncer.test", m.To)
			}
			p := parseMail(t, m.Data)
			subject, _ := p.Header.Subject()
			subjects = append(subjects, subject)
			if strings.Join(p.Types, " ") != "text/plain" {
				t.Errorf("alert MIME %q, want text/plain", p.Types)
			}
		}
		want := []string{
			"[bouncer] ALERT: mailbox bounces failed 3 polls in a row",
			"[bouncer] ALERT: nothing received from mailbox old for 5 days",
			"[bouncer] ALERT: outlook.com is blocking our mail",
		}
		if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
			t.Errorf("alert subjects =\n%s\nwant\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
		}
		body := parseMail(t, msgs[2].Data).Text
		if !strings.Contains(body, "In the last hour 12 of 13 bounces from outlook.com (92%) were blocks.") || !strings.Contains(body, "Block lists named: Spamhaus.") {
			t.Errorf("block cluster alert body:\n%s", body)
		}
	})
}

func TestAlertRetriedAfterFailedSend(t *testing.T) {
	s := openStore(t, "sqlite")
	seedAlerts(t, s)
	srv := startSMTP(t, TLSNone, "", "")
	srv.reject(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
	n := newTestNotifier(t, s, srv)
	n.sender = NewMailer(srv.options(TLSNone))
	ctx := context.Background()
	before, failedBefore := alertsSent(), alertsFailed()
	if sent, err := n.CheckAlerts(ctx, alertNow); err == nil || len(sent) != 0 {
		t.Fatalf("CheckAlerts with a refusing server = %d sent, %v; want 0 and an error", len(sent), err)
	}
	if got := alertsSent() - before; got != 0 {
		t.Errorf("bouncer_alerts_sent_total rose by %g for refused alerts, want 0", got)
	}
	if got := alertsFailed() - failedBefore; got != 3 {
		t.Errorf("bouncer_alerts_failed_total rose by %g for three refused alerts, want 3", got)
	}
	srv.reject(nil)
	if sent, err := n.CheckAlerts(ctx, alertNow.Add(time.Minute)); err != nil || len(sent) != 3 {
		t.Fatalf("CheckAlerts after recovery = %d sent, %v; want 3 (the failed sends were released)", len(sent), err)
	}
	if got := alertsSent() - before; got != 3 {
		t.Errorf("bouncer_alerts_sent_total rose by %g, want 3", got)
	}
}

// alertsSent sums bouncer_alerts_sent_total over its kinds.
func alertsSent() float64 { return sumKinds(alertsSentTotal) }

// alertsFailed sums bouncer_alerts_failed_total over its kinds.
func alertsFailed() float64 { return sumKinds(alertsFailedTotal) }

func sumKinds(c *prometheus.CounterVec) float64 {
	n := 0.0
	for _, k := range alertKinds {
		n += testutil.ToFloat64(c.WithLabelValues(k))
	}
	return n
}

// Every kind of alert has its bouncer_alerts_sent_total series from start
// (increase() over a series that appears with its first alert misses it),
// the rate alerts included.
func TestAlertsSentSeriesFromStart(t *testing.T) {
	if n := testutil.CollectAndCount(alertsSentTotal); n != 5 {
		t.Errorf("bouncer_alerts_sent_total has %d series, want 5 (every kind)", n)
	}
	if n := testutil.CollectAndCount(alertsFailedTotal); n != 5 {
		t.Errorf("bouncer_alerts_failed_total has %d series, want 5 (every kind)", n)
	}
}

// TestBlockAlertOnePerInterval checks that when many receivers block us at
// once the SMTP server gets one alert listing them all, not one per
// receiver, and none more within the interval.
func TestBlockAlertOnePerInterval(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		const receivers = 52
		var recs []dsn.Recipient
		for r := range receivers {
			for i := range 10 {
				recs = append(recs, failed(fmt.Sprintf("u%d@r%02d.example", i, r), dsn.ClassBlock, dsn.ReasonBlocked, "5.7.1",
					fmt.Sprintf("mx.r%02d.example", r), "550 5.7.1 blocked using zen.spamhaus.org"))
			}
		}
		record(t, s, bounce("many", alertNow.Add(-10*time.Minute), recs...))
		n, srv := plainNotifier(t, s)
		n.cfg.AlertTo = []string{"oncall@bouncer.test"}
		n.cfg.Alerts.FailedPolls, n.cfg.Alerts.SilentDays = -1, -1
		for _, at := range []time.Time{alertNow, alertNow.Add(time.Minute)} {
			if _, err := n.CheckAlerts(context.Background(), at); err != nil {
				t.Fatal(err)
			}
		}
		msgs := srv.messages()
		if len(msgs) != 1 {
			t.Fatalf("server received %d alerts, want 1 listing %d receivers", len(msgs), receivers)
		}
		p := parseMail(t, msgs[0].Data)
		if subject, _ := p.Header.Subject(); subject != "[bouncer] ALERT: 52 receivers are blocking our mail" {
			t.Errorf("subject = %q", subject)
		}
		for r := range receivers {
			if line := fmt.Sprintf("r%02d.example: 10 of 10 bounces (100%%); block lists named: Spamhaus", r); !strings.Contains(p.Text, line) {
				t.Errorf("alert body lacks %q:\n%s", line, p.Text)
				break
			}
		}
	})
}
