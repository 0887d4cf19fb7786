package suppression

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	q := r.URL.Query()
	f := Filter{Reason: q.Get("reason"), Class: q.Get("class"), Domain: q.Get("domain"), Cursor: q.Get("cursor"), Limit: 100}
	var err error
	if v := q.Get("all"); v != "" {
		if f.All, err = strconv.ParseBool(v); err != nil {
			return f, fmt.Errorf("%w: all=%q: want true or false", errBadRequest, v)
		}
	}
	if v := q.Get("since"); v != "" {
		if f.Since, err = ParseSince(v, a.opts.Now()); err != nil {
			return f, fmt.Errorf("%w: %w", errBadRequest, err)
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 1000 {
			return f, fmt.Errorf("%w: limit=%q: want 1 to 1000", errBadRequest, v)
		}
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
	Reason    string     `json:"reason"`
	Note      string     `json:"note"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (a *api) put(w http.ResponseWriter, r *http.Request) {
	var req putRequest
	if err := decodeOptional(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.store.Add(r.Context(), r.PathValue("email"), Manual{Reason: req.Reason, Note: req.Note, ExpiresAt: req.ExpiresAt}, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (a *api) remove(w http.ResponseWriter, r *http.Request) {
	if _, err := a.store.Remove(r.Context(), r.PathValue("email"), a.opts.Now()); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type checkRequest struct {
	Emails []string `json:"emails"`
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
	if len(req.Emails) > MaxCheck {
		a.fail(w, r, fmt.Errorf("%w: %d addresses, at most %d per request", errTooMany, len(req.Emails), MaxCheck))
		return
	}
	res, err := a.store.Check(r.Context(), req.Emails, a.opts.Now())
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
	e, err := a.store.AllowAdd(r.Context(), r.PathValue("entry"), req.Note, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"entry": e})
}

func (a *api) allowDelete(w http.ResponseWriter, r *http.Request) {
	if err := a.store.AllowRemove(r.Context(), r.PathValue("entry")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Ping(r.Context()); err != nil {
		a.opts.Logger.WarnContext(r.Context(), "health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// decodeOptional decodes a JSON body into v; an empty body leaves v as is.
func decodeOptional(r *http.Request, v any) error {
	err := json.NewDecoder(r.Body).Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &tooBig):
		return err
	}
	return fmt.Errorf("%w: body is not the expected JSON: %w", errBadRequest, err)
}
