package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

var appOnly = []suppression.Subscription{{Endpoint: "app", Events: []string{"suppression.*", suppression.EventComplaintReceived}}}

func newDispatcher(t *testing.T, s Outbox, c *clock, eps ...Endpoint) *Dispatcher {
	t.Helper()
	d, err := New(s, eps, Options{Now: c.now, RetryMin: time.Minute, RetryMax: time.Hour, Concurrency: 4, Batch: 10})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The vector of the Standard Webhooks specification's reference libraries.
func TestSignSpecVector(t *testing.T) {
	got := Sign(testKey, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestParseSecret(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!", "whsec_c2hvcnQ="} {
		if _, err := ParseSecret(s); !errors.Is(err, ErrSecret) {
			t.Errorf("ParseSecret(%q) = %v, want ErrSecret", s, err)
		}
	}
	if k, err := ParseSecret(testSecret); err != nil || len(k) != 24 {
		t.Errorf("ParseSecret(the spec's secret) = %d bytes, %v", len(k), err)
	}
}

// A tampered body, another secret, an old timestamp fail the check.
func TestVerifyRejects(t *testing.T) {
	body := []byte(`{"type":"suppression.added","timestamp":"2026-03-01T12:00:00Z","data":{"email":"a@example.com"}}`)
	sig := Sign(testKey, "msg_1", t0, body)
	ts := "1772366400" // t0
	if err := Verify(testKey, "msg_1", ts, "v1,bogus "+sig, body, t0, time.Minute); err != nil {
		t.Fatalf("Verify of a good message: %v", err)
	}
	tampered := []byte(strings.Replace(string(body), "a@example.com", "b@example.com", 1))
	other, _ := ParseSecret("whsec_" + strings.Repeat("QUJD", 8))
	for name, err := range map[string]error{
		"tampered body": Verify(testKey, "msg_1", ts, sig, tampered, t0, time.Minute),
		"other id":      Verify(testKey, "msg_2", ts, sig, body, t0, time.Minute),
		"other secret":  Verify(other, "msg_1", ts, sig, body, t0, time.Minute),
	} {
		if !errors.Is(err, ErrNoSignature) {
			t.Errorf("%s: %v, want ErrNoSignature", name, err)
		}
	}
	if err := Verify(testKey, "msg_1", ts, sig, body, t0.Add(10*time.Minute), 5*time.Minute); !errors.Is(err, ErrTimestamp) {
		t.Errorf("old timestamp: %v, want ErrTimestamp", err)
	}
}

// Events from real Record calls reach a real receiver signed, with the
// Standard Webhooks headers and body; the sent deliveries leave the queue.
func TestDeliverSigned(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		c := newClock(t0)
		rc := newReceiver(c)
		srv := httptest.NewServer(rc)
		defer srv.Close()
		d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: srv.URL, Key: testKey})
		record(t, s, t0, hardBounce("k1", "a@example.com", t0), hardBounce("k2", "b@example.com", t0))
		drain(t, d, c, rc, 2, time.Second)
		got := rc.accepted()
		for _, r := range got {
			if r.Verified != nil || r.Type != suppression.EventSuppressionAdded || !strings.HasPrefix(r.ID, "msg_") || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("received %s %s (%s): verify %v", r.ID, r.Type, r.Header, r.Verified)
			}
		}
		if emails := []string{got[0].Email, got[1].Email}; !slices.Equal(slices.Sorted(slices.Values(emails)), []string{"a@example.com", "b@example.com"}) {
			t.Errorf("received about %v", emails)
		}
		if q, err := s.Deliveries(context.Background(), suppression.DeliveryFilter{}); err != nil || len(q) != 0 {
			t.Errorf("queue after delivery = %+v, %v; want empty", q, err)
		}
	})
}

