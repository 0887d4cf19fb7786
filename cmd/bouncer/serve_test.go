package main

import (
	"context"
	"errors"
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
