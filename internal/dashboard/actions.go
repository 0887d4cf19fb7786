package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// actor returns the request's context naming the dashboard's admin as the
// one who changes the list, with the form's note.
func actor(r *http.Request, note string) *http.Request {
	return r.WithContext(suppression.WithActor(r.Context(), suppression.Actor{Who: "ui:" + roleAdmin, Via: suppression.ViaUI, Note: note}))
}

// back sends the browser to the address page after a change.
func back(w http.ResponseWriter, r *http.Request, email string) {
	http.Redirect(w, r, "/ui/address?email="+url.QueryEscape(email), http.StatusSeeOther)
}

// remove lifts a suppression; the note is required.
func (h *handler) remove(w http.ResponseWriter, r *http.Request, _ session) error {
	email, note := r.PostFormValue("email"), strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		return fmt.Errorf("%w: removing an address needs a note saying why", errBadInput)
	}
	e, err := h.store.Remove(actor(r, note).Context(), email, h.opts.Now())
	if err != nil {
		return err
	}
	back(w, r, e.Email)
	return nil
}

// suppress adds a manual suppression, optionally expiring after some days.
func (h *handler) suppress(w http.ResponseWriter, r *http.Request, _ session) error {
	email, note := r.PostFormValue("email"), strings.TrimSpace(r.PostFormValue("note"))
	m := suppression.Manual{Reason: strings.TrimSpace(r.PostFormValue("reason")), Note: note}
	if v := r.PostFormValue("expires"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil || !t.After(h.opts.Now()) {
			return fmt.Errorf("%w: expires %q: want a future date (YYYY-MM-DD)", errBadInput, v)
		}
		m.ExpiresAt = &t
	}
	e, err := h.store.Add(actor(r, note).Context(), email, m, h.opts.Now())
	if err != nil {
		return err
	}
	back(w, r, e.Email)
	return nil
}

// allow puts an address or a domain on the allowlist.
func (h *handler) allow(w http.ResponseWriter, r *http.Request, _ session) error {
	entry, note := r.PostFormValue("entry"), strings.TrimSpace(r.PostFormValue("note"))
	if _, err := h.store.AllowAdd(actor(r, note).Context(), entry, note, h.opts.Now()); err != nil {
		return err
	}
	back(w, r, r.PostFormValue("email"))
	return nil
}

// unallow takes an entry off the allowlist.
func (h *handler) unallow(w http.ResponseWriter, r *http.Request, _ session) error {
	entry, note := r.PostFormValue("entry"), strings.TrimSpace(r.PostFormValue("note"))
	if err := h.store.AllowRemove(actor(r, note).Context(), entry, h.opts.Now()); err != nil {
		return err
	}
	back(w, r, r.PostFormValue("email"))
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, suppression.ErrNotFound) }