// A receiver failing for a while, then recovering, gets every event, in
// order per address, each retry with the same webhook-id.
func TestRetryUntilRecovered(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		c := newClock(t0)
		rc := newReceiver(c)
		var attempts sync.Map // webhook-id → requests
		rc.fail = func(n int, r received) int {
			v, _ := attempts.LoadOrStore(r.ID, new(int))
			*v.(*int)++
			if n <= 6 {
				return http.StatusServiceUnavailable
			}
			return 0
		}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: srv.URL, Key: testKey})
		ctx := asCLI()
		record(t, s, t0, hardBounce("k1", "a@example.com", t0), hardBounce("k2", "b@example.com", t0))
		if _, err := s.Remove(ctx, "a@example.com", t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, "a@example.com", suppression.Manual{Reason: "asked"}, t0); err != nil {
			t.Fatal(err)
		}
		drain(t, d, c, rc, 4, 30*time.Minute)
		var forA []string
		for _, r := range rc.accepted() {
			if r.Verified != nil {
				t.Errorf("%s: %v", r.ID, r.Verified)
			}
			if r.Email == "a@example.com" {
				forA = append(forA, r.Type)
			}
		}
		if want := []string{"suppression.added", "suppression.removed", "suppression.added"}; !slices.Equal(forA, want) {
			t.Errorf("events about a@ arrived as %v, want %v", forA, want)
		}
		retried := 0
		attempts.Range(func(_, v any) bool {
			if *v.(*int) > 1 {
				retried++
			}
			return true
		})
		if retried == 0 || len(rc.accepted()) != 4 {
			t.Errorf("%d ids retried, %d accepted; want retries of the same ids and 4 accepted", retried, len(rc.accepted()))
		}
	})
}

// A receiver that never recovers leaves the delivery dead after max age,
// visible with its last error, and redeliver puts it back.
func TestNeverRecoversDead(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		c := newClock(t0)
		rc := newReceiver(c)
		rc.fail = func(int, received) int { return http.StatusInternalServerError }
		srv := httptest.NewServer(rc)
		defer srv.Close()
		d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: srv.URL, Key: testKey, MaxAge: 6 * time.Hour})
		record(t, s, t0, hardBounce("k1", "a@example.com", t0))
		ctx := context.Background()
		var dead []suppression.Delivery
		for range 100 {
			if _, err := d.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			var err error
			if dead, err = s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead}); err != nil {
				t.Fatal(err)
			}
			if len(dead) > 0 {
				break
			}
			c.add(30 * time.Minute)
		}
		if len(dead) != 1 || dead[0].LastStatus != 500 || !strings.Contains(dead[0].LastError, "not now") || dead[0].Attempts < 3 {
			t.Fatalf("dead deliveries = %+v, want one with HTTP 500 'not now' after several attempts", dead)
		}
		if c.now().Sub(t0) > 7*time.Hour {
			t.Errorf("dead at %v after queueing, want within max age 6h and one retry", c.now().Sub(t0))
		}
		if _, err := s.Redeliver(ctx, dead[0].ID, c.now(), false); err != nil {
			t.Fatal(err)
		}
		rc.fail = nil
		drain(t, d, c, rc, 1, time.Minute)
		if got := rc.accepted(); got[0].ID != dead[0].EventID {
			t.Errorf("redelivered id %s, want %s", got[0].ID, dead[0].EventID)
		}
	})
}

// Redirects are not followed; the target never hears of the event.
func TestRedirectRefused(t *testing.T) {
	c := newClock(t0)
	target := newReceiver(c)
	tsrv := httptest.NewServer(target)
	defer tsrv.Close()
	redirect := httptest.NewServer(http.RedirectHandler(tsrv.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: redirect.URL, Key: testKey})
		record(t, s, t0, hardBounce("k1", "a@example.com", t0))
		if _, err := d.Pass(context.Background()); err != nil {
			t.Fatal(err)
		}
		q, err := s.Deliveries(context.Background(), suppression.DeliveryFilter{})
		if err != nil || len(q) != 1 || !strings.Contains(q[0].LastError, "redirect refused") || q[0].LastStatus != 307 || q[0].LastCause != "HTTP 307 redirect refused" {
			t.Errorf("queue = %+v, %v; want the delivery pending with 'redirect refused'", q, err)
		}
		if n := len(target.accepted()); n != 0 {
			t.Errorf("the redirect target got %d requests", n)
		}
	})
}

// privateAddr returns an address of this machine that is not loopback
// (private or special-purpose, as a test machine's are).
func privateAddr(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !(reach{}).allowed(mustAddr(n.IP.String())) {
			return n.IP.String()
		}
	}
	t.Skip("no private or special-purpose IPv4 address on this machine")
	return ""
}

