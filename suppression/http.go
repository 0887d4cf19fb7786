package suppression

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/internal/metrics"
)

// HandlerOptions configure NewHandler. The zero value is usable: an API
// without authentication (config warns about it), 1 MiB bodies, 10 s.
type HandlerOptions struct {
	// Token is the bearer token /v1 requests must present; empty turns
	// authentication off. /healthz never needs it.
	Token string
	// ReadToken is a second bearer token that may read (GET, check) and
	// never change anything (403); empty: none.
	ReadToken string
	// MetricsToken is the bearer token /metrics requires; empty serves
	// metrics to everyone (the listener is loopback unless a Token is set).
	MetricsToken string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes caps a request body (413 beyond); 0 means 1 MiB.
	MaxBodyBytes int64
	// Timeout bounds the work of one request (503 beyond); 0 means 10s.
	Timeout time.Duration
	// Logger receives internal errors (500s); nil means slog.Default().
	Logger *slog.Logger
	// Rates are GET /v1/rates's time zone (nil: UTC) and minimum volume
	// (0: DefaultMinVolume); its Stream, Days and Last come from the request.
	Rates RatesQuery
}

// MaxCheck is the most addresses one check request may ask about.
const MaxCheck = 1000

// api serves the HTTP JSON API over a Store.
type api struct {
	store apiStore // what the handlers may call (surfaces.go)
	opts  HandlerOptions
	token [32]byte
	read  [32]byte // ReadToken's hash, when set
}

// NewHandler returns the HTTP JSON API (docs/openapi.yaml describes it):
//
//	GET    /v1/suppressions             list (ParseFilter's parameters: q, contains, state, reason, class,
//	                                    domain, source, since, until, sort, desc, all, cursor, limit)
//	GET    /v1/suppressions/{email}     entry and evidence; 404 when unknown
//	PUT    /v1/suppressions/{email}     suppress by hand {"reason", "note", "expires_at"}
//	DELETE /v1/suppressions/{email}     lift the suppression (?note= for the audit log); 404 when unknown
//	POST   /v1/suppressions/check       {"emails": [...]} (up to MaxCheck) → {"results": [...]}
//	GET    /v1/allowlist                the allowlist
//	PUT    /v1/allowlist/{entry}        allow an address or a domain {"note"}
//	DELETE /v1/allowlist/{entry}        take it off
//	GET    /v1/messages/{id...}         the fate of one sent message by its Message-ID, the rest of the path (MessageStatus)
//	POST   /v1/sent                     messages sent: {"stream", "count", "at", "id"} or a list of them (AddSent)
//	GET    /v1/rates                    bounce and complaint rates per stream and day (?stream=, ?days=; Rates)
//	GET    /healthz                     200 when the database answers, else 503
//	GET    /metrics                     Prometheus text (metrics.Registry)
//
// Every request is observed in bouncer_http_request_duration_seconds
// under the pattern it matched (route "unmatched" for 404 and 405).
// A /v1 query parameter a route does not take is a 400 naming it.
// Errors are JSON {"error": "..."} with the status: 400 bad input, 401 no or
// wrong token, 403 read-only token on a change, 404, 405, 409 allowlisted or
// a sent count's id reused, 413 too large, 500, 503 timeout.
func NewHandler(store *Store, opts HandlerOptions) http.Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &api{store: store, opts: opts, token: sha256.Sum256([]byte(opts.Token)), read: sha256.Sum256([]byte(opts.ReadToken))}
	mux := http.NewServeMux()
	var message http.Handler
	for _, rt := range a.routes() {
		h := metrics.InstrumentRoute(rt.pattern, rt.h)
		mux.Handle(rt.pattern, h)
		if rt.pattern == messageRoute {
			message = h
		}
	}
	return a.limits(uncleanMessages(message, jsonFallback(mux, metrics.InstrumentRoute(metrics.Unmatched, mux))))
}

// messageRoute is the route whose id is the rest of the path.
const messageRoute = "GET /v1/messages/{id...}"

// uncleanMessages serves GET /v1/messages/{id...} before the mux, which
// cleans a path holding "//", "/./" or "/../" and redirects to the cleaned
// one: /v1/messages/a/../b@x would answer with b@x's fate (a client
// following the redirect keeps its token on the same host). The id is the
// rest of the path exactly as sent, decoded, never cleaned.
func uncleanMessages(message, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/v1/messages/")
		if !ok || r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		r.SetPathValue("id", id)
		message.ServeHTTP(w, r)
	})
}

// route is one pattern the API serves, its handler, and the query
// parameters it takes (any other is refused: see only).
type route struct {
	pattern string
	h       http.Handler
	params  []string
}

