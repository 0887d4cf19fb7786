package suppression

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// POST /v1/sent records one count or a list; a retried id adds nothing and
// is named in duplicates, an id reused for another count is a 409 naming
// what differs; bad input is a 400 that says what is wrong and records
// nothing.
func TestHTTPSent(t *testing.T) {
	dialects(t, Options{Retention: Retention{Sent: 30 * 24 * time.Hour}}, func(t *testing.T, s *Store) {
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
			{`{"id": "a1", "stream": "newsletter", "count": 4, "at": "2026-03-01T12:00:00Z"}`, 409,
				`{"error":"id \"a1\" was recorded before for stream news, count 3, hour 2026-03-01 12:00 UTC; this count has stream newsletter, count 4: an id names one count`},
			{`[{"id": "a9", "stream": "news", "count": 1}, {"id": "a2", "stream": "receipts", "count": 2, "at": "2026-03-01T12:00:00Z"}]`, 409,
				`item 1: id \"a2\" was recorded before for stream receipts, count 2, hour 2026-03-01 13:00 UTC; this count has hour 2026-03-01 12:00 UTC`},
			{`{"stream": "news", "count": 5, "at": "2026-01-30T12:59:00Z"}`, 400,
				`at 2026-01-30T12:59:00Z is older than retention.sent (30d) keeps sent counts: the hours before 2026-01-30T13:00:00Z are pruned`},
			{``, 400, "body is empty"},
			{`[]`, 400, "the list is empty"},
			{`{"stream": "news", "counts": 5}`, 400, `unknown field \"counts\"`},
			{`[{"stream": "news", "count": 5}, {"stream": "news", "counts": 5}]`, 400, `item 1: unknown field \"counts\": the fields are id, stream, count and at`},
			{`[{"stream": "news", "count": 5}, {"stream": "news", "count": "5"}]`, 400, `item 1: body field \"count\" must be a number`},
			{`[{"stream": "news", "count": 5}, 7]`, 400, `item 1: body must be a JSON object, not number`},
			{`[{"stream": "news", "count": 5}, {"stream": "news"`, 400, `body is not valid JSON`},
			{`{"stream": "news", "count": "5"}`, 400, `field \"count\" must be a number`},
			{`{"stream": "news", "count": 5, "at": "yesterday"}`, 400, `at \"yesterday\": want an RFC 3339 time`},
			{`[{"stream": "news", "count": 5}, {"stream": "News Letter", "count": -1}]`, 400, `item 1: stream \"News Letter\" must be 1 to 32 of a-z, 0-9, '-' and '_', count -1 must be 1 to`},
			{`{"stream": "news", "count": 5, "at": "2026-03-01T13:05:01Z"}`, 400, "at 2026-03-01T13:05:01Z is more than 5m in the future"},
			{`{"stream": "news", "count": 1, "at": "2026-03-01T13:05:00Z"}`, 200, `"added":1`},
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
		want := map[string]int64{"news 12": 13, "news 13": 6, "receipts 13": 2}
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

// GET /v1/rates answers the rates through today, one stream or all, and
// names a bad parameter.
func TestHTTPRates(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seedRates(t, s)
		c := newAPI(t, s, HandlerOptions{Rates: RatesQuery{MinVolume: 2000}})
		status, body := c.do("GET", "/v1/rates?days=1", "", testToken)
		var r Rates
		if err := json.Unmarshal([]byte(body), &r); status != 200 || err != nil {
			t.Fatalf("GET /v1/rates: %d %s (%v)", status, body, err)
		}
		if r.LastDay != "2026-03-01" || r.TimeZone != "UTC" || r.MinVolume != 2000 || r.Overall == nil || len(r.Streams) != 3 {
			t.Errorf("GET /v1/rates: %s", body)
		}
		for _, want := range []string{`"stream":"news","days":[{"day":"2026-03-01","sent":2007,"hard":1,`, `"bounce_rate":0.000498`, `"stream":"receipts","days":[{"day":"2026-03-01","sent":10,"hard":1,"soft":0,"block":0,"complaint":0,"bounce_rate":null,"complaint_rate":null}]`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET /v1/rates lacks %s:\n%s", want, body)
			}
		}
		if status, body := c.do("GET", "/v1/rates?stream=Receipts", "", testToken); status != 200 || !strings.Contains(body, `"streams":[{"stream":"receipts"`) || strings.Contains(body, "overall") {
			t.Errorf("GET /v1/rates?stream=Receipts: %d %s", status, body)
		}
		for q, want := range map[string]string{"days=0": `days \"0\" must be a whole number from 1 to 400`, "stream=a%20b": `stream \"a b\" must be`} {
			if status, body := c.do("GET", "/v1/rates?"+q, "", testToken); status != 400 || !strings.Contains(body, want) {
				t.Errorf("GET /v1/rates?%s: %d %s, want 400 %s", q, status, body, want)
			}
		}
	})
}

