package dashboard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Roles a session holds.
const (
	roleAdmin = "admin" // signed in with http.token_file: may change the list
	roleRead  = "read"  // signed in with http.read_token_file: sees everything, changes nothing
)

const (
	sessionCookie = "bouncer_session"
	loginCookie   = "bouncer_login" // the sign-in form's CSRF value, before any session
)

// session is a signed-in browser: its role, when it ends, and the random
// id its CSRF token is derived from.
type session struct {
	Role    string
	Expires time.Time
	ID      string
}

// keys derives the session key from the tokens: rotating a token signs
// every browser out, and replicas sharing the tokens share sessions.
func sessionKey(token, readToken string) []byte {
	k := sha256.Sum256([]byte("bouncer dashboard session\x00" + token + "\x00" + readToken))
	return k[:]
}

func (h *handler) mac(parts ...string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// roleOf returns the role a presented token grants, comparing in constant
// time; "" for a wrong token. With no token configured (a loopback
// listener only), everyone is admin.
func (h *handler) roleOf(token string) string {
	eq := func(want string) bool {
		if want == "" {
			return false
		}
		a, b := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(want))
		return subtle.ConstantTimeCompare(a[:], b[:]) == 1
	}
	switch {
	case eq(h.opts.Token):
		return roleAdmin
	case eq(h.opts.ReadToken):
		return roleRead
	}
	return ""
}

// open reports whether no token is configured: the dashboard then signs
// every visitor in as admin (the listener is loopback only).
func (h *handler) open() bool { return h.opts.Token == "" && h.opts.ReadToken == "" }

// newSession issues a session cookie for role.
func (h *handler) newSession(w http.ResponseWriter, r *http.Request, role string) {
	exp := h.opts.Now().Add(h.opts.SessionTTL)
	id := randomID()
	payload := role + "|" + strconv.FormatInt(exp.Unix(), 10) + "|" + id
	value := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + h.mac("session", payload)
	h.setCookie(w, r, sessionCookie, value, exp)
}

// setCookie sets an HttpOnly, SameSite=Strict cookie on /ui/, Secure when
// the dashboard is served over TLS (directly or, per Options.Secure,
// behind a proxy).
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/ui/", Expires: exp, MaxAge: int(exp.Sub(h.opts.Now()).Seconds()),
		HttpOnly: true, Secure: h.opts.Secure || r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// sessionOf returns the request's valid, unexpired session.
func (h *handler) sessionOf(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	enc, sig, ok := strings.Cut(c.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(h.mac("session", string(raw)))) {
		return session{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return session{}, false
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	s := session{Role: parts[0], Expires: time.Unix(unix, 0), ID: parts[2]}
	if err != nil || !h.opts.Now().Before(s.Expires) || (s.Role != roleAdmin && s.Role != roleRead) {
		return session{}, false
	}
	return s, true
}

// csrf is the CSRF token of a session: every state-changing form carries it.
func (h *handler) csrf(s session) string { return h.mac("csrf", s.ID) }

// csrfOK checks a form's CSRF token against the session's.
func (h *handler) csrfOK(r *http.Request, s session) bool {
	got := r.PostFormValue("csrf")
	return got != "" && hmac.Equal([]byte(got), []byte(h.csrf(s)))
}

func randomID() string {
	b := make([]byte, 18)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
