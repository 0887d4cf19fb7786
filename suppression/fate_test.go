package suppression

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// about is a report received at at about the sent message msgID.
func about(m Message, msgID string) Message {
	m.Report.Original.MessageID = msgID
	return m
}

// delayRcpt is a delay notice's record, as dsn classifies it.
func delayRcpt(addr string) dsn.Recipient {
	return dsn.Recipient{FinalRecipient: addr, Action: "delayed", Status: "4.4.7", Diagnostic: "still trying", Class: dsn.ClassIgnore, Reason: dsn.ReasonExpired}
}

// A message's fate is the most decisive report of each recipient: a
// complaint over a failure over a delay; informational reports decide
// nothing but date the first report; an unknown id has no report.
func TestMessageStatus(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		later := t0.Add(2 * time.Hour)
		mustRecord(t, s, later,
			about(bounce("d1", t0, delayRcpt("a@example.com")), "<m1@app.example>"),
			about(hard("h1", "a@example.com", t0.Add(time.Hour)), "<m1@app.example>"),
			about(bounce("d2", t0.Add(30*time.Minute), delayRcpt("b@example.com")), "<m1@app.example>"),
			about(bounce("d3", t0, delayRcpt("c@example.com")), "<m2@app.example>"),
			about(bounce("v1", t0.Add(time.Minute), dsn.Recipient{FinalRecipient: "d@example.com", Action: "autoreply", Class: dsn.ClassIgnore, Reason: dsn.ReasonVacation}), "<m3@app.example>"),
			about(bounce("c1", t0.Add(time.Minute), rcpt("e@example.com", dsn.ClassComplaint, dsn.ReasonFeedback)), "m4@app.example"),
			about(bounce("ok1", t0.Add(time.Minute), dsn.Recipient{FinalRecipient: "f@example.com", Action: "delivered", Status: "2.0.0", Class: dsn.ClassIgnore, Reason: dsn.ReasonDelivered}), "<m5@app.example>"),
			about(bounce("ok2", t0.Add(time.Minute), dsn.Recipient{FinalRecipient: "g@example.com", Action: "relayed", Status: "2.0.0", Class: dsn.ClassIgnore, Reason: dsn.ReasonDelivered}), "<m6@app.example>"),
			about(bounce("d4", t0, delayRcpt("g@example.com")), "<m6@app.example>"),
			about(bounce("d5", t0, delayRcpt("h@example.com")), "<m6@app.example>"),
		)
		cases := []struct {
			id, state string
			rcpts     map[string]string
			first     *time.Time
		}{
			{"<m1@app.example>", FateFailed, map[string]string{"a@example.com": FateFailed, "b@example.com": FateDelayed}, &t0},
			{"m1@app.example", FateFailed, map[string]string{"a@example.com": FateFailed, "b@example.com": FateDelayed}, &t0},
			{" <m2@app.example> ", FateDelayed, map[string]string{"c@example.com": FateDelayed}, &t0},
			{"m3@app.example", FateNoReport, map[string]string{"d@example.com": FateNoReport}, ptr(t0.Add(time.Minute))},
			{"<m4@app.example>", FateComplained, map[string]string{"e@example.com": FateComplained}, ptr(t0.Add(time.Minute))},
			{"<never@app.example>", FateNoReport, map[string]string{}, nil},
			// A delivery report: the message has no failure, its recipient was delivered.
			{"<m5@app.example>", FateNoReport, map[string]string{"f@example.com": FateDelivered}, ptr(t0.Add(time.Minute))},
			// Delivered after a delay for one recipient, still delayed for the other.
			{"<m6@app.example>", FateDelayed, map[string]string{"g@example.com": FateDelivered, "h@example.com": FateDelayed}, &t0},
			// Message-IDs are matched with their case (RFC 5322 msg-id).
			{"<M1@app.example>", FateNoReport, map[string]string{}, nil},
		}
		for _, c := range cases {
			f, err := s.MessageStatus(ctx, c.id)
			if err != nil {
				t.Fatalf("MessageStatus(%q): %v", c.id, err)
			}
			got := map[string]string{}
			for _, r := range f.Recipients {
				got[r.Recipient] = r.State
			}
			if f.State != c.state || len(got) != len(c.rcpts) {
				t.Errorf("MessageStatus(%q) = %s %v, want %s %v", c.id, f.State, got, c.state, c.rcpts)
			}
			for r, st := range c.rcpts {
				if got[r] != st {
					t.Errorf("MessageStatus(%q): %s is %q, want %q", c.id, r, got[r], st)
				}
			}
			if (f.FirstReportAt == nil) != (c.first == nil) || c.first != nil && !f.FirstReportAt.Equal(*c.first) {
				t.Errorf("MessageStatus(%q).FirstReportAt = %v, want %v", c.id, f.FirstReportAt, c.first)
			}
		}
		f, _ := s.MessageStatus(ctx, "m1@app.example")
		if a := f.Recipients[0]; a.Class != dsn.ClassHard || a.Reason != dsn.ReasonUserUnknown || a.Status != "5.1.1" ||
			a.Diagnostic != "550 no such user" || !a.At.Equal(t0.Add(time.Hour)) || f.MessageID != "<m1@app.example>" {
			t.Errorf("failed recipient = %+v (id %s), want hard userunknown 5.1.1 at %v", a, f.MessageID, t0.Add(time.Hour))
		}
		for _, bad := range []string{"", "<>", "  ", "a<b"} {
			if _, err := s.MessageStatus(ctx, bad); !errors.Is(err, ErrBadMessageID) {
				t.Errorf("MessageStatus(%q) = %v, want ErrBadMessageID", bad, err)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Once events were pruned, a message's fate says before when reports may
// be gone; before any prune it says none are.
func TestMessageStatusPrunedBefore(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, about(hard("h1", "a@example.com", t0), "<m1@app.example>"))
		if f, err := s.MessageStatus(ctx, "m1@app.example"); err != nil || f.ReportsPrunedBefore != nil {
			t.Errorf("before a prune: %+v, %v; want ReportsPrunedBefore nil", f.ReportsPrunedBefore, err)
		}
		now := t0.AddDate(0, 0, 500)
		r := Retention{Events: 400 * 24 * time.Hour}
		if _, err := s.Prune(ctx, r, now, false); err != nil {
			t.Fatal(err)
		}
		f, err := s.MessageStatus(ctx, "m1@app.example")
		if err != nil || f.State != FateNoReport || f.ReportsPrunedBefore == nil || !f.ReportsPrunedBefore.Equal(now.Add(-r.Events)) {
			t.Errorf("after a prune: %s, pruned before %v, %v; want no_report, %v", f.State, f.ReportsPrunedBefore, err, now.Add(-r.Events))
		}
	})
}

