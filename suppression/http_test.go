package suppression

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testToken = "s3cret-token"

type apiClient struct {
	t   *testing.T
	srv *httptest.Server
}

func newAPI(t *testing.T, s *Store, opts HandlerOptions) *apiClient {
	opts.Token = testToken
	opts.Now = func() time.Time { return t0.Add(time.Hour) }
	srv := httptest.NewServer(NewHandler(s, opts))
	t.Cleanup(srv.Close)
	return &apiClient{t: t, srv: srv}
}

// do sends a request with the token (unless token is "-") and returns the
// status and the body.
func (c *apiClient) do(method, path, body, token string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "-" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusNoContent && path != "/metrics" && ct != "application/json" {
		c.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return resp.StatusCode, string(b)
}

func TestHTTPAuthAndErrors(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		c := newAPI(t, s, HandlerOptions{MaxBodyBytes: 64 << 10})
		big := `{"emails": [` + strings.Repeat(`"a@example.com",`, MaxCheck) + `"a@example.com"]}`
		tests := []struct {
			method, path, body, token string
			status                    int
			inBody                    string
		}{
			{"GET", "/v1/suppressions", "", "-", 401, "bearer token"},
			{"GET", "/v1/suppressions", "", "wrong", 401, "bearer token"},
			{"GET", "/healthz", "", "-", 200, `"ok"`},
			{"GET", "/v1/suppressions/nobody@example.com", "", testToken, 404, "not found"},
			{"GET", "/v1/suppressions/not-an-address", "", testToken, 400, `invalid address \"not-an-address\"`},
			{"GET", "/v1/suppressions?limit=0", "", testToken, 400, "limit"},
			{"GET", "/v1/suppressions?since=yesterday", "", testToken, 400, "since"},
			{"GET", "/v1/suppressions?cursor=@@", "", testToken, 400, "cursor"},
			{"POST", "/v1/suppressions/check", `{"emails": [`, testToken, 400, "JSON"},
			// a misspelt or missing key is refused, never answered with no results
			{"POST", "/v1/suppressions/check", `{"email": "x@y.test"}`, testToken, 400, `unknown field \"email\": the body takes \"emails\"`},
			{"POST", "/v1/suppressions/check", `{"addresses": ["x@y.test"]}`, testToken, 400, `unknown field \"addresses\"`},
			{"POST", "/v1/suppressions/check", `{}`, testToken, 400, `emails is required`},
			{"POST", "/v1/suppressions/check", ``, testToken, 400, `emails is required`},
			{"POST", "/v1/suppressions/check", `{"emails": null}`, testToken, 400, `emails is required`},
			{"POST", "/v1/suppressions/check", `{"emails": []}`, testToken, 200, `{"results":[]}`},
			{"PUT", "/v1/suppressions/x@y.test", `{"reasn": "x"}`, testToken, 400, `unknown field \"reasn\": the body takes \"reason\", \"note\" and \"expires_at\"`},
			{"PUT", "/v1/allowlist/y.test", `{"notes": "x"}`, testToken, 400, `unknown field \"notes\": the body takes \"note\"`},
			{"POST", "/v1/suppressions/check", `{"emails": ["ok@x.test", "bad"]}`, testToken, 200, `"email":"bad","address":"","suppressed":false,"state":"invalid","reason":"","error":"invalid address"`},
			{"POST", "/v1/suppressions/check", big, testToken, 413, "at most 1000"},
			{"POST", "/v1/suppressions/check", `{"emails": ["` + strings.Repeat("x", 70<<10) + `"]}`, testToken, 413, "too large"},
			{"DELETE", "/v1/suppressions/nobody@example.com", "", testToken, 404, "not found"},
			{"GET", "/v1/nothing", "", testToken, 404, `"error"`},
			{"PATCH", "/v1/suppressions", "", testToken, 405, "method not allowed"},
			// garbage cursors (invalid UTF-8, NUL) are the client's error, not the database's
			{"GET", "/v1/suppressions?cursor=_w", "", testToken, 400, "cursor is not one this API issued"},
			{"GET", "/v1/suppressions?cursor=YQA", "", testToken, 400, "cursor is not one this API issued"},
			{"GET", "/v1/suppressions?class=bogus", "", testToken, 400, `class \"bogus\": want hard, soft, block or complaint`},
			// one sentence about the body, no Go type names, no repeated prefixes
			{"POST", "/v1/suppressions/check", `{"emails": "a@x.test"}`, testToken, 400, `{"error":"body field \"emails\" must be a list"}`},
			{"POST", "/v1/suppressions/check", `["a@x.test"]`, testToken, 400, `{"error":"body must be a JSON object, not array"}`},
			{"POST", "/v1/suppressions/check", `{"emails": []} {"emails": []}`, testToken, 400, "data after its JSON object"},
			{"POST", "/v1/suppressions/check", `{"emails": []}x`, testToken, 400, "data after its JSON object"},
			{"PUT", "/v1/suppressions/a@x.test", `{"expires_at": "30d"}`, testToken, 400, `{"error":"expires_at \"30d\": want an RFC 3339 time such as 2030-01-31T00:00:00Z"}`},
			{"DELETE", "/v1/suppressions/nobody@example.com", "", testToken, 404, `{"error":"nobody@example.com: not found"}`},
			{"DELETE", "/v1/allowlist/nobody.test", "", testToken, 404, `{"error":"nobody.test is not on the allowlist"}`},
			{"POST", "/v1/suppressions/check", `{"emails": ["` + strings.Repeat("x", 70<<10) + `"]}`, testToken, 413, `{"error":"body too large: at most 65536 bytes"}`},
			// the client's terms: no package prefix, the parameter it sent
			{"GET", "/v1/messages/%3C%3E", "", testToken, 400, `{"error":"invalid message id \"<>\": want the Message-ID the message was sent with, such as <id@example.com>"}`},
			{"GET", "/v1/suppressions?until=soon", "", testToken, 400, `{"error":"until \"soon\": want an RFC 3339 time, a date (2006-01-02) or an age (72h, 7d)"}`},
			{"GET", "/v1/suppressions?since=soon", "", testToken, 400, `{"error":"since \"soon\": want`},
			{"POST", "/v1/sent", `{"stream": "a", "count": 0}`, testToken, 400, `"error":"`},
		}
		for _, tt := range tests {
			status, body := c.do(tt.method, tt.path, tt.body, tt.token)
			if status != tt.status || !strings.Contains(body, tt.inBody) {
				t.Errorf("%s %s = %d %s; want %d containing %q", tt.method, tt.path, status, trunc(body), tt.status, tt.inBody)
			}
			if status >= 400 && strings.Contains(body, "suppression:") {
				t.Errorf("%s %s = %d %s: the error names the package, not what is wrong", tt.method, tt.path, status, trunc(body))
			}
		}
	})
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func TestHTTPRoutes(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seed(t, s)
		c := newAPI(t, s, HandlerOptions{})
		status, body := c.do("GET", "/v1/suppressions?limit=1", "", testToken)
		var page struct {
			Suppressions []Entry `json:"suppressions"`
			Next         string  `json:"next_cursor"`
		}
		if err := json.Unmarshal([]byte(body), &page); status != 200 || err != nil || len(page.Suppressions) != 1 || page.Suppressions[0].Email != "a@x.test" || page.Next == "" {
			t.Fatalf("list = %d %s", status, body)
		}
		status, body = c.do("GET", "/v1/suppressions?cursor="+page.Next, "", testToken)
		if status != 200 || !strings.Contains(body, `"email":"c@y.test"`) || strings.Contains(body, "a@x.test") {
			t.Errorf("second page = %d %s", status, body)
		}
		status, body = c.do("GET", "/v1/suppressions/A@x.test", "", testToken)
		if status != 200 || !strings.Contains(body, `"suppressed":true`) || !strings.Contains(body, `"events":[{`) || !strings.Contains(body, `"hard_count":1`) {
			t.Errorf("get = %d %s", status, body)
		}
		status, body = c.do("PUT", "/v1/suppressions/new@z.test", `{"reason": "customer asked", "note": "ticket 7"}`, testToken)
		if status != 200 || !strings.Contains(body, `"source":"manual"`) || !strings.Contains(body, `"suppressed_reason":"customer asked"`) {
			t.Errorf("put = %d %s", status, body)
		}
		status, body = c.do("POST", "/v1/suppressions/check", `{"emails": ["new@z.test", "s@x.test"]}`, testToken)
		want := `{"results":[{"email":"new@z.test","address":"new@z.test","suppressed":true,"state":"suppressed","reason":"customer asked","source":"manual"},` +
			`{"email":"s@x.test","address":"s@x.test","suppressed":false,"state":"deliverable","reason":""}]}` + "\n"
		if status != 200 || body != want {
			t.Errorf("check = %d %s\nwant %s", status, body, want)
		}
		if status, body = c.do("DELETE", "/v1/suppressions/new@z.test", "", testToken); status != 204 {
			t.Errorf("delete = %d %s", status, body)
		}
		if status, body = c.do("PUT", "/v1/allowlist/Partner.test", `{"note": "x"}`, testToken); status != 200 || !strings.Contains(body, "partner.test") {
			t.Errorf("allow put = %d %s", status, body)
		}
		if status, body = c.do("PUT", "/v1/suppressions/a@partner.test", "", testToken); status != 409 {
			t.Errorf("put allowlisted = %d %s, want 409", status, body)
		}
		if status, body = c.do("GET", "/v1/allowlist", "", testToken); status != 200 || !strings.Contains(body, `"entry":"partner.test"`) {
			t.Errorf("allow list = %d %s", status, body)
		}
		if status, _ = c.do("DELETE", "/v1/allowlist/partner.test", "", testToken); status != 204 {
			t.Errorf("allow delete = %d", status)
		}
	})
}

