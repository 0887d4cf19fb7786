package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// httpSetup returns a free loopback address for http.listen and a fresh
// SQLite store, closed when the test ends.
func httpSetup(t *testing.T) (string, *suppression.Store) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	store, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "b.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return addr, store
}

func TestStartHTTP(t *testing.T) {
	addr, store := httpSetup(t)
	cfg := &Config{HTTP: HTTPConfig{Listen: addr, ReadTimeout: 5 * time.Second, Token: NewSecret("tok")}}
	stop, err := startHTTP(context.Background(), cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	get := func(token string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/suppressions", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("tok"); got != 200 {
		t.Errorf("with the token: %d, want 200", got)
	}
	if got := get("nope"); got != 401 {
		t.Errorf("with a wrong token: %d, want 401", got)
	}
	if _, err := startHTTP(context.Background(), cfg, store); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("second startHTTP on a busy port: err = %v, want one naming %s", err, addr)
	}
	if err := stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
	open := &Config{HTTP: HTTPConfig{Listen: "0.0.0.0:0", ReadTimeout: time.Second}}
	if _, err := startHTTP(context.Background(), open, store); !errors.Is(err, ErrAPIWithoutToken) {
		t.Errorf("startHTTP on 0.0.0.0 without a token: err = %v, want ErrAPIWithoutToken", err)
	}
	open.HTTP.Listen = "127.0.0.1:0"
	if stop, err := startHTTP(context.Background(), open, store); err != nil {
		t.Errorf("startHTTP on loopback without a token: %v", err)
	} else {
		stop(context.Background())
	}
	if stop, err := startHTTP(context.Background(), &Config{}, store); stop != nil || err != nil {
		t.Errorf("startHTTP without http.listen: stop set %v, err %v; want nothing", stop != nil, err)
	}
}

// TestHealthCommand runs "bouncer health" against the API started as run
// starts it: healthy while it serves, exit 1 once it is stopped.
func TestHealthCommand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	dir := t.TempDir()
	store, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(dir, "b.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stop, err := startHTTP(context.Background(), &Config{HTTP: HTTPConfig{Listen: "127.0.0.1:" + port, ReadTimeout: 5 * time.Second}}, store)
	if err != nil {
		t.Fatal(err)
	}
	// The config names the wildcard address, as a container's does.
	cfg := writeFile(t, "c.yaml", "state_dir: "+dir+"\nhttp: {listen: '0.0.0.0:"+port+"', token_file: "+writeFile(t, "tok", "a-token")+"}\n")
	if out, errOut, code := runCLI(t, "health", "--config", cfg); code != 0 || out != "healthy\n" {
		t.Errorf("health while serving: exit %d, %q %q; want 0, healthy", code, out, errOut)
	}
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, "health", "--config", cfg); code != exitUnhealthy || !strings.Contains(errOut, "/healthz") {
		t.Errorf("health after stop: exit %d, %q; want %d naming /healthz", code, errOut, exitUnhealthy)
	}
	if _, errOut, code := runCLI(t, "health", "--config", writeFile(t, "n.yaml", "state_dir: "+dir+"\n")); code != exitConfig || !strings.Contains(errOut, "http.listen is not set") {
		t.Errorf("health without http.listen: exit %d, %q", code, errOut)
	}
}

