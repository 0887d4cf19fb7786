package dashboard

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// loginData is what the sign-in page shows: an error, if any, and the page
// to go on to once signed in.
type loginData struct {
	Error string
	Next  string
}

// loginForm shows the sign-in form, with a fresh value in a cookie and in
// the form (a sign-in from another site cannot know it). ?next= names the
// dashboard page to go on to (safeNext).
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := h.sessionOf(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if h.open() {
		h.newSession(w, r, roleAdmin)
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, loginData{Next: next})
}

func (h *handler) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	v := randomID()
	h.setCookie(w, r, loginCookie, v, h.opts.Now().Add(time.Hour))
	h.render(w, r, nil, "login", status, page{Title: "Sign in", CSRF: v, Data: d})
}

// login exchanges a token for a session cookie and goes on to the page
// the form names (safeNext), else the overview.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(loginCookie)
	form := r.PostFormValue("csrf")
	next := safeNext(r.PostFormValue("next"))
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		h.showLogin(w, r, http.StatusForbidden, loginData{Error: "The sign-in form expired; please try again.", Next: next})
		return
	}
	role := h.roleOf(strings.TrimSpace(r.PostFormValue("token")))
	if role == "" {
		h.opts.Logger.WarnContext(r.Context(), "dashboard sign-in refused", "remote", r.RemoteAddr)
		h.showLogin(w, r, http.StatusUnauthorized, loginData{Error: "That token is not valid.", Next: next})
		return
	}
	h.setCookie(w, r, loginCookie, "", time.Unix(1, 0))
	h.newSession(w, r, role)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// loginURL is the sign-in page for a request made without a session: it
// returns to the page requested once signed in.
func loginURL(r *http.Request) string {
	next := r.URL.RequestURI()
	if safeNext(next) != next || next == "/ui/" {
		return "/ui/login"
	}
	return "/ui/login?next=" + url.QueryEscape(next)
}

// safeNext returns v when it is a page of the dashboard on this site — a
// path under /ui/ with an optional query, no scheme, no host, no
// backslash, no control character, nothing that leaves /ui/ once cleaned,
// not the sign-in page itself — and the overview otherwise, so a link cannot send a signed-in browser to
// another site (an open redirect).
func safeNext(v string) string {
	const home = "/ui/"
	if !strings.HasPrefix(v, home) || strings.ContainsAny(v, "\\") || strings.ContainsFunc(v, isControl) {
		return home
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" ||
		strings.ContainsAny(u.Path, "\\") || strings.ContainsFunc(u.Path, isControl) ||
		!strings.HasPrefix(path.Clean(u.Path)+"/", home) || path.Clean(u.Path) == "/ui/login" {
		return home
	}
	return v
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// logout ends the session in this browser.
func (h *handler) logout(w http.ResponseWriter, r *http.Request, s session) {
	if !h.csrfOK(r, s) {
		h.failPage(w, r, http.StatusForbidden, "The form's security token is missing or stale.")
		return
	}
	h.setCookie(w, r, sessionCookie, "", time.Unix(1, 0))
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}