// The dialer refuses private addresses (and loopback for a URL that does
// not name a loopback host) unless allow_private; the request never
// reaches the server.
func TestSSRFGuard(t *testing.T) {
	c := newClock(t0)
	rc := newReceiver(c)
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	url := "http://" + net.JoinHostPort(privateAddr(t), itoa(port)) + "/hook"
	s := openStore(t, "sqlite:"+t.TempDir()+"/b.db", appOnly)
	record(t, s, t0, hardBounce("k1", "a@example.com", t0))
	d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: url, Key: testKey})
	if _, err := d.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	q, _ := s.Deliveries(context.Background(), suppression.DeliveryFilter{})
	if len(q) != 1 || !strings.Contains(q[0].LastError, "address not allowed") || !strings.HasPrefix(q[0].LastCause, "address not allowed") || len(rc.accepted()) != 0 {
		t.Fatalf("queue = %+v, accepted %d; want refused by the guard", q, len(rc.accepted()))
	}
	if c := CauseOf(q[0].LastStatus, q[0].LastError); c != q[0].LastCause {
		t.Errorf("CauseOf(%d, %q) = %q, want the cause stored, %q", q[0].LastStatus, q[0].LastError, c, q[0].LastCause)
	}
	d = newDispatcher(t, s, c, Endpoint{Name: "app", URL: url, Key: testKey, AllowPrivate: true})
	drain(t, d, c, rc, 1, time.Hour)

	for _, tc := range []struct {
		ip   string
		r    reach
		want bool
	}{
		{"127.0.0.1", reach{}, false}, {"127.0.0.1", reach{loopback: true}, true}, {"10.1.2.3", reach{loopback: true}, false},
		{"169.254.169.254", reach{}, false}, {"192.168.1.1", reach{}, false}, {"100.64.0.1", reach{}, false},
		{"::1", reach{}, false}, {"fe80::1", reach{}, false}, {"fd00::1", reach{}, false}, {"0.0.0.0", reach{}, false},
		{"::ffff:10.0.0.1", reach{}, false}, {"93.184.216.34", reach{}, true}, {"2606:4700::1111", reach{}, true},
		{"10.1.2.3", reach{private: true}, true}, {"192.0.2.2", reach{}, false}, {"64:ff9b::a00:1", reach{}, false},
	} {
		if got := tc.r.allowed(mustAddr(tc.ip)); got != tc.want {
			t.Errorf("%+v.allowed(%s) = %v, want %v", tc.r, tc.ip, got, tc.want)
		}
	}
}