// TestHTTPBrowserGuard attacks the listener as a web page in the
// operator's browser would: a change sent from another site is refused
// (the page could otherwise add sent counts to an API without a token),
// and without an admin token a request for any host but a loopback one is
// refused (DNS rebinding: attacker.example re-pointed at 127.0.0.1). With a
// token, a proxy's Host passes and the token decides.
func TestHTTPBrowserGuard(t *testing.T) {
	addr, store := httpSetup(t)
	_, port, _ := net.SplitHostPort(addr)
	cfg := &Config{HTTP: HTTPConfig{Listen: addr, ReadTimeout: 5 * time.Second}}
	stop, err := startHTTP(context.Background(), cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(context.Background())
	do := func(method, host, path string, hdr map[string]string, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Host = host
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	sent := func(id string) string { return `{"stream": "default", "count": 1000, "id": "` + id + `"}` }
	rebind := "attacker.example:" + port
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/suppressions", ""}, {"GET", "/ui/", ""}, {"POST", "/v1/sent", sent("a")},
		{"DELETE", "/v1/allowlist/example.com", ""}, {"GET", "/metrics", ""},
	} {
		if code, body := do(c.method, rebind, c.path, nil, c.body); code != http.StatusForbidden || !strings.Contains(body, "http.token_file") {
			t.Errorf("%s %s with Host %s and no token = %d %q, want 403 naming http.token_file", c.method, c.path, rebind, code, body)
		}
	}
	for _, host := range []string{addr, "localhost:" + port, "[::1]:" + port} {
		if code, _ := do("GET", host, "/v1/suppressions", nil, ""); code != http.StatusOK {
			t.Errorf("GET /v1/suppressions with Host %s = %d, want 200", host, code)
		}
	}
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://attacker.example", "Content-Type": "text/plain"},
	} {
		if code, body := do("POST", addr, "/v1/sent", hdr, sent("b")); code != http.StatusForbidden || !strings.Contains(body, "another site") {
			t.Errorf("POST /v1/sent with %v = %d %q, want 403", hdr, code, body)
		}
	}
	// The refused count added nothing: the same id counts now, once.
	if code, body := do("POST", addr, "/v1/sent", map[string]string{"Sec-Fetch-Site": "same-origin"}, sent("b")); code != http.StatusOK || !strings.Contains(body, `"added":1`) {
		t.Errorf("POST /v1/sent same-origin = %d %q, want 200 adding 1", code, body)
	}
	if code, body := do("POST", addr, "/v1/sent", nil, sent("c")); code != http.StatusOK || !strings.Contains(body, `"added":1`) {
		t.Errorf("POST /v1/sent without browser headers (curl, an application) = %d %q, want 200 adding 1", code, body)
	}
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	cfg.HTTP.Token = NewSecret("tok")
	stop2, err := startHTTP(context.Background(), cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2(context.Background())
	auth := map[string]string{"Authorization": "Bearer tok"}
	if code, body := do("GET", "bounces.example.com", "/v1/suppressions", auth, ""); code != http.StatusOK {
		t.Errorf("with a token, GET with a proxy's Host = %d %q, want 200", code, body)
	}
	if code, _ := do("GET", "bounces.example.com", "/v1/suppressions", nil, ""); code != http.StatusUnauthorized {
		t.Errorf("with a token, GET without it = %d, want 401", code)
	}
}

// TestHTTPMessageUncleanPath: the daemon's handler (API and dashboard
// together) reads a Message-ID holding "/../", "/./" or "//" as sent, as
// docs/suppression.md says, and does not redirect to the cleaned path (the
// fate of another message). The API alone was right; the mux in front of
// it cleaned the path first.
func TestHTTPMessageUncleanPath(t *testing.T) {
	addr, store := httpSetup(t)
	cfg := &Config{HTTP: HTTPConfig{Listen: addr, ReadTimeout: 5 * time.Second, Token: NewSecret("tok")}}
	stop, err := startHTTP(context.Background(), cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(context.Background()) }) //nolint:errcheck // the test is over
	// Over a bare connection: nothing between the test and the server
	// may clean the path or follow a redirect.
	get := func(path string) string {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer tok\r\nConnection: close\r\n\r\n", path, addr)
		b, err := io.ReadAll(conn)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for path, want := range map[string]string{
		"/v1/messages/a/../b@x":     `"message_id":"<a/../b@x>"`,
		"/v1/messages/a/./b@x":      `"message_id":"<a/./b@x>"`,
		"/v1/messages/a//b@x":       `"message_id":"<a//b@x>"`,
		"/v1/messages/%3Cb@x%3E":    `"message_id":"<b@x>"`,
		"/v1/suppressions/../ready": "HTTP/1.1 307 ", // other paths are still cleaned
	} {
		if got := get(path); !strings.Contains(got, want) || want[0] == '"' && !strings.HasPrefix(got, "HTTP/1.1 200 ") {
			t.Errorf("GET %s:\n%s\nwant 200 with %s", path, got, want)
		}
	}
}
