package suppression

import (
	"strings"
	"testing"
)

// A query parameter a route does not take is refused, naming it and the
// ones the route takes: a misspelt one must not answer for everything.
func TestHTTPUnknownQueryParameters(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	c := newAPI(t, s, HandlerOptions{})
	for _, tt := range []struct{ method, path, want string }{
		{"GET", "/v1/rates?streams=bulk&day=1", `{"error":"unknown query parameters day, streams: the parameters are stream and days"}`},
		{"GET", "/v1/rates?stream=bulk&day=1", `{"error":"unknown query parameter day: the parameters are stream and days"}`},
		{"GET", "/v1/suppressions?clas=hard", `unknown query parameter clas: the parameters are q, contains, state, reason, class, domain, source, since, until, sort, desc, all, cursor and limit`},
		{"GET", "/v1/suppressions/a@example.com?verbose=1", `unknown query parameter verbose: this request takes none`},
		{"DELETE", "/v1/suppressions/a@example.com?notes=why", `unknown query parameter notes: the parameter is note`},
		{"GET", "/v1/allowlist?limit=5", `unknown query parameter limit: this request takes none`},
		{"GET", "/v1/messages/m@x?x=1", `unknown query parameter x: this request takes none`},
		{"POST", "/v1/sent?stream=news", `unknown query parameter stream: this request takes none`},
	} {
		code, body := c.do(tt.method, tt.path, `{"stream": "news", "count": 1}`, testToken)
		if code != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%s %s = %d %s, want 400 %s", tt.method, tt.path, code, body, tt.want)
		}
	}
	for _, path := range []string{"/v1/rates?stream=bulk&days=1", "/v1/suppressions?class=hard&limit=5", "/v1/messages/a/b@x"} {
		if code, body := c.do("GET", path, "", testToken); code != 200 {
			t.Errorf("GET %s = %d %s, want 200", path, code, body)
		}
	}
}
