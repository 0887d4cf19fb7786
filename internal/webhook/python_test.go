package webhook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// pythonBlock returns the Python block of docs/webhooks.md holding marker.
func pythonBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```python\n")[1:] {
		code, _, _ := strings.Cut(block, "```")
		if strings.Contains(code, marker) {
			return code
		}
	}
	t.Fatalf("docs/webhooks.md has no Python block with %q", marker)
	return ""
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

// The documented Python receiver, run for real, accepts what the
// dispatcher sends from a real Record and refuses a tampered body.
func TestPythonReceiver(t *testing.T) {
	needPython(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-u", "-c", pythonBlock(t, "def verify_webhook(")+pythonBlock(t, "class Hook("))
	cmd.Env = append(os.Environ(), "BOUNCER_WEBHOOK_SECRET="+testSecret, "PORT="+port)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait() //nolint:errcheck // killed
	}()
	url := "http://127.0.0.1:" + port + "/hook"
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
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(line); len(f) != 3 || !strings.HasPrefix(f[0], "msg_") || f[1] != "suppression.added" || f[2] != "a@example.com" {
		t.Errorf("the Python receiver printed %q, want the id, suppression.added and a@example.com", line)
	}
}
