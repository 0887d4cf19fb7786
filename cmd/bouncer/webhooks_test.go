package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/webhook"
	"github.com/bouncer-mail/bouncer/suppression"
)

const testWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// Each problem of a webhook entry is named by its key.
func TestWebhookConfigErrors(t *testing.T) {
	secret := writeFile(t, "secret", testWebhookSecret+"\n")
	bad := writeFile(t, "bad", "not-a-whsec\n")
	cfg := writeFile(t, "b.yaml", fmt.Sprintf(`webhooks:
  - name: a
    url: http://hooks.example.com/x
    secret_file: %s
  - name: a
    url: https://hooks.example.com/x
    events: [suppression.added, bogus.thing, alert.nope]
  - name: c
    url: https://hooks.example.com/x
    secret_file: %s
    format: teams
  - name: d
    url: http://127.0.0.1:9/x
    secret_file: %s
    format: slack
`, secret, bad, secret))
	_, stderr, code := runCLI(t, "config", "check", "--config", cfg)
	if code != exitConfig {
		t.Fatalf("config check exit %d, want %d\n%s", code, exitConfig, stderr)
	}
	for _, want := range []string{
		"webhooks[0].url: must be https",
		"webhooks[1].name: \"a\" is already the name of webhooks[0]",
		"webhooks[1].events[1]: unknown event type \"bogus.thing\"",
		"webhooks[1].events[2]: unknown event type \"alert.nope\"",
		"webhooks[1].secret_file: required for format standard",
		"webhooks[2].format: must be standard, slack",
		"webhooks[2].secret_file: webhook: secret must be whsec_",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("config check output lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "webhooks[3]") || strings.Contains(stderr, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") {
		t.Errorf("a slack endpoint on loopback is fine, and the secret is never shown:\n%s", stderr)
	}
}

// hookReceiver is a real HTTP receiver checking every signature; while
// block is set it holds each request until the client goes away.
type hookReceiver struct {
	key     []byte
	block   atomic.Bool
	started chan string // webhook-ids of blocked requests
	mu      sync.Mutex
	got     map[string]string // webhook-id → "type email"
	order   []string          // "type email" of each accepted request, in arrival order
	bad     []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(webhook.HeaderID)
	if h.block.Load() {
		select {
		case h.started <- id:
		default:
		}
		<-r.Context().Done()
		return
	}
	var ev struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	err := webhook.Verify(h.key, id, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), body, time.Now(), 5*time.Minute)
	if err == nil {
		err = json.Unmarshal(body, &ev)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.bad = append(h.bad, fmt.Sprintf("%s: %v", id, err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.got[id] = fmt.Sprint(ev.Type, " ", ev.Data["email"])
	h.order = append(h.order, h.got[id])
}

func (h *hookReceiver) received() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]string{}
	for k, v := range h.got {
		out[k] = v
	}
	return out
}

// bouncer run polls real bounces into events for a real receiver; killed
// (-9) while a delivery is in flight and started again, it delivers every
// committed change at least once (the held one again, with the same id),
// and nothing for a batch that rolled back (the database refuses the
// outbox row of user3, so its batch fails and user3's message is
// quarantined by the poller).
func TestRunWebhooksKillAndRestart(t *testing.T) {
	e := newPollEnv(t, 4, imapsBox)
	key, _ := webhook.ParseSecret(testWebhookSecret)
	h := &hookReceiver{key: key, started: make(chan string, 1), got: map[string]string{}}
	h.block.Store(true)
	srv := httptest.NewServer(h)
	defer srv.Close()
	secret := writeFile(t, "whsec", testWebhookSecret+"\n")
	cfg := readString(t, e.config) + fmt.Sprintf("webhooks:\n  - name: app\n    url: %s/hook\n    secret_file: %s\n    timeout: 1s\n", srv.URL, secret)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := suppression.Open(context.Background(), e.dbURL, suppression.Options{}) // the schema, for the trigger
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, q := range []string{`CREATE FUNCTION refuse_user3() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF EXISTS (SELECT 1 FROM bounce_events WHERE recipient = 'user3@example.net') THEN
  RAISE EXCEPTION 'refused' USING ERRCODE = '22000'; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER refuse BEFORE INSERT ON webhook_outbox FOR EACH ROW EXECUTE FUNCTION refuse_user3()`} {
		if _, err := e.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		e.dovecot.DeliverMaildir(syntheticBounce(i, 0))
	}
	run := func() (*exec.Cmd, *bytes.Buffer) {
		var out bytes.Buffer
		cmd := exec.Command(bouncerBinary(t), "run", "--config", e.config)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	first, _ := run()
	var held string
	select {
	case held = <-h.started:
	case <-time.After(60 * time.Second):
		first.Process.Kill()
		t.Fatal("no delivery reached the receiver within a minute")
	}
	first.Process.Kill() // kill -9 mid-delivery
	first.Wait()         //nolint:errcheck // killed
	h.block.Store(false)
	second, out := run()
	defer second.Process.Kill()
	waitFor(t, "all ten messages ledgered", func() bool { return e.ledgerRows() == 10 })
	var want []string
	rows, err := e.db.Query(`SELECT email FROM suppressions WHERE suppressed ORDER BY email`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var email string
		rows.Scan(&email) //nolint:errcheck
		want = append(want, "suppression.added "+email)
	}
	rows.Close()
	if len(want) != 9 || slices.Contains(want, "suppression.added user3@example.net") {
		t.Fatalf("suppressed %v, want user0-9 but user3", want)
	}
	waitFor(t, "every committed change delivered", func() bool {
		got := h.received()
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				return false
			}
		}
		return true
	})
	terminate(t, second, out)
	got := h.received()
	if _, ok := got[held]; !ok {
		t.Errorf("the delivery held when the process was killed (%s) was not sent again", held)
	}
	for id, g := range got {
		if strings.Contains(g, "user3@") {
			t.Errorf("event %s %s sent for a batch that rolled back", id, g)
		}
	}
	if len(h.bad) > 0 {
		t.Errorf("signatures that failed: %v", h.bad)
	}
}

