package dashboard

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// loginForm shows the sign-in form, with a fresh value in a cookie and in
// the form (a sign-in from another site cannot know it).
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.sessionOf(r); ok {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	if h.open() {
		h.newSession(w, r, roleAdmin)
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, "")
}

func (h *handler) showLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := randomID()
	h.setCookie(w, r, loginCookie, v, h.opts.Now().Add(time.Hour))
	h.render(w, r, nil, "login", status, page{Title: "Sign in", CSRF: v, Data: msg})
}

// login exchanges a token for a session cookie.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(loginCookie)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		h.showLogin(w, r, http.StatusForbidden, "The sign-in form expired; please try again.")
		return
	}
	role := h.roleOf(strings.TrimSpace(r.PostFormValue("token")))
	if role == "" {
		h.opts.Logger.WarnContext(r.Context(), "dashboard sign-in refused", "remote", r.RemoteAddr)
		h.showLogin(w, r, http.StatusUnauthorized, "That token is not valid.")
		return
	}
	h.setCookie(w, r, loginCookie, "", time.Unix(1, 0))
	h.newSession(w, r, role)
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

// logout ends the session in this browser.
func (h *handler) logout(w http.ResponseWriter, r *http.Request, s session) {
	if !h.csrfOK(r, s) {
		h.failPage(w, r, http.StatusForbidden, "The form's security token is missing or stale.")
		return
	}
	h.setCookie(w, r, sessionCookie, "", time.Unix(1, 0))
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}
