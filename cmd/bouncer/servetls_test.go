package main

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// With tls_cert_file and tls_key_file the listener serves the API and the
// dashboard over HTTPS, and the dashboard's cookies are Secure.
func TestStartHTTPDashboardTLS(t *testing.T) {
	certFile, keyFile, pool := testenv.SelfSignedFiles(t)
	addr, store := httpSetup(t)
	cfg := &Config{HTTP: HTTPConfig{Listen: addr, ReadTimeout: 5 * time.Second, Token: NewSecret("tok"), TLSCertFile: certFile, TLSKeyFile: keyFile}}
	stop, err := startHTTP(context.Background(), cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(context.Background()) //nolint:errcheck // the test is over
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get("https://" + addr + "/ui/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	secure := false
	for _, k := range resp.Cookies() {
		secure = secure || k.Secure
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Frame-Options") != "DENY" || !secure {
		t.Errorf("GET /ui/login over TLS = %d, X-Frame-Options %q, Secure cookie %v", resp.StatusCode, resp.Header.Get("X-Frame-Options"), secure)
	}
	resp, err = c.Get("https://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /healthz over TLS = %v, %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}
