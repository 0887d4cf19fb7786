// Package dashboard is bouncer's web dashboard, served under /ui/ by the
// same listener as the HTTP API: server-rendered html/template pages with
// embedded assets and SVG charts drawn on the server, no JavaScript. It
// reads through package suppression's queries and changes the list only
// through its Store methods, which write the audit log. It owns sign-in
// (a bearer token exchanged for a session cookie), CSRF tokens and the
// security headers; it owns no SQL.
package dashboard

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"
)

//go:embed assets/*.html assets/*.css
var assets embed.FS

// Options configure New. The zero value is usable: no token (every visitor
// is admin; serve it on loopback only), 12-hour sessions, the local clock.
type Options struct {
	// Token signs in as admin (http.token_file); ReadToken signs in
	// read-only (http.read_token_file). Both empty: no sign-in.
	Token, ReadToken string
	// Secure marks cookies Secure even when the request did not arrive
	// over TLS (a TLS-terminating reverse proxy in front).
	Secure bool
	// SessionTTL is how long a sign-in lasts; 0 means 12 hours.
	SessionTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the time zone times are shown in; nil means UTC.
	Location *time.Location
	// MinVolume is the fewest sent before a rate is shown; 0 means
	// suppression.DefaultMinVolume.
	MinVolume int64
	// Logger receives internal errors; nil means slog.Default().
	Logger *slog.Logger
}

// handler serves the dashboard.
type handler struct {
	store Store
	opts  Options
	key   []byte
	pages map[string]*template.Template
}

// New returns the dashboard, to be mounted at /ui/ (its routes include
// the prefix).
func New(store Store, opts Options) (http.Handler, error) {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &handler{store: store, opts: opts, key: sessionKey(opts.Token, opts.ReadToken)}
	var err error
	if h.pages, err = parsePages(h.funcs()); err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(onlyCSS{static})))
	mux.HandleFunc("GET /ui/login", h.loginForm)
	mux.HandleFunc("POST /ui/login", h.login)
	mux.HandleFunc("POST /ui/logout", h.signedIn(h.logout))
	mux.HandleFunc("GET /ui/{$}", h.signedIn(h.overview))
	mux.HandleFunc("GET /ui/suppressions", h.signedIn(h.list))
	mux.HandleFunc("GET /ui/suppressions.csv", h.signedIn(h.exportCSV))
	mux.HandleFunc("GET /ui/address", h.signedIn(h.address))
	mux.HandleFunc("GET /ui/unprocessed", h.signedIn(h.unprocessed))
	mux.HandleFunc("GET /ui/unparsed", h.unparsed) // the old address
	mux.HandleFunc("GET /ui/audit", h.signedIn(h.audit))
	mux.HandleFunc("GET /ui/rates", h.signedIn(h.rates))
	mux.HandleFunc("POST /ui/address/remove", h.signedIn(h.change(h.remove)))
	mux.HandleFunc("POST /ui/address/suppress", h.signedIn(h.change(h.suppress)))
	mux.HandleFunc("POST /ui/allowlist/add", h.signedIn(h.change(h.allow)))
	mux.HandleFunc("POST /ui/allowlist/remove", h.signedIn(h.change(h.unallow)))
	return securityHeaders(mux), nil
}

// onlyCSS serves the stylesheets of the assets, not the templates.
type onlyCSS struct{ fs.FS }

// Open refuses every file but *.css.
func (o onlyCSS) Open(name string) (fs.File, error) {
	if len(name) < 4 || name[len(name)-4:] != ".css" {
		return nil, fs.ErrNotExist
	}
	return o.FS.Open(name)
}

// csp allows the dashboard's own stylesheet and forms, and nothing else: no
// script at all, no frames, no remote asset.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every dashboard response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// signedIn requires a session; without one a GET is sent to the sign-in
// page (which returns to it) and anything else is refused.
func (h *handler) signedIn(fn func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := h.sessionOf(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, loginURL(r), http.StatusSeeOther)
				return
			}
			h.failPage(w, r, http.StatusUnauthorized, "Sign in first.")
			return
		}
		fn(w, r, s)
	}
}

// change guards a state-changing form: an admin session and the session's
// CSRF token, then fn with the context naming the actor.
func (h *handler) change(fn func(http.ResponseWriter, *http.Request, session) error) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, s session) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		switch {
		case s.Role != roleAdmin:
			h.failPage(w, r, http.StatusForbidden, "This session is read-only: it cannot change the list.")
			return
		case !h.csrfOK(r, s):
			h.failPage(w, r, http.StatusForbidden, "The form's security token is missing or stale: reload the page and try again.")
			return
		}
		if err := fn(w, r, s); err != nil {
			h.fail(w, r, err)
		}
	}
}
