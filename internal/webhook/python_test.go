package webhook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// pythonBlock returns the Python block of docs/webhooks.md holding marker.
func pythonBlock(t *testing.T, marker string) string {
	return testenv.DocBlock(t, "../../docs/webhooks.md", "python", marker)
}

func needPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required on CI")
		}
		t.Skip("python3 is missing")
	}
}

// The documented verify_webhook accepts what Sign produces and refuses a
// tampered body, another id, another secret and an old timestamp: test
// vectors generated here, checked by Python's hmac.
func TestPythonRecipeVectors(t *testing.T) {
	needPython(t)
	type vector struct {
		Secret  string            `json:"secret"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
		Now     int64             `json:"now"`
		Want    bool              `json:"want"`
	}
	body := `{"type":"suppression.added","timestamp":"2026-03-01T12:00:00Z","data":{"email":"jörg@münchen.example","reason":"userunknown"}}`
	sig := Sign(testKey, "msg_1", t0, []byte(body))
	h := func(id, ts, s string) map[string]string {
		return map[string]string{"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": s}
	}
	ts := strconv.FormatInt(t0.Unix(), 10)
	vs := []vector{
		{testSecret, h("msg_1", ts, sig), body, t0.Unix(), true},
		{testSecret, h("msg_1", ts, "v1,Zm9v "+sig), body, t0.Unix() + 200, true},
		{testSecret, h("msg_1", ts, sig), strings.Replace(body, "userunknown", "mailboxfull", 1), t0.Unix(), false},
		{testSecret, h("msg_2", ts, sig), body, t0.Unix(), false},
		{"whsec_" + strings.Repeat("QUJD", 8), h("msg_1", ts, sig), body, t0.Unix(), false},
		{testSecret, h("msg_1", ts, sig), body, t0.Unix() + 301, false},
		{testSecret, h("msg_1", "", sig), body, t0.Unix(), false},
	}
	in, _ := json.Marshal(vs)
	prog := pythonBlock(t, "def verify_webhook(") + `
import json, sys
print(json.dumps([verify_webhook(v["secret"], v["headers"], v["body"].encode(), now=v["now"]) for v in json.loads(sys.stdin.read())]))
`
	cmd := exec.Command("python3", "-c", prog)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	var got []bool
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(vs) {
		t.Fatalf("python3 printed %q: %v", out, err)
	}
	for i, v := range vs {
		if got[i] != v.Want {
			t.Errorf("vector %d: verify_webhook = %v, want %v (%+v)", i, got[i], v.Want, v)
		}
	}
}

// startPythonReceiver runs the documented Python receiver (verify_webhook,
// apply_change and the HTTP server) and returns its URL and what it
// prints, a line per request it accepted.
func startPythonReceiver(t *testing.T) (string, *bufio.Reader) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	prog := pythonBlock(t, "def verify_webhook(") + pythonBlock(t, "def apply_change(") + pythonBlock(t, "class Hook(")
	cmd := exec.CommandContext(ctx, "python3", "-u", "-c", prog)
	cmd.Env = append(os.Environ(), "BOUNCER_WEBHOOK_SECRET="+testSecret, "PORT="+port)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait() //nolint:errcheck // killed
	})
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Python receiver did not listen within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "http://127.0.0.1:" + port + "/hook", bufio.NewReader(stdout)
}

// readLine returns the fields of the next line the Python receiver prints.
func readLine(t *testing.T, out *bufio.Reader) []string {
	t.Helper()
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(line)
}

// The documented Python receiver, run for real, accepts what the
// dispatcher sends from a real Record and refuses a tampered body.
func TestPythonReceiver(t *testing.T) {
	needPython(t)
	url, out := startPythonReceiver(t)
	ctx := context.Background()
	body := []byte(`{"type":"suppression.added","timestamp":"2026-03-01T12:00:00Z","data":{"email":"x@example.com"}}`)
	now := time.Now()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bytes.Replace(body, []byte("x@"), []byte("y@"), 1)))
	req.Header.Set(HeaderID, "msg_tampered")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(testKey, "msg_tampered", now, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("tampered body: HTTP %d, want 400", resp.StatusCode)
	}

	s := openStore(t, "sqlite:"+t.TempDir()+"/b.db", appOnly)
	record(t, s, now, hardBounce("k1", "a@example.com", now))
	d, err := New(s, []Endpoint{{Name: "app", URL: url, Key: testKey}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := s.Deliveries(ctx, suppression.DeliveryFilter{})
	if err != nil || len(q) != 0 {
		t.Fatalf("queue after the pass = %+v, %v; want it sent", q, err)
	}
	if f := readLine(t, out); len(f) != 4 || !strings.HasPrefix(f[0], "msg_") || f[1] != "suppression.added" || f[2] != "a@example.com" || f[3] != "applied" {
		t.Errorf("the Python receiver printed %q, want the id, suppression.added, a@example.com, applied", f)
	}
}

// The scenario of a dead delivery redelivered after a later change of its
// address, against the documented Python receiver: dave@'s
// suppression.added dies (the endpoint refuses connections), his
// suppression.removed is then sent at once, redeliver without --force
// refuses the stale event, and with it the receiver gets the added after
// the removed and ignores it, as docs/webhooks.md ("Order") says.
func TestPythonReceiverIgnoresStaleRedelivery(t *testing.T) {
	needPython(t)
	url, out := startPythonReceiver(t)
	staleRedelivery(t, url, func(time.Time) {
		if f := readLine(t, out); len(f) != 4 || f[1] != "suppression.removed" || f[3] != "applied" {
			t.Fatalf("the Python receiver printed %q, want dave@'s suppression.removed applied", f)
		}
	}, func(eventID string, _ time.Time) {
		if f := readLine(t, out); len(f) != 4 || f[0] != eventID || f[1] != "suppression.added" || f[3] != "ignored" {
			t.Errorf("the Python receiver printed %q, want the redelivered %s (suppression.added) ignored", f, eventID)
		}
	})
}

// staleRedelivery plays the scenario against the receiver at url: dave@'s
// suppression.added dies, his suppression.removed goes out (then removed
// runs, with the removal's time), redeliver refuses the stale added without
// force and queues it with force, and it goes out after the removal (then
// redelivered runs, with its id and the removal's time).
func staleRedelivery(t *testing.T, url string, removed func(at time.Time), redelivered func(eventID string, removedAt time.Time)) {
	t.Helper()
	ctx := asCLI()
	s := openStore(t, "sqlite:"+t.TempDir()+"/b.db", appOnly)
	down, err := New(s, []Endpoint{{Name: "app", URL: closedURL(t), Key: testKey, MaxAge: time.Second}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	up, err := New(s, []Endpoint{{Name: "app", URL: url, Key: testKey}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := s.Add(ctx, "dave@example.com", suppression.Manual{Reason: "asked"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := down.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	dead, err := s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead})
	if err != nil || len(dead) != 1 || dead[0].Type != suppression.EventSuppressionAdded {
		t.Fatalf("dead deliveries = %+v, %v; want dave@'s suppression.added", dead, err)
	}
	removedAt := now.Add(time.Second)
	if _, err := s.Remove(ctx, "dave@example.com", removedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := up.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	removed(removedAt)
	if _, err := s.Redeliver(ctx, dead[0].ID, time.Now(), false); !errors.Is(err, suppression.ErrSuperseded) {
		t.Fatalf("redeliver without force: %v, want ErrSuperseded", err)
	}
	if _, err := s.Redeliver(ctx, dead[0].ID, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if _, err := up.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if q, err := s.Deliveries(ctx, suppression.DeliveryFilter{}); err != nil || len(q) != 0 {
		t.Fatalf("queue after the redelivery = %+v, %v; want it accepted", q, err)
	}
	redelivered(dead[0].EventID, removedAt)
}
