package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

// redeliver of a dead suppression.added whose later suppression.removed
// is dead too refuses, naming the removed and the command that sends both
// in order; given both ids it queues both.
func TestWebhooksRedeliverLaterDead(t *testing.T) {
	cfg, _ := deadDeliveries(t, 2, []string{"suppression", "add", "dave@example.com", "--reason", "asked"},
		[]string{"suppression", "remove", "dave@example.com"})
	var dead []suppression.Delivery
	out, _, _ := runCLI(t, "webhooks", "deliveries", "--dead", "--format", "json", "--config", cfg)
	if err := json.Unmarshal([]byte(out), &dead); err != nil || len(dead) != 2 || dead[1].Type != suppression.EventSuppressionAdded {
		t.Fatalf("dead deliveries = %s, want dave@'s removed and added", out)
	}
	removed, added := dead[0].ID, dead[1].ID
	_, stderr, code := runCLI(t, "webhooks", "redeliver", fmt.Sprint(added), "--config", cfg)
	want := fmt.Sprintf("redeliver: not queued: a later delivery about dave@example.com to app is dead: %d (suppression.removed); "+
		"sent alone, delivery %d (suppression.added) would be the last event app gets about dave@example.com", removed, added)
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, fmt.Sprintf("bouncer webhooks redeliver %d %d", added, removed)) {
		t.Fatalf("redeliver %d = %d %s\nwant a refusal: %s …, naming the command that sends both in order", added, code, stderr, want)
	}
	out, stderr, code = runCLI(t, "webhooks", "redeliver", fmt.Sprint(added), fmt.Sprint(removed), "--config", cfg)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("delivery %d queued again", added)) || !strings.Contains(out, fmt.Sprintf("delivery %d queued again", removed)) {
		t.Fatalf("redeliver %d %d = %d %s%s, want both queued", added, removed, code, out, stderr)
	}
}