// On SQLite, bouncer run polls real bounces from Dovecot and delivers
// their events to a real receiver, signed: bounce.recorded and
// suppression.added for every address, in that order per address, and the
// queue empties.
func TestRunWebhooksSQLite(t *testing.T) {
	e := newPollEnvDB(t, "sqlite:"+filepath.Join(t.TempDir(), "bouncer.db"), 4, imapsBox)
	key, _ := webhook.ParseSecret(testWebhookSecret)
	h := &hookReceiver{key: key, got: map[string]string{}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	secret := writeFile(t, "whsec", testWebhookSecret+"\n")
	cfg := readString(t, e.config) + fmt.Sprintf("webhooks:\n  - name: app\n    url: %s/hook\n    secret_file: %s\n    events: [suppression.added, bounce.recorded]\n", srv.URL, secret)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.deliverBounces(t, 10)
	var out bytes.Buffer
	run := exec.Command(bouncerBinary(t), "run", "--config", e.config)
	run.Stdout, run.Stderr = &out, &out
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer run.Process.Kill() //nolint:errcheck // ended by terminate unless the test failed
	waitFor(t, "twenty events delivered", func() bool { return len(h.received()) >= 20 })
	waitFor(t, "the queue emptied", func() bool {
		return e.count(t, `SELECT count(*) FROM webhook_deliveries`)+e.count(t, `SELECT count(*) FROM webhook_outbox`) == 0
	})
	terminate(t, run, &out)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bad) > 0 || len(h.got) != 20 {
		t.Fatalf("received %d events (bad signatures: %v), want 20:\n%s", len(h.got), h.bad, out.String())
	}
	for i := range 10 {
		addr := fmt.Sprintf("user%d@example.net", i)
		recorded, added := slices.Index(h.order, "bounce.recorded "+addr), slices.Index(h.order, "suppression.added "+addr)
		if recorded < 0 || added < recorded {
			t.Errorf("%s: bounce.recorded arrived %dth, suppression.added %dth; want both, in that order", addr, recorded, added)
		}
	}
}

