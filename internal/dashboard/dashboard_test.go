package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Every response carries the security headers; pages need a session; a
// wrong token is refused; the session cookie is HttpOnly and SameSite=Strict,
// and Secure when the dashboard is told it is behind TLS.
func TestSignInAndHeaders(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		srv := server(t, s, Options{Secure: true})
		b := newBrowser(t, srv)
		resp, _ := b.do("GET", "/ui/", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
			t.Errorf("GET /ui/ without a session = %d to %q, want 303 to /ui/login", resp.StatusCode, resp.Header.Get("Location"))
		}
		for name, want := range map[string]string{"Content-Security-Policy": csp, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("CSP %q allows scripts", csp)
		}
		_, page := b.get("/ui/login")
		resp, _ = b.do("POST", "/ui/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {"wrong"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong token: %d, want 401", resp.StatusCode)
		}
		resp, _ = b.do("POST", "/ui/login", url.Values{"token": {adminToken}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in without the form's value: %d, want 403", resp.StatusCode)
		}
		_, page = b.get("/ui/login")
		resp, _ = b.do("POST", "/ui/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {adminToken}})
		var c *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == sessionCookie {
				c = k
			}
		}
		if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.MaxAge <= 0 {
			t.Fatalf("session cookie = %+v, want HttpOnly, Secure, SameSite=Strict, with an expiry", c)
		}
		if code, body := b.get("/ui/"); code != 200 || !strings.Contains(body, "Sign out") {
			t.Errorf("overview after sign-in = %d", code)
		}
		// A tampered cookie is no session.
		u, _ := url.Parse(srv.URL + "/ui/")
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: strings.Replace(c.Value, ".", "x.", 1), Path: "/ui/"}})
		if code, _ := b.get("/ui/"); code != http.StatusSeeOther {
			t.Errorf("tampered session: %d, want 303 to sign-in", code)
		}
	})
}

// A change needs the session's CSRF token and, for a removal, a note; it
// lands in the audit log with the note. A read-only session sees no form
// and is refused even with a valid CSRF token of its own.
func TestChangesCSRFAndReadOnly(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		srv := server(t, s, Options{})
		admin := newBrowser(t, srv)
		admin.signIn(adminToken)
		_, page := admin.get("/ui/address?email=user01@example.com")
		if !strings.Contains(page, `action="/ui/address/remove"`) {
			t.Fatalf("admin address page has no remove form:\n%s", page)
		}
		token := csrfOf(t, page)
		form := url.Values{"email": {"user01@example.com"}, "note": {"customer called, ticket 9"}}
		if resp, _ := admin.do("POST", "/ui/address/remove", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("remove without CSRF = %d, want 403", resp.StatusCode)
		}
		form.Set("csrf", "forged")
		if resp, _ := admin.do("POST", "/ui/address/remove", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("remove with a wrong CSRF = %d, want 403", resp.StatusCode)
		}
		noNote := url.Values{"email": {"user01@example.com"}, "csrf": {token}}
		if resp, _ := admin.do("POST", "/ui/address/remove", noNote); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("remove without a note = %d, want 400", resp.StatusCode)
		}
		if d, _ := s.Get(context.Background(), "user01@example.com"); !d.Entry.Suppressed {
			t.Fatal("a refused removal changed the entry")
		}
		form.Set("csrf", token)
		if resp, body := admin.do("POST", "/ui/address/remove", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove = %d %s", resp.StatusCode, body)
		}
		es, _, err := s.Audit(context.Background(), suppression.AuditFilter{Subject: "user01@example.com"})
		if err != nil || len(es) != 1 || es[0].Via != suppression.ViaUI || es[0].Note != "customer called, ticket 9" {
			t.Errorf("audit = %+v, %v", es, err)
		}
		if _, page := admin.get("/ui/audit"); !strings.Contains(page, "customer called, ticket 9") {
			t.Error("the audit page does not show the removal's note")
		}

		reader := newBrowser(t, srv)
		reader.signIn(readToken)
		_, page = reader.get("/ui/address?email=user02@example.com")
		if strings.Contains(page, "/ui/address/remove") || strings.Contains(page, "/ui/allowlist/") || !strings.Contains(page, "read-only") {
			t.Errorf("read-only address page offers actions:\n%s", page)
		}
		forged := url.Values{"email": {"user02@example.com"}, "note": {"x"}, "csrf": {csrfOf(t, page)}}
		if resp, _ := reader.do("POST", "/ui/address/remove", forged); resp.StatusCode != http.StatusForbidden {
			t.Errorf("read-only remove = %d, want 403", resp.StatusCode)
		}
		if d, _ := s.Get(context.Background(), "user02@example.com"); !d.Entry.Suppressed {
			t.Error("a read-only session removed an address")
		}
	})
}

// Diagnostics, subjects and errors written by strangers render as text.
func TestHostileTextIsInert(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(adminToken)
		for _, path := range []string{"/ui/address?email=victim@evil.test", "/ui/unprocessed", "/ui/suppressions?q=victim"} {
			code, page := b.get(path)
			if code != 200 {
				t.Fatalf("%s = %d", path, code)
			}
			for _, bad := range []string{"<script", `href="javascript:`, "\u202E", "<b>"} {
				if strings.Contains(page, bad) {
					t.Errorf("%s contains %q raw", path, bad)
				}
			}
		}
		_, page := b.get("/ui/address?email=victim@evil.test")
		if !strings.Contains(page, "&lt;script&gt;") || !strings.Contains(page, "202E⟩gnp.exe") {
			t.Errorf("address page does not show the diagnostic as text:\n%s", page)
		}
	})
}

// The overview draws one bar group per day of the chosen range.
func TestOverviewDays(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(adminToken)
		for _, days := range []int{7, 30, 90, 365} {
			code, page := b.get("/ui/?days=" + itoa(days))
			if got := strings.Count(page, `<g class="day"`); code != 200 || got != 2*days {
				t.Errorf("days=%d: %d, %d day groups, want %d (two charts)", days, code, got, 2*days)
			}
		}
		_, page := b.get("/ui/?days=7")
		for _, want := range []string{"2026-03-10: 2 hard, 1 soft, 1 block", "Spamhaus", "mx.receiver.test", "userunknown"} {
			if !strings.Contains(page, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
	})
}

// The CSV export streams the filtered list.
func TestExportCSV(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(adminToken)
		code, body := b.get("/ui/suppressions.csv?q=user0&state=suppressed")
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if code != 200 || len(lines) != 11 || !strings.HasPrefix(lines[1], "user00@example.com,") {
			t.Errorf("export = %d, %d lines:\n%s", code, len(lines), body)
		}
	})
}
