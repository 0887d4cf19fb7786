package suppression

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	f, err := a.filter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.store.List(r.Context(), f, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if p.Entries == nil {
		p.Entries = []Entry{}
	}
	writeJSON(w, http.StatusOK, p)
}

// filter reads List's query parameters; limit defaults to 100, at most 1000.
func (a *api) filter(r *http.Request) (Filter, error) {
	f, err := ParseFilter(r.URL.Query(), a.opts.Now())
	if err != nil {
		if errors.Is(err, ErrBadFilter) || errors.Is(err, ErrBadCursor) {
			return f, err
		}
		return f, badRequest(err.Error())
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	return f, nil
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	d, err := a.store.Get(r.Context(), r.PathValue("email"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if d.Events == nil {
		d.Events = []Event{}
	}
	writeJSON(w, http.StatusOK, d)
}

// putRequest is the optional body of PUT /v1/suppressions/{email}.
type putRequest struct {
	Reason    string `json:"reason"`
	Note      string `json:"note"`
	ExpiresAt string `json:"expires_at"` // RFC 3339; empty: never
}

func (a *api) put(w http.ResponseWriter, r *http.Request) {
	var req putRequest
	if err := decodeOptional(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	m := Manual{Reason: req.Reason, Note: req.Note}
	if req.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, req.ExpiresAt)
		if err != nil {
			a.fail(w, r, badRequestf("expires_at %q: want an RFC 3339 time such as 2030-01-31T00:00:00Z", req.ExpiresAt))
			return
		}
		if !t.After(a.opts.Now()) {
			a.fail(w, r, badRequestf("expires_at %q is in the past: the entry would never be in force", req.ExpiresAt))
			return
		}
		m.ExpiresAt = &t
	}
	e, err := a.store.Add(a.actor(r), r.PathValue("email"), m, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (a *api) remove(w http.ResponseWriter, r *http.Request) {
	if _, err := a.store.Remove(a.actor(r), r.PathValue("email"), a.opts.Now()); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkRequest is the body of POST /v1/suppressions/check; emails is
// required (a misspelt or missing key is a 400, never an empty answer an
// application would read as "nothing suppressed").
type checkRequest struct {
	Emails *[]string `json:"emails"`
}

type checkResponse struct {
	Results []CheckResult `json:"results"`
}

func (a *api) check(w http.ResponseWriter, r *http.Request) {
	var req checkRequest
	if err := decodeOptional(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Emails == nil {
		a.fail(w, r, badRequest(`emails is required: send {"emails": ["ann@example.com", ...]}`))
		return
	}
	emails := *req.Emails
	if len(emails) > MaxCheck {
		a.fail(w, r, fmt.Errorf("%w: %d, at most %d per request", errTooMany, len(emails), MaxCheck))
		return
	}
	res, err := a.store.Check(r.Context(), emails, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, checkResponse{Results: res})
}

func (a *api) allowList(w http.ResponseWriter, r *http.Request) {
	l, err := a.store.AllowList(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if l == nil {
		l = []AllowEntry{}
	}
	writeJSON(w, http.StatusOK, map[string][]AllowEntry{"allowlist": l})
}

func (a *api) allowPut(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Note string `json:"note"`
	}
	if err := decodeOptional(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.store.AllowAdd(a.actor(r), r.PathValue("entry"), req.Note, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"entry": e})
}

func (a *api) allowDelete(w http.ResponseWriter, r *http.Request) {
	if err := a.store.AllowRemove(a.actor(r), r.PathValue("entry"), a.opts.Now()); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// actor returns the request's context carrying who changes the list: the
// API's token holder, with the note= query parameter as the reason.
func (a *api) actor(r *http.Request) context.Context {
	return WithActor(r.Context(), Actor{Who: "api", Via: ViaAPI, Note: r.URL.Query().Get("note")})
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Ping(r.Context()); err != nil {
		a.opts.Logger.WarnContext(r.Context(), "health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
