package notify

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// The report mailed through a real SMTP server shows, per webhook
// endpoint, the deliveries that died on the day (not one that died the day
// before, nor one redelivered since), all the dead, the pending and how
// long the oldest has waited; a configured endpoint without deliveries
// shows zeros. On SQLite and Postgres.
func TestReportWebhookHealth(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
			if d == "postgres" {
				url = testenv.PostgresURL(t)
			}
			s, err := suppression.Open(context.Background(), url, suppression.Options{
				Webhooks: []suppression.Subscription{{Endpoint: "app", Events: []string{suppression.EventSuppressionAdded}}}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			seedDeliveries(t, s)
			srv := startSMTP(t, TLSNone, "", "")
			n := newTestNotifier(t, s, srv)
			n.cfg.Report.Webhooks = []string{"chat", "app"}
			now := dueAt.Add(30 * time.Second)
			if out, err := n.Tick(context.Background(), now); err != nil || out != Sent {
				t.Fatalf("Tick = %q, %v; want sent", out, err)
			}
			m := parseMail(t, only(t, srv).Data)
			want := "WEBHOOK DELIVERIES\n" +
				"  chat: 0 dead on the day (0 dead in all), 0 pending\n" +
				"  app: ! 2 dead on the day (3 dead in all), 2 pending\n" +
				"      the oldest pending waiting 2d 0h\n" +
				"  Dead deliveries are not retried"
			if text := strings.ReplaceAll(m.Text, "\r\n", "\n"); !strings.Contains(text, want) {
				t.Errorf("text part lacks %q:\n%s", want, text)
			}
			for _, want := range []string{`<td>app</td><td align="right" style="color:#c0392b">2</td><td align="right">3</td><td align="right">2</td><td>2d 0h</td>`,
				`<td>chat</td><td align="right">0</td><td align="right">0</td><td align="right">0</td><td></td>`} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("HTML part lacks %q:\n%s", want, m.HTML)
				}
			}
		})
	}
}

// seedDeliveries queues five suppression.added deliveries for "app" at
// 08:00 the day before the report's day, then gives up on one at 20:00
// that day and on three during the day, and redelivers one of those three
// (pending again, queued afresh): three dead, two of them on the day, and
// two pending, the fifth waiting since 08:00 the day before.
func seedDeliveries(t *testing.T, s *suppression.Store) {
	t.Helper()
	ctx := context.Background()
	queued := reportDay.Add(-16 * time.Hour)
	var msgs []suppression.Message
	for _, a := range []string{"a", "b", "c", "d", "e"} {
		msgs = append(msgs, bounce("w"+a, queued, failed(a+"@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")))
	}
	if _, err := s.Record(ctx, msgs, queued); err != nil {
		t.Fatal(err)
	}
	giveUp := func(at time.Time, n int) {
		t.Helper()
		c, err := s.ClaimDeliveries(ctx, "app", n, at, time.Minute)
		if err != nil || len(c.Deliveries) != n {
			t.Fatalf("claimed %+v, %v; want %d", c, err, n)
		}
		var rs []suppression.DeliveryResult
		for _, d := range c.Deliveries {
			rs = append(rs, suppression.DeliveryResult{ID: d.ID, Dead: true, Status: 500, Error: "HTTP 500", NextAt: at.Add(time.Hour)})
		}
		if err := s.FinishDeliveries(ctx, c, rs, at); err != nil {
			t.Fatal(err)
		}
	}
	giveUp(reportDay.Add(-4*time.Hour), 1)
	giveUp(reportDay.Add(10*time.Hour), 3)
	dead, err := s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead})
	if err != nil || len(dead) != 4 {
		t.Fatalf("dead deliveries %+v, %v; want 4", dead, err)
	}
	if _, err := s.Redeliver(ctx, dead[0].ID, reportDay.Add(12*time.Hour), false); err != nil { // one of the three given up on the day
		t.Fatal(err)
	}
}