// GET /v1/messages/{id} takes the id URL-encoded, brackets and slashes
// included, and answers 400 for an empty one.
func TestHTTPMessageStatus(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	mustRecord(t, s, t0, about(hard("h1", "a@example.com", t0), "<a/b+c@app.example>"))
	c := newAPI(t, s, HandlerOptions{})
	code, body := c.do("GET", "/v1/messages/"+url.PathEscape("<a/b+c@app.example>"), "", testToken)
	if code != 200 || !strings.Contains(body, `"state":"failed"`) || !strings.Contains(body, `"recipient":"a@example.com"`) ||
		!strings.Contains(body, `"message_id":"<a/b+c@app.example>"`) {
		t.Errorf("GET message: %d %s, want 200 failed for a@example.com, the id's brackets as they are", code, body)
	}
	code, body = c.do("GET", "/v1/messages/"+url.PathEscape("nothing@app.example"), "", testToken)
	if code != 200 || !strings.Contains(body, `"state":"no_report"`) || !strings.Contains(body, `"first_report_at":null`) {
		t.Errorf("GET unknown message: %d %s, want 200 no_report", code, body)
	}
	if code, body = c.do("GET", "/v1/messages/%3C%3E", "", testToken); code != 400 {
		t.Errorf("GET empty id: %d %s, want 400", code, body)
	}
	// The id's '/' as it is (Python's urllib.parse.quote leaves it): the
	// rest of the path is the id.
	for _, path := range []string{"/v1/messages/%3Ca/b+c@app.example%3E", "/v1/messages/a/b+c@app.example", "/v1/messages/<a/b+c@app.example>"} {
		code, body = c.do("GET", path, "", testToken)
		if code != 200 || !strings.Contains(body, `"state":"failed"`) {
			t.Errorf("GET %s: %d %s, want 200 failed", path, code, body)
		}
	}
	for path, want := range map[string]string{
		"/v1/messages/a%0Ab@app.example":      `{"error":"invalid message id \"a\\nb@app.example\": it holds a control character (U+000A); want the Message-ID the message was sent with, such as <id@example.com>"}`,
		"/v1/messages/%3Ca%00b@x%3E":          `(U+0000)`,
		"/v1/messages/":                       `invalid message id \"\"`,
		"/v1/messages/%3Cm%40x%3E%3Cn%40x%3E": `invalid message id`,
	} {
		if code, body := c.do("GET", path, "", testToken); code != 400 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %s, want 400 with %s", path, code, body, want)
		}
	}
}