// Two dispatchers (replicas) on one Postgres never send one event at the
// same time, and between them deliver every event.
func TestTwoReplicas(t *testing.T) {
	c := newClock(t0)
	rc := newReceiver(c)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	url := pgURL(t)
	s1, s2 := openStore(t, url, appOnly), openStore(t, url, appOnly)
	var msgs []suppression.Message
	for i := range 300 {
		msgs = append(msgs, hardBounce("k"+itoa(i), "u"+itoa(i%100)+"@example.com", t0.Add(time.Duration(i)*time.Second)))
	}
	record(t, s1, t0, msgs...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range []*suppression.Store{s1, s2} {
		d, err := New(s, []Endpoint{{Name: "app", URL: srv.URL, Key: testKey}}, Options{Now: c.now, Batch: 7, Concurrency: 4, Idle: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { d.Run(ctx) })
	}
	for len(rc.accepted()) < 100 {
		select {
		case <-rc.notify:
		case <-time.After(time.Minute):
			t.Fatalf("accepted %d of 100 after a minute", len(rc.accepted()))
		}
	}
	cancel()
	wg.Wait()
	ids := map[string]int{}
	for _, r := range rc.accepted() {
		ids[r.ID]++
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	if len(rc.overlap) > 0 || len(ids) != 100 {
		t.Errorf("%d distinct events, sent at once: %v; want 100, none at once", len(ids), rc.overlap)
	}
}

// format: slack posts {"text": …} without signature headers, with &, <
// and > escaped (Slack's control characters): a forged bounce's diagnostic
// cannot notify the channel or show a link.
func TestSlackFormat(t *testing.T) {
	c := newClock(t0)
	rc := newReceiver(c)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := openStore(t, "sqlite:"+t.TempDir()+"/b.db", []suppression.Subscription{{Endpoint: "chat", Events: []string{"alert.*", "suppression.added"}}})
	if _, err := s.Announce(context.Background(), "alert.poll_failures", "alert:poll_failures:bounces", "",
		map[string]any{"text": "mailbox bounces failed 3 polls"}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Announce(context.Background(), "suppression.added", "victim@example.org", "",
		map[string]any{"email": "victim@example.org", "source": "bounce", "class": "hard", "reason": "userunknown",
			"diagnostic": "550 <!channel> session expired: <https://evil.example/|sign in> &amp;"}, t0); err != nil {
		t.Fatal(err)
	}
	d := newDispatcher(t, s, c, Endpoint{Name: "chat", URL: srv.URL, Format: FormatSlack})
	drain(t, d, c, rc, 2, time.Second)
	want := map[string]bool{
		"bouncer alert: mailbox bounces failed 3 polls": true,
		"bouncer: victim@example.org suppressed (bounce, hard userunknown: 550 &lt;!channel&gt; session expired: &lt;https://evil.example/|sign in&gt; &amp;amp;)": true,
	}
	for _, r := range rc.accepted() {
		var msg map[string]string
		if err := json.Unmarshal(r.Body, &msg); err != nil || !want[msg["text"]] || len(msg) != 1 {
			t.Errorf("slack body %s (%v), want one of %v", r.Body, err, want)
		}
		if r.Header.Get(HeaderSignature) != "" {
			t.Errorf("slack message signed: %s", r.Header)
		}
	}
}

// A failed answer is told by its status and the start of its body, or by
// the status's name when the body is empty (not "HTTP 500: ").
func TestPingFailureSaysWhy(t *testing.T) {
	for body, want := range map[string]string{"": "HTTP 500 Internal Server Error", " not now\n": "HTTP 500: not now"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(body)) //nolint:errcheck // the test reads what arrives
		}))
		d, err := New(nil, []Endpoint{{Name: "app", URL: srv.URL, Key: testKey}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		status, err := d.Ping(context.Background(), "app")
		if status != 500 || err == nil || err.Error() != want {
			t.Errorf("Ping to a 500 answering %q = %d, %v; want 500, %q", body, status, err, want)
		}
		srv.Close()
	}
}

// A dead delivery does not hold back the later events about its address,
// and each of them the endpoint accepts is counted on it, whichever way it
// goes out: in the same pass as the one that died, read from the stream
// later, or retried; redeliver refuses the stale event without force, and
// sends it with its original body with force.
func TestDeadCountsLaterEvents(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		c := newClock(t0)
		rc := newReceiver(c)
		var failAdded, failOnce atomic.Bool
		failAdded.Store(true)
		rc.fail = func(_ int, r received) int {
			if failAdded.Load() && r.Type == suppression.EventSuppressionAdded || failOnce.CompareAndSwap(true, false) {
				return http.StatusServiceUnavailable
			}
			return 0
		}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: srv.URL, Key: testKey, MaxAge: time.Second})
		ctx := asCLI()
		dave := "dave@example.com"
		deadOne := func(wantLater int, wantType string) suppression.Delivery {
			t.Helper()
			dead, err := s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead})
			if err != nil || len(dead) != 1 || dead[0].Subject != dave || dead[0].LaterSent != wantLater || dead[0].LaterType != wantType {
				t.Fatalf("dead = %+v, %v; want dave@'s, with %d later sent, the newest %s", dead, err, wantLater, wantType)
			}
			return dead[0]
		}
		// The added dies at its first try (max_age 1s); the removed, in
		// the same pass, goes out.
		if _, err := s.Add(ctx, dave, suppression.Manual{Reason: "asked"}, c.now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Remove(ctx, dave, c.now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		drain(t, d, c, rc, 1, time.Second)
		deadOne(1, suppression.EventSuppressionRemoved)
		// Read from the stream in a later pass.
		failAdded.Store(false)
		if _, err := s.Add(ctx, dave, suppression.Manual{Reason: "again"}, c.now().Add(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		drain(t, d, c, rc, 2, time.Second)
		deadOne(2, suppression.EventSuppressionAdded)
		// Retried: the first try fails, the retry (a tracked delivery) goes out.
		failOnce.Store(true)
		if _, err := s.Remove(ctx, dave, c.now().Add(3*time.Second)); err != nil {
			t.Fatal(err)
		}
		d2 := newDispatcher(t, s, c, Endpoint{Name: "app", URL: srv.URL, Key: testKey})
		drain(t, d2, c, rc, 3, 5*time.Minute)
		dead := deadOne(3, suppression.EventSuppressionRemoved)
		if _, err := s.Redeliver(ctx, dead.ID, c.now(), false); !errors.Is(err, suppression.ErrSuperseded) {
			t.Fatalf("redeliver without force: %v, want ErrSuperseded", err)
		}
		if _, err := s.Redeliver(ctx, dead.ID, c.now(), true); err != nil {
			t.Fatal(err)
		}
		drain(t, d2, c, rc, 4, time.Second)
		var order []string
		var stamps []time.Time
		for _, r := range rc.accepted() {
			var ev struct {
				Timestamp time.Time `json:"timestamp"`
			}
			if err := json.Unmarshal(r.Body, &ev); err != nil {
				t.Fatal(err)
			}
			order, stamps = append(order, r.Type), append(stamps, ev.Timestamp)
		}
		want := []string{"suppression.removed", "suppression.added", "suppression.removed", "suppression.added"}
		if !slices.Equal(order, want) || !stamps[3].Equal(t0) || !stamps[3].Before(stamps[0]) {
			t.Errorf("received %v with timestamps %v; want %v, the last with its original timestamp %v", order, stamps, want, t0)
		}
	})
}

// A failed attempt is kept with its cause in a few words beside the full
// error, and logged with the id the delivery has in the queue (not 0 for
// an event read from the stream), the same on its retry.
func TestFailureCauseAndLog(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no such list", http.StatusBadRequest) }))
	defer bad.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release) // before Close, which waits for the handlers
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		ctx := context.Background()
		for i, tc := range []struct{ url, cause, inError string }{
			{closedURL(t), "connection refused", `Post "http://127.0.0.1:`},
			{bad.URL, "HTTP 400 Bad Request", "HTTP 400: no such list"},
			{hang.URL, "timeout", `Post "` + hang.URL + `": `},
		} {
			c := newClock(t0)
			var log bytes.Buffer
			d, err := New(s, []Endpoint{{Name: "app", URL: tc.url, Key: testKey, Timeout: 200 * time.Millisecond}},
				Options{Now: c.now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
			if err != nil {
				t.Fatal(err)
			}
			addr := "user" + itoa(i) + "@example.com"
			record(t, s, t0, hardBounce("k"+itoa(i), addr, t0))
			var got suppression.Delivery
			for try := 1; try <= 2; try++ {
				if _, err := d.Pass(ctx); err != nil {
					t.Fatal(err)
				}
				q, err := s.Deliveries(ctx, suppression.DeliveryFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, dl := range q {
					if dl.Subject == addr {
						got = dl
					}
				}
				if got.ID == 0 || got.Attempts != try || got.LastCause != tc.cause || !strings.Contains(got.LastError, tc.inError) {
					t.Fatalf("try %d: delivery = %+v; want tracked, cause %q, error with %q", try, got, tc.cause, tc.inError)
				}
				if c := CauseOf(got.LastStatus, got.LastError); c != tc.cause {
					t.Errorf("CauseOf(%d, %q) = %q, want the cause stored, %q", got.LastStatus, got.LastError, c, tc.cause)
				}
				want := fmt.Sprintf("delivery=%d event_id=%s subject=%s attempts=%d", got.ID, got.EventID, addr, try)
				if !strings.Contains(log.String(), want) {
					t.Errorf("try %d: log lacks %q:\n%s", try, want, log.String())
				}
				c.add(2 * time.Hour)
			}
		}
	})
}

// An endpoint added to the configuration gets the events of the changes
// made after it was added, not the history queued for the others.
func TestEndpointAddedLaterGetsEventsFromThenOn(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, url string, s *suppression.Store) {
		c := newClock(t0)
		app, late := newReceiver(c), newReceiver(c)
		appSrv, lateSrv := httptest.NewServer(app), httptest.NewServer(late)
		defer appSrv.Close()
		defer lateSrv.Close()
		record(t, s, t0, hardBounce("k1", "before@example.com", t0)) // queued, not sent yet
		both := append(slices.Clone(appOnly), suppression.Subscription{Endpoint: "late", Events: appOnly[0].Events})
		s2 := openStore(t, url, both)
		record(t, s2, t0, hardBounce("k2", "after@example.com", t0))
		d := newDispatcher(t, s2, c, Endpoint{Name: "app", URL: appSrv.URL, Key: testKey}, Endpoint{Name: "late", URL: lateSrv.URL, Key: testKey})
		drain(t, d, c, app, 2, time.Second)
		drain(t, d, c, late, 1, time.Second)
		if _, err := d.Pass(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range late.accepted() {
			got = append(got, r.Email)
		}
		if !slices.Equal(got, []string{"after@example.com"}) || len(app.accepted()) != 2 {
			t.Errorf("late got %v and app %d events; want late only after@ (added after it), app both", got, len(app.accepted()))
		}
	})
}

// asCLI is a context whose changes the store audits as the CLI's.
func asCLI() context.Context {
	return suppression.WithActor(context.Background(), suppression.Actor{Who: "cli:test", Via: suppression.ViaCLI})
}
