package suppression

import (
	"context"
	"strings"
	"testing"
	"time"
)

// POST /v1/sent records one count or a list; a retried id adds nothing and
// is named in duplicates; bad input is a 400 that says what is wrong and
// records nothing.
func TestHTTPSent(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		c := newAPI(t, s, HandlerOptions{})
		tests := []struct {
			body   string
			status int
			inBody string
		}{
			{`{"stream": "news", "count": 10, "at": "2026-03-01T12:10:00Z"}`, 200, `{"added":1,"duplicates":[]}`},
			{`{"stream": "news", "count": 5}`, 200, `"added":1`}, // at: now, 13:00
			{`[{"id": "a1", "stream": "news", "count": 3, "at": "2026-03-01T12:59:59+00:00"}, {"id": "a2", "stream": "receipts", "count": 2}]`, 200, `{"added":2,"duplicates":[]}`},
			{`[{"id": "a1", "stream": "news", "count": 3, "at": "2026-03-01T12:59:59Z"}]`, 200, `{"added":0,"duplicates":["a1"]}`},
			{``, 400, "body is empty"},
			{`[]`, 400, "the list is empty"},
			{`{"stream": "news", "counts": 5}`, 400, `unknown field \"counts\"`},
			{`{"stream": "news", "count": "5"}`, 400, `field \"count\" must be a number`},
			{`{"stream": "news", "count": 5, "at": "yesterday"}`, 400, `at \"yesterday\": want an RFC 3339 time`},
			{`[{"stream": "news", "count": 5}, {"stream": "News Letter", "count": -1}]`, 400, `item 1: stream \"News Letter\" must be 1 to 32 of a-z, 0-9, '-' and '_', count -1 must be 1 to`},
			{`{"stream": "news", "count": 5, "at": "2026-03-02T00:00:00Z"}`, 400, "is in the future"},
			{`{"stream": "news", "count": 5} {}`, 400, "data after its JSON value"},
		}
		for _, tt := range tests {
			status, body := c.do("POST", "/v1/sent", tt.body, testToken)
			if status != tt.status || !strings.Contains(body, tt.inBody) {
				t.Errorf("POST /v1/sent %s = %d %s, want %d containing %s", tt.body, status, body, tt.status, tt.inBody)
			}
		}
		if status, _ := c.do("POST", "/v1/sent", `{"stream": "news", "count": 1}`, "-"); status != 401 {
			t.Errorf("without the token: %d, want 401", status)
		}
		got, err := s.SentHours(context.Background(), t0, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"news 12": 13, "news 13": 5, "receipts 13": 2}
		if len(got) != len(want) {
			t.Errorf("SentHours = %+v, want %v", got, want)
		}
		for _, h := range got {
			if k := h.Stream + " " + h.Hour.Format("15"); want[k] != h.Count {
				t.Errorf("%s: %d sent, want %d", k, h.Count, want[k])
			}
		}
	})
}