// TestHTTPMessageStatusUncleanPath: an id holding "//", "/./" or "/../"
// left unencoded is read as sent, over a real HTTP server: never cleaned
// and redirected to another message's fate (b@x's, for a/../b@x). HEAD
// answers too; another method is a 405.
func TestHTTPMessageStatusUncleanPath(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	mustRecord(t, s, t0,
		about(hard("h1", "dot@example.com", t0), "<a/../b@x>"),
		about(hard("h2", "same@example.com", t0), "<a/./b@x>"),
		about(hard("h3", "double@example.com", t0), "<a//b@x>"),
		about(hard("h4", "lead@example.com", t0), "<//b@x>"),
		about(hard("h5", "other@example.com", t0), "<b@x>"))
	c := newAPI(t, s, HandlerOptions{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/v1/messages/a/../b@x":       "dot@example.com",
		"/v1/messages/<a/../b@x>":     "dot@example.com",
		"/v1/messages/a%2F..%2Fb@x":   "dot@example.com",
		"/v1/messages/a/./b@x":        "same@example.com",
		"/v1/messages/a//b@x":         "double@example.com",
		"/v1/messages///b@x":          "lead@example.com",
		"/v1/messages/b@x":            "other@example.com",
		"/v1/messages/a/../b@x?x=1":   "",
		"/v1/messages/%3Ca/../b@x%3E": "dot@example.com",
	} {
		req, err := http.NewRequest("GET", c.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want == "" {
			if resp.StatusCode != 400 || !strings.Contains(string(b), "unknown query parameter x") {
				t.Errorf("GET %s: %d %s, want 400 naming the unknown parameter", path, resp.StatusCode, b)
			}
			continue
		}
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"recipient":"`+want+`"`) {
			t.Errorf("GET %s: %d (Location %q) %s, want 200 with %s's fate", path, resp.StatusCode, resp.Header.Get("Location"), b, want)
		}
	}
	if code, _ := c.do("HEAD", "/v1/messages/a/../b@x", "", testToken); code != 200 {
		t.Errorf("HEAD a/../b@x: %d, want 200", code)
	}
	if code, body := c.do("GET", "/v1/messages/a/../b@x", "", "-"); code != 401 {
		t.Errorf("GET a/../b@x without a token: %d %s, want 401", code, body)
	}
	if code, body := c.do("DELETE", "/v1/messages/a/../b@x", "", testToken); code != 405 || !strings.Contains(body, "method not allowed") {
		t.Errorf("DELETE a/../b@x: %d %s, want 405", code, body)
	}
}

// The lookup of a message reads the index on original_message_id, never
// the whole table (EXPLAIN, with enough events that a scan would show;
// on Postgres in each partition that holds events).
func TestMessageStatusUsesIndex(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		var msgs []Message
		for i := range 3000 {
			msgs = append(msgs, about(hard(fmt.Sprintf("k%d", i), fmt.Sprintf("a%d@example.com", i), t0), fmt.Sprintf("<m%d@app.example>", i)))
		}
		mustRecord(t, s, t0, msgs...)
		ctx := context.Background()
		if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
		args := []any{"<m7@app.example>", "m7@app.example", maxFateEvents}
		if s.dialect == "sqlite" {
			rows, err := s.rdb.QueryContext(ctx, `EXPLAIN QUERY PLAN `+fateSQL, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			text := ""
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				text += detail + "\n"
			}
			if !strings.Contains(text, "USING INDEX bounce_events_original_message_id_idx") {
				t.Errorf("the message lookup does not probe the index:\n%s", text)
			}
			return
		}
		var plan []string
		if err := s.rdb.SelectContext(ctx, &plan, `EXPLAIN `+fatePGSQL, args...); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		var full []string // partitions holding events (the empty months ahead may be scanned: nothing to read)
		if err := s.rdb.SelectContext(ctx, &full, `SELECT DISTINCT tableoid::regclass::text FROM bounce_events`); err != nil {
			t.Fatal(err)
		}
		for _, p := range full {
			if !strings.Contains(text, "Index Scan on "+p+"_original_message_id_idx") || strings.Contains(text, "Seq Scan on "+p+" ") {
				t.Errorf("the message lookup does not probe the index of %s:\n%s", p, text)
			}
		}
	})
}
