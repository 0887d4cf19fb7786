package suppression

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const fuzzToken = "fuzz-token-0123456789abcdef"

// FuzzHTTP sends arbitrary requests to the API over SQLite. It must never
// panic or answer 500; without the token no /v1 route may answer 2xx;
// every /v1 answer is JSON.
func FuzzHTTP(f *testing.F) {
	for _, seed := range []struct {
		method, path, token, body string
	}{
		{"GET", "/v1/suppressions", "good", ""},
		{"GET", "/v1/suppressions?reason=userunknown&class=hard&domain=example.com&since=2024-01-01T00:00:00Z&all=true&limit=2&cursor=abc", "good", ""},
		{"GET", "/v1/suppressions/alice@example.com", "good", ""},
		{"PUT", "/v1/suppressions/alice@example.com", "good", `{"reason":"manual","note":"n","expires_at":"2030-01-01T00:00:00Z"}`},
		{"DELETE", "/v1/suppressions/alice@example.com", "good", ""},
		{"POST", "/v1/suppressions/check", "good", `{"emails":["alice@example.com","bad",""]}`},
		{"GET", "/v1/allowlist", "good", ""},
		{"PUT", "/v1/allowlist/example.org", "good", `{"note":"partner"}`},
		{"DELETE", "/v1/allowlist/example.org", "good", ""},
		{"GET", "/healthz", "", ""},
		{"GET", "/metrics", "", ""},
		{"PUT", "/v1/suppressions/victim@example.com", "", `{"reason":"x"}`},
		{"PUT", "/v1/suppressions/victim@example.com", "Bearer x", `{"reason":"x"}`},
		{"POST", "/v1/suppressions/check", "good", `{"emails":` + strings.Repeat(`"a@b.c",`, 10) + `"x"]}`},
		{"GET", "/v1/suppressions/%22%00%22@example.com", "good", ""},
		{"GET", "/v1/../v1/suppressions", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.token, []byte(seed.body))
	}
	s := openTest(f, "sqlite", Options{})
	h := NewHandler(s, HandlerOptions{Token: fuzzToken, Now: func() time.Time { return t0 }, Timeout: 5 * time.Second})
	f.Fuzz(func(t *testing.T, method, path, token string, body []byte) {
		u, err := url.ParseRequestURI(path)
		if err != nil || u.Host != "" || !strings.HasPrefix(path, "/") {
			return
		}
		req, err := http.NewRequest(method, "http://bouncer.test"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		authorized := token == "good"
		if authorized {
			req.Header.Set("Authorization", "Bearer "+fuzzToken)
		} else if token != "" {
			req.Header.Set("Authorization", token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		code := rec.Code
		if code >= 500 && code != http.StatusServiceUnavailable {
			t.Fatalf("%s %q: %d %s", method, path, code, rec.Body.String())
		}
		if !strings.HasPrefix(req.URL.Path, "/v1") {
			return
		}
		if !authorized && strings.Contains(token, fuzzToken) {
			authorized = true // the fuzzer found the token text: not a bypass
		}
		if !authorized && code < 300 {
			t.Fatalf("%s %q without the token: %d %s", method, path, code, rec.Body.String())
		}
		if noBody := code == http.StatusNoContent || method == http.MethodHead || code/100 == 3; !noBody && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: %d with a body that is not JSON: %q", method, path, code, rec.Body.String())
		}
	})
}

// TestEveryRouteNeedsToken: with a token configured, every /v1 route
// answers 401 without it or with a wrong one, and only /healthz and
// /metrics answer without it.
func TestEveryRouteNeedsToken(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	h := NewHandler(s, HandlerOptions{Token: fuzzToken, Now: func() time.Time { return t0 }})
	routes := []struct{ method, path, body string }{
		{"GET", "/v1/suppressions", ""},
		{"GET", "/v1/suppressions/alice@example.com", ""},
		{"PUT", "/v1/suppressions/alice@example.com", `{"reason":"x"}`},
		{"DELETE", "/v1/suppressions/alice@example.com", ""},
		{"POST", "/v1/suppressions/check", `{"emails":["alice@example.com"]}`},
		{"GET", "/v1/allowlist", ""},
		{"PUT", "/v1/allowlist/example.org", `{}`},
		{"DELETE", "/v1/allowlist/example.org", ""},
		{"GET", "/v1/messages/%3Cm1@app.example%3E", ""},
	}
	for _, rt := range routes {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + fuzzToken + "x", "Basic " + fuzzToken, fuzzToken} {
			req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("%s %s with Authorization %q: %d, want 401", rt.method, rt.path, auth, rec.Code)
			}
		}
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s without a token: %d, want 200", path, rec.Code)
		}
	}
}