// routes are the API's routes; docs/openapi.yaml describes each, and
// the query parameters each takes (TestOpenAPI).
func (a *api) routes() []route {
	v1 := func(pattern string, auth func(http.HandlerFunc) http.HandlerFunc, h http.HandlerFunc, params ...string) route {
		return route{pattern: pattern, h: auth(a.only(h, params...)), params: params}
	}
	return []route{
		v1("GET /v1/suppressions", a.authRead, a.list, filterParams...),
		v1("GET /v1/suppressions/{email}", a.authRead, a.get),
		v1("PUT /v1/suppressions/{email}", a.auth, a.put, "note"),
		v1("DELETE /v1/suppressions/{email}", a.auth, a.remove, "note"),
		v1("POST /v1/suppressions/check", a.authRead, a.check),
		v1("GET /v1/allowlist", a.authRead, a.allowList),
		v1("PUT /v1/allowlist/{entry}", a.auth, a.allowPut, "note"),
		v1("DELETE /v1/allowlist/{entry}", a.auth, a.allowDelete, "note"),
		v1(messageRoute, a.authRead, a.message),
		v1("POST /v1/sent", a.auth, a.sent),
		v1("GET /v1/rates", a.authRead, a.rates, "stream", "days"),
		{pattern: "GET /healthz", h: http.HandlerFunc(a.healthz)},
		{pattern: "GET /metrics", h: metrics.Handler(a.opts.MetricsToken)},
	}
}

// limits caps the body and the time of every request.
func (a *api) limits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), a.opts.Timeout)
		defer cancel()
		r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// auth requires the bearer token (when one is configured), compared in
// constant time (of hashes, so the length does not leak either).
func (a *api) auth(h http.HandlerFunc) http.HandlerFunc {
	if a.opts.Token == "" {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if a.opts.ReadToken != "" && metrics.Bearer(r, a.read) {
			writeError(w, http.StatusForbidden, "the read-only token can only read: "+r.Method+" "+r.URL.Path+" needs the admin token (http.token_file)")
			return
		}
		if !metrics.Bearer(r, a.token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bouncer"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		h(w, r)
	}
}

// authRead is auth for a request that changes nothing: the read-only
// token is accepted too.
func (a *api) authRead(h http.HandlerFunc) http.HandlerFunc {
	if a.opts.ReadToken == "" {
		return a.auth(h)
	}
	full := a.auth(h)
	return func(w http.ResponseWriter, r *http.Request) {
		if metrics.Bearer(r, a.read) {
			h(w, r)
			return
		}
		full(w, r)
	}
}

// fail answers an error from the store with its status; unexpected errors
// are logged and answered without detail.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	var br badRequest
	switch {
	case errors.Is(err, ErrInvalidAddress), errors.Is(err, ErrBadMessageID), errors.Is(err, ErrBadCursor), errors.Is(err, ErrBadFilter), errors.Is(err, ErrInvalidSent), errors.As(err, &br):
		writeError(w, http.StatusBadRequest, clientMessage(r, err))
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, clientMessage(r, err))
	case errors.Is(err, ErrAllowlisted), errors.Is(err, ErrSentIDReused):
		writeError(w, http.StatusConflict, clientMessage(r, err))
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body too large: at most %d bytes", tooBig.Limit))
	case errors.Is(err, errTooMany):
		writeError(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, "request timed out")
	default:
		a.opts.Logger.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

var errTooMany = errors.New("too many addresses")

// writeJSON answers v as JSON. The answer is never embedded in HTML, so
// <, > and & go as themselves (Message-IDs and diagnostics hold them).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v) //nolint:errcheck // the client went away
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// jsonFallback turns the mux's own plain-text 404 and 405 answers into
// JSON errors, served by unmatched (the mux, instrumented apart).
func jsonFallback(mux *http.ServeMux, unmatched http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		unmatched.ServeHTTP(&errorRewriter{ResponseWriter: w}, r)
	})
}

// errorRewriter replaces the body of an error answer with JSON.
type errorRewriter struct {
	http.ResponseWriter
	wrote bool
}

// WriteHeader writes a JSON error body for code in place of the mux's text.
func (e *errorRewriter) WriteHeader(code int) {
	if e.wrote {
		return
	}
	e.wrote = true
	e.Header().Del("X-Content-Type-Options")
	msg := strings.ToLower(http.StatusText(code))
	if code == http.StatusMethodNotAllowed {
		msg += " (allowed: " + e.Header().Get("Allow") + ")"
	}
	writeError(e.ResponseWriter, code, msg)
}

// Write drops the mux's text body.
func (e *errorRewriter) Write(b []byte) (int, error) {
	if !e.wrote {
		e.WriteHeader(http.StatusOK)
	}
	return len(b), nil
}