// The webhooks commands on SQLite: a change made by the CLI is queued (not
// sent: run sends), list shows the queue without the URL's path, test
// sends a signed ping now, redeliver names an unknown id.
func TestWebhooksCommands(t *testing.T) {
	key, _ := webhook.ParseSecret(testWebhookSecret)
	h := &hookReceiver{key: key, started: make(chan string, 1), got: map[string]string{}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	secret := writeFile(t, "whsec", testWebhookSecret+"\n")
	cfg := writeFile(t, "b.yaml", fmt.Sprintf("database:\n  url: sqlite:%s/b.db\nwebhooks:\n  - name: app\n    url: %s/secret-path\n    secret_file: %s\n",
		t.TempDir(), srv.URL, secret))
	if _, stderr, code := runCLI(t, "migrate", "--config", cfg); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	if _, stderr, code := runCLI(t, "suppression", "add", "x@example.com", "--reason", "asked", "--config", cfg); code != 0 {
		t.Fatalf("suppression add: %d %s", code, stderr)
	}
	out, stderr, code := runCLI(t, "webhooks", "deliveries", "--format", "json", "--config", cfg)
	var ds []suppression.Delivery
	if err := json.Unmarshal([]byte(out), &ds); code != 0 || err != nil || len(ds) != 1 || ds[0].Type != "suppression.added" || ds[0].Subject != "x@example.com" {
		t.Fatalf("webhooks deliveries = %s (%d %s)", out, code, stderr)
	}
	out, _, code = runCLI(t, "webhooks", "list", "--config", cfg)
	if code != 0 || !strings.Contains(out, "app") || strings.Contains(out, "secret-path") || !strings.Contains(out, " 1 ") {
		t.Errorf("webhooks list = %d\n%s", code, out)
	}
	out, stderr, code = runCLI(t, "webhooks", "test", "app", "--config", cfg)
	if code != 0 || !strings.Contains(out, "app answered HTTP 200") {
		t.Errorf("webhooks test = %d %q %s", code, out, stderr)
	}
	if got := h.received(); len(got) != 1 || len(h.bad) > 0 {
		t.Errorf("the receiver got %v (bad: %v), want one verified ping", got, h.bad)
	}
	for _, g := range h.received() {
		if g != "webhook.ping <nil>" {
			t.Errorf("received %q, want the ping", g)
		}
	}
	if _, stderr, code := runCLI(t, "webhooks", "redeliver", "999", "--config", cfg); code != 1 || !strings.Contains(stderr, "redeliver: no delivery 999 in the queue") ||
		strings.Contains(stderr, "suppression:") {
		t.Errorf("redeliver 999 = %d %s, want no delivery 999 in the queue, without the store's prefix", code, stderr)
	}
}

// A dead suppression.added for dave@ does not hold back his later
// suppression.removed; redeliver then refuses the stale event, naming what
// was sent since, and sends it with --force, with a note. The queue's table
// shows why the dead delivery failed ("connection refused"), its JSON the
// full error.
func TestWebhooksRedeliverSuperseded(t *testing.T) {
	key, _ := webhook.ParseSecret(testWebhookSecret)
	h := &hookReceiver{key: key, started: make(chan string, 1), got: map[string]string{}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	db := "sqlite:" + filepath.Join(t.TempDir(), "b.db")
	secret := writeFile(t, "whsec", testWebhookSecret+"\n")
	cfg := writeFile(t, "b.yaml", fmt.Sprintf("database:\n  url: %s\nwebhooks:\n  - name: app\n    url: %s/hook\n    secret_file: %s\n", db, srv.URL, secret))
	for _, args := range [][]string{{"migrate"}, {"suppression", "add", "dave@example.com", "--reason", "asked"}} {
		if _, stderr, code := runCLI(t, append(args, "--config", cfg)...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, stderr)
		}
	}
	ctx := context.Background()
	s, err := suppression.Open(ctx, db, suppression.Options{Webhooks: []suppression.Subscription{{Endpoint: "app", Events: []string{"suppression.*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pass := func(url string, maxAge time.Duration) {
		t.Helper()
		d, err := webhook.New(s, []webhook.Endpoint{{Name: "app", URL: url, Key: key, MaxAge: maxAge}}, webhook.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Pass(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const secretPath = "services/T000/B000/XXXXSECRET" // a Slack URL's path is its secret
	closed := "http://" + ln.Addr().String() + "/" + secretPath
	ln.Close()
	pass(closed, time.Nanosecond) // dies at its first try
	var dead []suppression.Delivery
	out, _, _ := runCLI(t, "webhooks", "deliveries", "--dead", "--format", "json", "--config", cfg)
	if err := json.Unmarshal([]byte(out), &dead); err != nil || len(dead) != 1 || !strings.Contains(dead[0].LastError, `Post "http://`+ln.Addr().String()+`/…": dial tcp`) ||
		strings.Contains(out, secretPath) {
		t.Fatalf("dead deliveries = %s, want dave@'s added, with the full error but the URL's path", out)
	}
	id := fmt.Sprint(dead[0].ID)
	cfgClosed := writeFile(t, "closed.yaml", fmt.Sprintf("database:\n  url: %s\nwebhooks:\n  - name: app\n    url: %s\n    secret_file: %s\n", db, closed, secret))
	if out, stderr, code := runCLI(t, "webhooks", "test", "app", "--config", cfgClosed); code == 0 || !strings.Contains(stderr, "connection refused") ||
		strings.Contains(out+stderr, secretPath) {
		t.Errorf("webhooks test to a closed port = %d %q %s, want connection refused without the URL's path", code, out, stderr)
	}
	// A delivery dead before bouncer counted later events (migration
	// 00077 marks those) is refused: some may have been sent.
	raw, err := sql.Open("sqlite", strings.TrimPrefix(db, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE webhook_deliveries SET later_unknown = 1 WHERE id = ?`, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "webhooks", "redeliver", id, "--config", cfg)
	if want := "redeliver: not queued: delivery " + id + " (suppression.added of "; code != 1 || !strings.Contains(stderr, want) ||
		!strings.Contains(stderr, "died before bouncer counted later events (migration 00076); later events about dave@example.com may have been sent to app after it") {
		t.Fatalf("redeliver of a delivery dead before the count = %d %s, want a refusal saying later events may have been sent", code, stderr)
	}
	out, _, _ = runCLI(t, "webhooks", "deliveries", "--dead", "--config", cfg)
	if !strings.Contains(out, "LAST ERROR") || !strings.Contains(out, "connection refused") || strings.Contains(out, `Post "`) {
		t.Errorf("webhooks deliveries --dead =\n%s\nwant the cause, connection refused, not the start of the full error", out)
	}
	if _, stderr, code := runCLI(t, "suppression", "remove", "dave@example.com", "--config", cfg); code != 0 {
		t.Fatalf("suppression remove: %d %s", code, stderr)
	}
	pass(srv.URL+"/hook", 0)
	if got := h.received(); len(got) != 1 || !slices.Contains(slices.Collect(maps.Values(got)), "suppression.removed dave@example.com") {
		t.Fatalf("the receiver got %v, want dave@'s removal at once", got)
	}
	_, stderr, code = runCLI(t, "webhooks", "redeliver", id, "--config", cfg)
	want := "1 later event about dave@example.com (the newest: suppression.removed) was sent to app after delivery " + id + " (suppression.added of "
	if !strings.Contains(stderr, "died, and more may have been: it died before bouncer counted later events (migration 00076)") {
		t.Errorf("redeliver = %s, want it to say more may have been sent", stderr)
	}
	if code != 1 || !strings.Contains(stderr, "redeliver: not queued: "+want) || !strings.Contains(stderr, "bouncer webhooks redeliver "+id+" --force") {
		t.Fatalf("redeliver without --force = %d %s, want a refusal naming the later event and --force", code, stderr)
	}
	out, stderr, code = runCLI(t, "webhooks", "redeliver", id, "--force", "--config", cfg)
	if code != 0 || !strings.Contains(out, "delivery "+id+" queued again") || !strings.Contains(out, "note: "+want) {
		t.Fatalf("redeliver --force = %d %q %s, want it queued with a note", code, out, stderr)
	}
	pass(srv.URL+"/hook", 0)
	if h.mu.Lock(); !slices.Equal(h.order, []string{"suppression.removed dave@example.com", "suppression.added dave@example.com"}) {
		t.Errorf("the receiver got %v, want the removal, then the redelivered (older) added", h.order)
	}
	h.mu.Unlock()
}
