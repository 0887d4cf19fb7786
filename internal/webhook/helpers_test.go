package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testKey is the HMAC key of testSecret.
var (
	testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	testKey, _ = ParseSecret(testSecret)
)

// clock is a time the test moves; dispatchers and the store read it.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// dialects runs fn against a fresh SQLite store and a fresh Postgres store
// opened with subs.
func dialects(t *testing.T, subs []suppression.Subscription, fn func(t *testing.T, url string, s *suppression.Store)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
			if d == "postgres" {
				url = testenv.PostgresURL(t)
			}
			fn(t, url, openStore(t, url, subs))
		})
	}
}

func openStore(t *testing.T, url string, subs []suppression.Subscription) *suppression.Store {
	t.Helper()
	s, err := suppression.Open(context.Background(), url, suppression.Options{Webhooks: subs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func hardBounce(key, addr string, at time.Time) suppression.Message {
	return suppression.Message{Key: key, Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN,
		Recipients: []dsn.Recipient{{FinalRecipient: addr, Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 unknown user",
			Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}}}}
}

func record(t *testing.T, s *suppression.Store, now time.Time, msgs ...suppression.Message) {
	t.Helper()
	if _, err := s.Record(context.Background(), msgs, now); err != nil {
		t.Fatal(err)
	}
}

// received is one request a receiver accepted.
type received struct {
	ID, Type, Email string
	Verified        error
	Body            []byte
	Header          http.Header
}

// receiver is a real HTTP handler that checks every request's signature
// with Verify and records it; fail says which requests to refuse (by
// count of requests so far, from 1), with which status.
type receiver struct {
	mu    sync.Mutex
	got   []received
	n     int
	fail  func(n int, r received) int // 0: accept
	clock *clock
	// inFlight counts requests being handled per webhook-id; overlap
	// records an id seen twice at once.
	inFlight map[string]int
	overlap  []string
	notify   chan struct{}
}

func newReceiver(c *clock) *receiver {
	return &receiver{clock: c, inFlight: map[string]int{}, notify: make(chan struct{}, 1)}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	x := received{ID: r.Header.Get(HeaderID), Body: body, Header: r.Header.Clone()}
	x.Verified = Verify(testKey, x.ID, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, rc.clock.now(), 5*time.Minute)
	var ev struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	json.Unmarshal(body, &ev) //nolint:errcheck // checked by the tests through Type
	x.Type = ev.Type
	x.Email, _ = ev.Data["email"].(string)
	rc.mu.Lock()
	rc.n++
	n := rc.n
	rc.inFlight[x.ID]++
	if rc.inFlight[x.ID] > 1 {
		rc.overlap = append(rc.overlap, x.ID)
	}
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.inFlight[x.ID]--
		rc.mu.Unlock()
	}()
	if rc.fail != nil {
		if code := rc.fail(n, x); code != 0 {
			w.WriteHeader(code)
			io.WriteString(w, "not now") //nolint:errcheck
			return
		}
	}
	rc.mu.Lock()
	rc.got = append(rc.got, x)
	rc.mu.Unlock()
	select {
	case rc.notify <- struct{}{}:
	default:
	}
}

func (rc *receiver) accepted() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// drain runs passes of d, moving the clock step after each, until want
// deliveries were accepted or passes run out.
func drain(t *testing.T, d *Dispatcher, c *clock, rc *receiver, want int, step time.Duration) {
	t.Helper()
	for range 200 {
		if _, err := d.Pass(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(rc.accepted()) >= want {
			return
		}
		c.add(step)
	}
	t.Fatalf("after 200 passes the receiver accepted %d deliveries, want %d", len(rc.accepted()), want)
}

func itoa(i int) string { return strconv.Itoa(i) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func pgURL(t *testing.T) string { return testenv.PostgresURL(t) }

// closedURL returns a loopback URL where nothing listens: a connection to
// it is refused.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/hook"
}
