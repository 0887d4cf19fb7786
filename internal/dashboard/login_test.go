package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

// A page asked for without a session sends the browser to the sign-in
// page, which returns to that page once signed in, also after a wrong
// token; a next= that leaves the dashboard lands on the overview.
func TestSignInReturnsToPage(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		srv := server(t, s, Options{})
		b := newBrowser(t, srv)
		const want = "/ui/address?email=user01%40example.com"
		resp, _ := b.do("GET", want, nil)
		login := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || login != "/ui/login?next="+url.QueryEscape(want) {
			t.Fatalf("GET %s without a session = %d to %q, want 303 to the sign-in page naming it", want, resp.StatusCode, login)
		}
		_, page := b.get(login)
		resp, page = b.do("POST", "/ui/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {"wrong"}, "next": {nextOf(t, page)}})
		if resp.StatusCode != http.StatusUnauthorized || nextOf(t, page) != want {
			t.Fatalf("wrong token: %d, next %q; want 401 keeping next %q", resp.StatusCode, nextOf(t, page), want)
		}
		resp, _ = b.do("POST", "/ui/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {readToken}, "next": {nextOf(t, page)}})
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Fatalf("sign-in = %d to %q, want 303 to %q", resp.StatusCode, got, want)
		}
		if code, page := b.get(want); code != 200 || !strings.Contains(page, "user01@example.com") {
			t.Errorf("GET %s after sign-in = %d", want, code)
		}
		// Signed in, the sign-in page goes straight on to next.
		resp, _ = b.do("GET", login, nil)
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("GET %s signed in goes to %q, want %q", login, got, want)
		}
		for _, evil := range []string{"//evil.test/ui/", "https://evil.test/ui/", "/\\evil.test/ui/", "/ui/\\..\\..\\evil.test",
			"/ui/../v1/suppressions", "javascript:alert(1)", "/ui/%0d%0aSet-Cookie:%20x=1", "/ui/login?next=//evil.test", "ui/", ""} {
			resp, _ := b.do("GET", "/ui/login?next="+url.QueryEscape(evil), nil)
			if got := resp.Header.Get("Location"); got != "/ui/" {
				t.Errorf("next=%q sends a signed-in browser to %q, want /ui/", evil, got)
			}
		}
	})
}

func TestSafeNext(t *testing.T) {
	for v, want := range map[string]string{
		"/ui/":                           "/ui/",
		"/ui/rates?days=30":              "/ui/rates?days=30",
		"/ui/address?email=a%40b.test":   "/ui/address?email=a%40b.test",
		"/ui/suppressions?q=a&state=any": "/ui/suppressions?q=a&state=any",
		"/ui/static/style.css":           "/ui/static/style.css",
		"//evil.test":                    "/ui/",
		"///evil.test":                   "/ui/",
		"https://evil.test/ui/":          "/ui/",
		"/ui/\\evil":                     "/ui/",
		"/ui/%5c%5cevil":                 "/ui/",
		"/ui/\r\nLocation: x":            "/ui/",
		"/ui/%0aX":                       "/ui/",
		"/ui/..":                         "/ui/",
		"/ui/../../etc":                  "/ui/",
		"/ui/login":                      "/ui/",
		"/ui/#frag":                      "/ui/",
		"/v1/suppressions":               "/ui/",
		"":                               "/ui/",
	} {
		if got := safeNext(v); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", v, got, want)
		}
	}
}

// A refused change says what is wrong in the dashboard user's terms, not
// with the store's package prefix.
func TestRefusalsInUsersTerms(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		srv := server(t, s, Options{})
		b := newBrowser(t, srv)
		b.signIn(adminToken)
		_, page := b.get("/ui/address?email=user01@example.com")
		form := url.Values{"entry": {"nobody.test"}, "email": {"user01@example.com"}, "csrf": {csrfOf(t, page)}}
		resp, body := b.do("POST", "/ui/allowlist/remove", form)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "nobody.test is not on the allowlist") || strings.Contains(body, "suppression:") {
			t.Errorf("unallow of a missing entry = %d, want 404 saying it is not on the allowlist without a package prefix:\n%s", resp.StatusCode, body)
		}
		resp, body = b.do("POST", "/ui/address/remove", url.Values{"email": {"user01@example.com"}, "csrf": {csrfOf(t, page)}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, ">removing an address needs a note saying why<") {
			t.Errorf("remove without a note = %d:\n%s", resp.StatusCode, body)
		}
	})
}

// nextOf returns the sign-in form's next field.
func nextOf(t *testing.T, page string) string {
	t.Helper()
	const field = `name="next" value="`
	_, rest, ok := strings.Cut(page, field)
	if !ok {
		t.Fatalf("no next field in page:\n%s", page)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`).Replace(v)
}
