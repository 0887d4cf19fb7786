package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goRecipe returns the Go receiver of docs/webhooks.md as a program: the
// imports the text lists, the block, and a main serving it on the address
// of its first argument, with GET /newest answering the map of the newest
// change applied per address.
func goRecipe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "func verifyWebhook(")
	start := strings.LastIndex(doc[:max(i, 0)], "```go\n")
	if i < 0 || start < 0 {
		t.Fatal("docs/webhooks.md has no Go block with func verifyWebhook(")
	}
	code, _, _ := strings.Cut(doc[start+len("```go\n"):], "```")
	m := regexp.MustCompile("imports: ((?:`[a-z0-9/]+`,?\\s*)+);").FindStringSubmatch(doc[:start])
	if m == nil {
		t.Fatal("docs/webhooks.md does not list the Go recipe's imports (imports: `…`, …;)")
	}
	imports := regexp.MustCompile("`([a-z0-9/]+)`").FindAllStringSubmatch(m[1], -1)
	var prog strings.Builder
	prog.WriteString("package main\n\nimport (\n")
	for _, imp := range imports {
		fmt.Fprintf(&prog, "\t%q\n", imp[1])
	}
	prog.WriteString(")\n\n" + code + `
func main() {
	http.HandleFunc("/hooks/bouncer", bouncerHook)
	http.HandleFunc("/newest", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		json.NewEncoder(w).Encode(newest)
	})
	fmt.Println(http.ListenAndServe(os.Args[1], nil))
}
`)
	return prog.String()
}

// The documented Go receiver, built with exactly the imports the text
// lists and run for real, verifies bouncer's signatures and, redelivered
// a stale suppression.added after the removal, keeps the removal.
func TestGoRecipeIgnoresStaleRedelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goRecipe(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module recipe\n\ngo 1.22\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", "recipe", ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Go recipe does not build: %v\n%s", err, out)
	}
	addr := strings.TrimPrefix(closedURL(t), "http://")
	addr = strings.TrimSuffix(addr, "/hook")
	cmd := exec.Command(filepath.Join(dir, "recipe"), addr)
	cmd.Env = append(os.Environ(), "BOUNCER_WEBHOOK_SECRET="+testSecret)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // ends the receiver
		cmd.Wait()         //nolint:errcheck // killed
	})
	base := "http://" + addr
	newest := func() map[string]time.Time {
		t.Helper()
		var out map[string]time.Time
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			resp, err := http.Get(base + "/newest")
			if err == nil {
				defer resp.Body.Close()
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Fatal(err)
				}
				return out
			}
			if time.Now().After(deadline) {
				t.Fatalf("the Go receiver did not answer within 30 s: %v", err)
			}
		}
	}
	newest() // listening
	body := []byte(`{"type":"suppression.added","timestamp":"2026-03-01T12:00:00Z","data":{"email":"x@example.com"}}`)
	now := time.Now()
	req, _ := http.NewRequest(http.MethodPost, base+"/hooks/bouncer", bytes.NewReader(bytes.Replace(body, []byte("x@"), []byte("y@"), 1)))
	req.Header.Set(HeaderID, "msg_tampered")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(testKey, "msg_tampered", now, body))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("tampered body: %v %v, want HTTP 400", resp, err)
	}
	staleRedelivery(t, base+"/hooks/bouncer", func(at time.Time) {
		if got := newest()["dave@example.com"]; !got.Equal(at) {
			t.Fatalf("after the removal the Go receiver's newest for dave@ = %v, want %v", got, at)
		}
	}, func(_ string, removedAt time.Time) {
		if got := newest()["dave@example.com"]; !got.Equal(removedAt) {
			t.Errorf("after the stale added the Go receiver's newest for dave@ = %v, want the removal's %v (the added ignored)", got, removedAt)
		}
	})
}