// docs/rates.md's curl examples answer what it shows, run in order at
// 14:03 on the day of their at: the second request's nl-2026-12-07, without
// at (now, 14:00), is the first's count, a duplicate, and r-81 is added.
func TestDocsSentCurl(t *testing.T) {
	doc, err := os.ReadFile("../docs/rates.md")
	if err != nil {
		t.Fatal(err)
	}
	type example struct{ body, want string }
	var examples []example
	lines := strings.Split(string(doc), "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, "$ curl ") || !strings.HasSuffix(line, "/v1/sent") || i+1 == len(lines) {
			continue
		}
		_, body, _ := strings.Cut(line, " -d '")
		body, _, _ = strings.Cut(body, "' ")
		examples = append(examples, example{body, lines[i+1]})
	}
	if len(examples) != 2 {
		t.Fatalf("docs/rates.md: %d curl examples of POST /v1/sent, want 2: %+v", len(examples), examples)
	}
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		srv := httptest.NewServer(NewHandler(s, HandlerOptions{Token: testToken,
			Now: func() time.Time { return time.Date(2026, 12, 7, 14, 3, 0, 0, time.UTC) }}))
		t.Cleanup(srv.Close)
		c := &apiClient{t: t, srv: srv}
		for _, ex := range examples {
			if status, body := c.do("POST", "/v1/sent", ex.body, testToken); status != 200 || strings.TrimSpace(body) != ex.want {
				t.Errorf("POST /v1/sent %s = %d %s, want 200 %s (docs/rates.md)", ex.body, status, body, ex.want)
			}
		}
	})
}

// A count without at is timed by its arrival: its retry an hour later (the
// same id, stream and count, no at) is a duplicate, and the new items of
// its request are added. With at, the hour is compared (TestAddSentIDReused).
func TestAddSentRetryWithoutAtLaterHour(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first := time.Date(2026, 12, 7, 14, 3, 0, 0, time.UTC)
		if _, err := s.AddSent(ctx, []Sent{{ID: "x1", Stream: "news", Count: 3}}, first); err != nil {
			t.Fatal(err)
		}
		added, err := s.AddSent(ctx, []Sent{{ID: "x1", Stream: "news", Count: 3}, {ID: "x2", Stream: "news", Count: 4}}, first.Add(time.Hour))
		if err != nil || !slices.Equal(added, []bool{false, true}) {
			t.Fatalf("retry of x1 at 15:03 with a new x2 = %v, %v; want x1 a duplicate, x2 added", added, err)
		}
		got, err := s.SentHours(ctx, first.Truncate(time.Hour), first.Add(2*time.Hour))
		if err != nil || len(got) != 2 || got[0].Count != 3 || got[1].Count != 4 {
			t.Errorf("SentHours = %+v, %v; want 3 at 14:00, 4 at 15:00", got, err)
		}
		_, err = s.AddSent(ctx, []Sent{{ID: "x1", Stream: "news", Count: 3, At: first.Add(time.Hour)}}, first.Add(time.Hour))
		if !errors.Is(err, ErrSentIDReused) || !strings.Contains(err.Error(), "this count has hour 2026-12-07 15:00 UTC") {
			t.Errorf("x1 with at 15:03 = %v, want ErrSentIDReused naming the hour", err)
		}
	})
}