func TestHTTPMetrics(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		c := newAPI(t, s, HandlerOptions{})
		before := c.scrape("")
		seed(t, s)
		if status, _ := c.do("GET", "/v1/suppressions/nobody@x.test", "", testToken); status != 404 {
			t.Fatalf("get unknown = %d, want 404", status)
		}
		c.do("GET", "/no/such/route/a@x.test", "", testToken)
		if status, _ := c.do("PUT", "/v1/suppressions/m@z.test", `{"reason": "asked"}`, testToken); status != 200 {
			t.Fatalf("put = %d", status)
		}
		for _, addr := range []string{"m@z.test", "a@x.test", "s@x.test"} { // s@x.test was not suppressed
			if status, _ := c.do("DELETE", "/v1/suppressions/"+addr, "", testToken); status != 204 {
				t.Fatalf("delete %s = %d", addr, status)
			}
		}
		after := c.scrape("")
		for series, want := range map[string]float64{
			`bouncer_http_request_duration_seconds_count{code="404",method="get",route="GET /v1/suppressions/{email}"}`: 1,
			`bouncer_http_request_duration_seconds_count{code="404",method="get",route="unmatched"}`:                    1,
		} {
			if got := after[series] - before[series]; got != want {
				t.Errorf("%s rose by %g, want %g", series, got, want)
			}
		}
		for _, series := range []string{"go_goroutines", "process_resident_memory_bytes", "process_open_fds"} {
			if _, ok := after[series]; !ok {
				t.Errorf("/metrics lacks %s", series)
			}
		}
	})
}

