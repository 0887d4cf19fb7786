package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// A stream's rate alert reaches the endpoints subscribed to it by name
// (alert.bounce_rate) or through alert.* (a slack endpoint), judged by the
// configured thresholds, not notify's defaults: 30 hard bounces for 1,000
// sent (3%) is critical under rates.bounce_critical 0.025, where the
// defaults would say warning. The event carries the figures, the level,
// the top reasons and domains, and a line of text for chat.
func TestWebhookRateAlerts(t *testing.T) {
	secret := writeFile(t, "whsec", testWebhookSecret+"\n")
	path := writeFile(t, "b.yaml", fmt.Sprintf(`state_dir: %s
report: {timezone: UTC}
rates: {bounce_warning: 0.01, bounce_critical: 0.025}
webhooks:
  - name: app
    url: http://127.0.0.1:9/hook
    secret_file: %s
    events: [alert.bounce_rate]
  - name: chat
    url: http://127.0.0.1:9/chat
    format: slack
`, t.TempDir(), secret))
	cfg, err := readConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := openStore(ctx, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	if _, err := s.AddSent(ctx, []suppression.Sent{{Stream: "news", Count: 1000, At: now}}, now); err != nil {
		t.Fatal(err)
	}
	var msgs []suppression.Message
	for i := range 30 {
		m := reportMsg(fmt.Sprint("k", i), fmt.Sprintf("<n%d@app.test>", i), now.Add(-time.Minute), dsn.Recipient{FinalRecipient: fmt.Sprintf("u%d@gmail.test", i),
			Action: "failed", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown})
		m.Stream = "news"
		msgs = append(msgs, m)
	}
	if _, err := s.Record(ctx, msgs, now); err != nil {
		t.Fatal(err)
	}
	if err := announceAlerts(ctx, cfg, s, now); err != nil {
		t.Fatal(err)
	}
	for _, endpoint := range []string{"app", "chat"} {
		c, err := s.ClaimDeliveries(ctx, endpoint, 10, now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var alerts []string
		for _, d := range c.Deliveries {
			var ev struct {
				Type string    `json:"type"`
				Data AlertData `json:"data"`
			}
			if err := json.Unmarshal(d.Body, &ev); err != nil {
				t.Fatalf("%s: %s: %v", endpoint, d.Body, err)
			}
			if ev.Type != "alert.bounce_rate" {
				continue
			}
			alerts = append(alerts, ev.Type)
			r := ev.Data.Rate
			if r == nil || r.Level != "critical" || r.Threshold != 0.025 || r.Rate != 0.03 || r.Sent != 1000 || r.Events != 30 || r.Days != 7 ||
				fmt.Sprint(r.TopReasons) != "[{userunknown 30}]" || fmt.Sprint(r.TopDomains) != "[{gmail.test 30}]" {
				t.Errorf("%s: rate %+v in %s", endpoint, r, d.Body)
			}
			if d := ev.Data; d.Subject != "news" || d.Count != 30 || d.Total != 1000 || d.Share != 0.03 ||
				d.Text != "CRITICAL: stream news bounce rate 3.00% over 7 days, at or over 2.50%: 30 hard bounces for 1000 sent" {
				t.Errorf("%s: data %+v", endpoint, d)
			}
		}
		if len(alerts) != 1 {
			t.Errorf("%s got %d bounce rate alerts, want 1", endpoint, len(alerts))
		}
	}
}

// config check shows a webhook's URL without its path, which for Slack and
// Mattermost is the secret, as bouncer webhooks list does.
func TestConfigCheckHidesWebhookPath(t *testing.T) {
	cfg := writeFile(t, "b.yaml", fmt.Sprintf("state_dir: %s\nwebhooks:\n  - name: chat\n    url: https://hooks.slack.com/services/T000/B000/XXXXSECRET\n    format: slack\n", t.TempDir()))
	out, stderr, code := runCLI(t, "config", "check", "--config", cfg)
	if code != 0 || strings.Contains(out+stderr, "XXXXSECRET") || !strings.Contains(out, "url: https://hooks.slack.com/…") {
		t.Errorf("config check: exit %d\n%s%s", code, out, stderr)
	}
	if s := fmt.Sprintf("%v %+v %#v", WebhookConfig{URL: "https://h.test/p/SECRET"}, WebhookConfig{URL: "https://h.test/p/SECRET"}, WebhookConfig{URL: "https://h.test/p/SECRET"}); strings.Contains(s, "SECRET") {
		t.Errorf("formatted: %s", s)
	}
}
