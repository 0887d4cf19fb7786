package dashboard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

const (
	adminToken = "admin-token-0123456789"
	readToken  = "read-token-9876543210"
	// hostile is a diagnostic written by an attacker: markup, a script URL
	// and a right-to-left override.
	hostile = "550 <script>document.title='pwned'</script><a href=\"javascript:alert(1)\">click</a> \u202Egnp.exe"
)

// now is the dashboard's clock in tests: midday, 2026-03-10 UTC.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// dialects runs fn against a fresh SQLite store and a fresh Postgres store.
func dialects(t *testing.T, fn func(t *testing.T, s *suppression.Store)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			u := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
			if d == "postgres" {
				u = testenv.PostgresURL(t)
			}
			s, err := suppression.Open(context.Background(), u, suppression.Options{})
			if err != nil {
				t.Fatalf("Open(%s): %v", d, err)
			}
			t.Cleanup(func() { s.Close() })
			seed(t, s)
			fn(t, s)
		})
	}
}

func event(key, addr string, at time.Time, class dsn.Class, reason dsn.Reason, diag string) suppression.Message {
	return suppression.Message{Key: key, Mailbox: "bounces", ReceivedAt: at, Report: &dsn.Report{
		Type: dsn.TypeDSN, ReportingMTA: "mx.example.net", Recipients: []dsn.Recipient{{
			FinalRecipient: addr, Action: "failed", Status: "5.1.1", Diagnostic: diag, RemoteMTA: "mx.receiver.test",
			Class: class, Reason: reason}}}}
}

// seed records events over the last days: hard bounces (suppressed), soft,
// blocks naming Spamhaus, a complaint-free hostile address, and one
// quarantined message.
func seed(t *testing.T, s *suppression.Store) {
	t.Helper()
	var msgs []suppression.Message
	for i := range 12 {
		at := now.Add(-time.Duration(i) * 24 * time.Hour).Add(-time.Hour)
		msgs = append(msgs,
			event(fmt.Sprint("h", i), fmt.Sprintf("user%02d@example.com", i), at, dsn.ClassHard, dsn.ReasonUserUnknown, "550 5.1.1 user unknown"),
			event(fmt.Sprint("s", i), fmt.Sprintf("full%02d@example.org", i), at, dsn.ClassSoft, dsn.ReasonMailboxFull, "452 mailbox full"),
			event(fmt.Sprint("b", i), fmt.Sprintf("blocked%02d@example.net", i), at, dsn.ClassBlock, dsn.ReasonBlocked,
				"554 blocked using zen.spamhaus.org"))
	}
	msgs = append(msgs, event("evil", "victim@evil.test", now.Add(-2*time.Hour), dsn.ClassHard, dsn.ReasonUserUnknown, hostile),
		suppression.Message{Key: "junk", Mailbox: "bounces", ReceivedAt: now.Add(-3 * time.Hour), ParseError: "no report <b>here</b>",
			Subject: "Re: <script>x</script>", From: "mailer@odd.test"})
	if _, err := s.Record(context.Background(), msgs, now); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

// server serves the dashboard over s with the test tokens.
func server(t *testing.T, s *suppression.Store, opts Options) *httptest.Server {
	t.Helper()
	if opts.Token == "" && opts.ReadToken == "" {
		opts.Token, opts.ReadToken = adminToken, readToken
	}
	opts.Now = func() time.Time { return now }
	h, err := New(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, body := b.do("GET", path, nil)
	return resp.StatusCode, body
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the first CSRF token of a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// signIn signs in with token and fails the test unless it worked.
func (b *browser) signIn(token string) {
	b.t.Helper()
	_, page := b.get("/ui/login")
	resp, body := b.do("POST", "/ui/login", url.Values{"csrf": {csrfOf(b.t, page)}, "token": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		b.t.Fatalf("sign in: %d %s", resp.StatusCode, body)
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
