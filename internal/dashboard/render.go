package dashboard

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/bouncer-mail/bouncer/suppression"
)

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"login", "overview", "list", "address", "unprocessed", "audit", "rates", "error"}

func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "assets/layout.html", "assets/partials.html", "assets/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// page is what every template gets.
type page struct {
	Title    string
	Nav      string // the menu entry to mark current
	Signed   bool
	Role     string
	CSRF     string
	CanWrite bool
	Data     any
}

func (h *handler) funcs() template.FuncMap {
	return template.FuncMap{
		"inert": inert,
		"when":  h.when,
		"whenp": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return h.when(*t)
		},
		"list": func(xs ...string) []string { return xs },
		"addr": func(email string) string { return "/ui/address?email=" + url.QueryEscape(email) },
	}
}

// when formats a time in the dashboard's zone, with the zone named.
func (h *handler) when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(h.opts.Location).Format("2006-01-02 15:04 MST")
}

// inert returns text written by strangers (diagnostics, subjects,
// addresses) so that it displays as what it is: html/template escapes the
// markup; this makes invisible and direction-changing characters visible
// (an RLO could otherwise reverse the text around it) as ⟨U+202E⟩.
func inert(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hidden reports control, format (bidi overrides, zero-width) and
// unassigned-looking characters, but not ordinary spaces.
func hidden(r rune) bool {
	return (unicode.IsControl(r) && r != '\t' && r != '\n') || unicode.Is(unicode.Cf, r)
}

// render writes a page with status 200 (or the given status).
func (h *handler) render(w http.ResponseWriter, r *http.Request, s *session, name string, status int, p page) {
	if s != nil {
		p.Signed, p.Role, p.CSRF, p.CanWrite = true, s.Role, h.csrf(*s), s.Role == roleAdmin
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	if err := h.pages[name].Execute(&b, p); err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "dashboard render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	fmt.Fprint(w, b.String()) //nolint:errcheck // the client went away
}

// failPage answers with an error page and a message for the person.
func (h *handler) failPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	var sp *session
	if s, ok := h.sessionOf(r); ok {
		sp = &s
	}
	h.render(w, r, sp, "error", status, page{Title: http.StatusText(status), Data: msg})
}

// fail answers an error from the store: bad input as 400 with its text,
// unknown as 404, anything else logged and answered without detail.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, suppression.ErrInvalidAddress), errors.Is(err, suppression.ErrBadCursor),
		errors.Is(err, suppression.ErrBadFilter), errors.Is(err, errBadInput), errors.Is(err, suppression.ErrAllowlisted):
		h.failPage(w, r, http.StatusBadRequest, userMessage(err))
	case errors.Is(err, suppression.ErrNotFound):
		h.failPage(w, r, http.StatusNotFound, userMessage(err))
	case errors.Is(err, context.DeadlineExceeded):
		h.failPage(w, r, http.StatusServiceUnavailable, "The database took too long to answer.")
	default:
		h.opts.Logger.ErrorContext(r.Context(), "dashboard request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		h.failPage(w, r, http.StatusInternalServerError, "Internal error; the log has the details.")
	}
}

// userMessage is what the page says of a refused input: the store's
// client message (suppression.ClientMessage), without this package's
// "bad input" prefix.
func userMessage(err error) string {
	return strings.TrimPrefix(suppression.ClientMessage(err), errBadInput.Error()+": ")
}

// errBadInput wraps a form value the dashboard refuses.
var errBadInput = errors.New("bad input")
