package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/webhook"
	"github.com/bouncer-mail/bouncer/suppression"
)

// A delivery that failed before bouncer stored the cause (its last_cause
// empty, as migration 00076 leaves it) shows the cause all the same:
// "connection refused" in the table's LAST ERROR, not the start of the
// full error, and last_cause in --format json.
func TestWebhookDeliveriesCauseOfOldFailure(t *testing.T) {
	cfg, path := deadDeliveries(t, 1, []string{"suppression", "add", "dave@example.com", "--reason", "asked"})
	db := openSQLiteFile(t, path)
	if res, err := db.Exec(`UPDATE webhook_deliveries SET last_cause = ''`); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d deliveries, want dave@'s dead one", n)
	}
	out, _, _ := runCLI(t, "webhooks", "deliveries", "--dead", "--config", cfg)
	if !strings.Contains(out, "connection refused") || strings.Contains(out, `Post "`) {
		t.Errorf("webhooks deliveries --dead =\n%s\nwant the cause, connection refused, not the start of the full error", out)
	}
	var dead []suppression.Delivery
	out, _, _ = runCLI(t, "webhooks", "deliveries", "--dead", "--format", "json", "--config", cfg)
	if err := json.Unmarshal([]byte(out), &dead); err != nil || len(dead) != 1 || dead[0].LastCause != "connection refused" || !strings.Contains(dead[0].LastError, "dial tcp") {
		t.Errorf("webhooks deliveries --dead --format json = %s, want last_cause connection refused beside the full error", out)
	}
}

// deadDeliveries makes a SQLite database with the webhook endpoint app,
// runs migrate and then the CLI commands cmds, and has a dispatcher send
// the events they queued to a port where nothing listens, with max_age
// 1ns, passes times: each dies at its first try. It returns the
// configuration file and the database's path.
func deadDeliveries(t *testing.T, passes int, cmds ...[]string) (cfg, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "b.db")
	secret := writeFile(t, "whsec", testWebhookSecret+"\n")
	cfg = writeFile(t, "b.yaml", fmt.Sprintf("database:\n  url: sqlite:%s\nwebhooks:\n  - name: app\n    url: http://127.0.0.1:1/hook\n    secret_file: %s\n", path, secret))
	for _, args := range append([][]string{{"migrate"}}, cmds...) {
		if _, stderr, code := runCLI(t, append(args, "--config", cfg)...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, stderr)
		}
	}
	ctx := context.Background()
	s, err := suppression.Open(ctx, "sqlite:"+path, suppression.Options{Webhooks: []suppression.Subscription{{Endpoint: "app", Events: []string{"suppression.*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/hook"
	ln.Close()
	key, _ := webhook.ParseSecret(testWebhookSecret)
	d, err := webhook.New(s, []webhook.Endpoint{{Name: "app", URL: closed, Key: key, MaxAge: time.Nanosecond}}, webhook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range passes {
		if _, err := d.Pass(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return cfg, path
}

// An error stored before URLs were redacted at the source holds the
// endpoint's whole URL; its path (Slack's secret) is never printed.
func TestWebhookDeliveriesOldErrorRedacted(t *testing.T) {
	cfg, path := deadDeliveries(t, 1, []string{"suppression", "add", "dave@example.com", "--reason", "asked"})
	db := openSQLiteFile(t, path)
	old := `Post "http://127.0.0.1:1/services/T000/B000/XXXXSECRET": dial tcp 127.0.0.1:1: connect: connection refused`
	if _, err := db.Exec(`UPDATE webhook_deliveries SET last_error = ?, last_cause = ''`, old); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "json"} {
		out, stderr, code := runCLI(t, "webhooks", "deliveries", "--dead", "--format", format, "--config", cfg)
		if code != 0 || strings.Contains(out+stderr, "XXXXSECRET") || strings.Contains(out+stderr, "/services/") {
			t.Errorf("deliveries --format %s (exit %d) shows the stored URL's path:\n%s%s", format, code, out, stderr)
		}
		if !strings.Contains(out, "connection refused") {
			t.Errorf("deliveries --format %s lost the cause:\n%s", format, out)
		}
	}
	out, _, _ := runCLI(t, "webhooks", "deliveries", "--dead", "--format", "json", "--config", cfg)
	if !strings.Contains(out, `http://127.0.0.1:1/…`) {
		t.Errorf("the JSON error should keep the redacted URL:\n%s", out)
	}
}

// openSQLiteFile opens the SQLite database at path for the test to change
// by hand, closed when the test ends.
func openSQLiteFile(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