// A scrape reads memory only: it answers with the last refreshed values
// when the database is gone, and the metrics token guards it.
func TestHTTPMetricsWithoutDatabase(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	c := newAPI(t, s, HandlerOptions{MetricsToken: "scrape-secret"})
	seed(t, s)
	s.Close()
	if status, _ := c.do("GET", "/metrics", "", "-"); status != 401 {
		t.Errorf("/metrics without the metrics token = %d, want 401", status)
	}
	if status, _ := c.do("GET", "/metrics", "", testToken); status != 401 {
		t.Errorf("/metrics with the API token = %d, want 401", status)
	}
	if _, ok := c.scrape("scrape-secret")["go_goroutines"]; !ok {
		t.Errorf("/metrics with the database closed lacks go_goroutines")
	}
}

// scrape GETs /metrics with token ("" for none) and returns each sample's
// value by its series text (name and labels as exposed).
func (c *apiClient) scrape(token string) map[string]float64 {
	c.t.Helper()
	if token == "" {
		token = "-"
	}
	status, body := c.do("GET", "/metrics", "", token)
	if status != 200 {
		c.t.Fatalf("/metrics = %d %s", status, body)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		i := strings.LastIndexByte(line, ' ')
		if line == "" || line[0] == '#' || i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			c.t.Fatalf("/metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func TestHTTPWithoutToken(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	srv := httptest.NewServer(NewHandler(s, HandlerOptions{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1/suppressions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET without a configured token = %d, want 200 (authentication off)", resp.StatusCode)
	}
}

// The read-only token reads and checks, and every change it asks for is
// refused with 403, changing nothing.
func TestHTTPReadToken(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seed(t, s)
		c := newAPI(t, s, HandlerOptions{ReadToken: "read-only"})
		for _, tt := range []struct {
			method, path, body string
			status             int
		}{
			{"GET", "/v1/suppressions", "", 200},
			{"GET", "/v1/suppressions/a@x.test", "", 200},
			{"POST", "/v1/suppressions/check", `{"emails": ["a@x.test"]}`, 200},
			{"GET", "/v1/allowlist", "", 200},
			{"DELETE", "/v1/suppressions/a@x.test", "", 403},
			{"PUT", "/v1/suppressions/n@x.test", "", 403},
			{"PUT", "/v1/allowlist/x.test", "", 403},
		} {
			code, body := c.do(tt.method, tt.path, tt.body, "read-only")
			if code != tt.status {
				t.Errorf("%s %s with the read token = %d %s, want %d", tt.method, tt.path, code, body, tt.status)
			}
			if want := tt.method + " " + tt.path + " needs the admin token"; code == 403 && !strings.Contains(body, want) {
				t.Errorf("%s %s with the read token: %s, want it to say %q", tt.method, tt.path, body, want)
			}
		}
		if e := mustEntry(t, s, "a@x.test"); !e.Suppressed {
			t.Error("the read-only token removed a@x.test")
		}
	})
}
