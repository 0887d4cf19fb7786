package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// listData is what the suppression list template shows.
type listData struct {
	Filter   suppression.Filter
	Query    url.Values // the filter as given, for the form and the links
	Entries  []suppression.Entry
	Now      time.Time
	Next     string // URL of the next page; empty on the last
	Export   string // URL of the CSV export of this filter
	States   []string
	Sorts    []string
	SortLink map[string]string // column → URL sorting by it (again: reversed)
}

func (h *handler) list(w http.ResponseWriter, r *http.Request, s session) {
	q := r.URL.Query()
	now := h.opts.Now()
	f, err := suppression.ParseFilter(q, now)
	if err != nil {
		h.fail(w, r, fmt.Errorf("%w: %w", errBadInput, err))
		return
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	p, err := h.store.List(r.Context(), f, now)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := listData{Filter: f, Query: q, Entries: p.Entries, Now: now, States: suppression.States, Sorts: suppression.Sorts,
		Export: "/ui/suppressions.csv?" + without(q, "cursor", "limit").Encode(), SortLink: map[string]string{}}
	if p.Next != "" {
		next := without(q, "cursor")
		next.Set("cursor", p.Next)
		d.Next = "/ui/suppressions?" + next.Encode()
	}
	for _, col := range suppression.Sorts {
		v := without(q, "cursor", "sort", "desc")
		v.Set("sort", col)
		if col == f.Sort || (col == suppression.SortEmail && f.Sort == "") {
			v.Set("desc", strconv.FormatBool(!f.Desc))
		}
		d.SortLink[col] = "/ui/suppressions?" + v.Encode()
	}
	h.render(w, r, &s, "list", http.StatusOK, page{Title: "Suppression list", Nav: "list", Data: d})
}

// without copies q without the named parameters.
func without(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	for _, n := range names {
		out.Del(n)
	}
	return out
}

// exportCSV streams the entries of the filter as CSV, straight from one
// query (suppression.Store.Export).
func (h *handler) exportCSV(w http.ResponseWriter, r *http.Request, _ session) {
	now := h.opts.Now()
	f, err := suppression.ParseFilter(r.URL.Query(), now)
	if err != nil {
		h.fail(w, r, fmt.Errorf("%w: %w", errBadInput, err))
		return
	}
	f.Cursor, f.Limit = "", 0
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="suppressions.csv"`)
	if _, err := h.store.Export(r.Context(), w, suppression.FormatBouncer, f, now); err != nil {
		// Headers are gone: log it; the client sees a cut-off file.
		h.opts.Logger.ErrorContext(r.Context(), "dashboard export failed", "err", err)
	}
}

// addressData is what the address template shows.
type addressData struct {
	Email  string
	Domain string
	// AllowEntries are the allowlist entries covering the address (itself,
	// its domain).
	AllowEntries []string
	Found        bool
	Detail       suppression.Detail
	Active       bool
	Explained    string
	Audit        []suppression.AuditEntry
	// PrunedBefore is set when events of the entry's may have been pruned
	// (retention.events): its counts include events no longer listed.
	PrunedBefore *time.Time
}

func (h *handler) address(w http.ResponseWriter, r *http.Request, s session) {
	email := r.URL.Query().Get("email")
	if email == "" {
		http.Redirect(w, r, "/ui/suppressions", http.StatusSeeOther)
		return
	}
	now := h.opts.Now()
	d := addressData{Email: email}
	det, err := h.store.Get(r.Context(), email)
	switch {
	case err == nil:
		d.Found, d.Detail, d.Email = true, det, det.Entry.Email
		d.Active = det.Entry.Active(now) && !det.Allowlisted
		d.Explained = h.explain(det, h.store.Policy(), now)
	case isNotFound(err):
		d.Explained = "Deliverable: bouncer has no entry and no event for this address."
		// The address as the store keeps it (Nobody@Example.ORG is
		// nobody@example.org), so its allowlist entries are found and
		// the forms name it.
		if d.Email, err = h.stored(r, email); err != nil {
			h.fail(w, r, err)
			return
		}
	default:
		h.fail(w, r, err)
		return
	}
	if d.Domain, d.AllowEntries, err = h.allowEntries(r, d.Email); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(d.AllowEntries) > 0 {
		d.Explained = allowedExplained(d.Email, d.AllowEntries, d.Found)
	}
	if d.Found {
		if d.PrunedBefore, err = h.prunedBefore(r, det.Entry); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if d.Audit, _, err = h.store.Audit(r.Context(), suppression.AuditFilter{Subject: d.Email, Limit: 100}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, &s, "address", http.StatusOK, page{Title: d.Email, Nav: "list", Data: d})
}

// prunedBefore returns the time before which events were pruned, when the
// entry was first seen before it; else nil.
func (h *handler) prunedBefore(r *http.Request, e suppression.Entry) (*time.Time, error) {
	horizon, err := h.store.Horizon(r.Context(), "bounce_events")
	if err != nil || horizon == nil || !e.FirstSeen.Before(*horizon) {
		return nil, err
	}
	return horizon, nil
}

// stored returns email as the store keeps it (normalised).
func (h *handler) stored(r *http.Request, email string) (string, error) {
	res, err := h.store.Check(r.Context(), []string{email}, h.opts.Now())
	if err != nil {
		return "", err
	}
	if len(res) != 1 || res[0].Address == "" {
		return email, nil
	}
	return res[0].Address, nil
}

// allowedExplained says which allowlist entries cover email.
func allowedExplained(email string, entries []string, found bool) string {
	named := make([]string, len(entries))
	for i, e := range entries {
		named[i] = e + " (this address)"
		if e != email {
			named[i] = e + " (its domain)"
		}
	}
	tail := "failures are counted but never suppress it."
	if !found {
		tail = "bouncer has no entry and no event for it."
	}
	return "Deliverable: on the allowlist as " + strings.Join(named, " and ") + "; " + tail
}

// allowEntries returns an address's domain and the allowlist entries that
// cover it.
func (h *handler) allowEntries(r *http.Request, email string) (string, []string, error) {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	list, err := h.store.AllowList(r.Context())
	if err != nil {
		return "", nil, err
	}
	var out []string
	for _, a := range list {
		if a.Entry == email || a.Entry == domain {
			out = append(out, a.Entry)
		}
	}
	return domain, out, nil
}

// heldKinds are the kinds of message the unprocessed page lists: the held
// ledger outcomes (suppression.Held) and what the page calls them.
var heldKinds = []heldKind{
	{suppression.OutcomeQuarantined, "Could not be parsed"},
	{suppression.OutcomeNotReport, "Not a bounce or complaint"},
	{suppression.OutcomeNoRecipient, "No usable recipient"},
}

type heldKind struct{ Outcome, Label string }

// unprocessedData is what the unprocessed messages template shows.
type unprocessedData struct {
	Days     int
	Zooms    []int
	Kind     string // the outcome shown; empty: all
	Kinds    []heldKind
	Messages []suppression.UnparsedMessage
}

// KindLabel names a held outcome for the page.
func (unprocessedData) KindLabel(outcome string) string {
	for _, k := range heldKinds {
		if k.Outcome == outcome {
			return k.Label
		}
	}
	return outcome
}

// unprocessed lists the messages nothing was recorded for, left for a
// person: unparsed, not reports, and reports naming no usable recipient.
func (h *handler) unprocessed(w http.ResponseWriter, r *http.Request, s session) {
	n := 30
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && v > 0 && v <= 366 {
		n = v
	}
	kind := r.URL.Query().Get("kind")
	if kind != "" && !suppression.Held(kind) {
		h.failPage(w, r, http.StatusBadRequest, fmt.Sprintf("unknown kind %q: use quarantined, not_report or no_recipient", kind))
		return
	}
	now := h.opts.Now()
	msgs, err := h.store.HeldMessages(r.Context(), suppression.Window{From: now.AddDate(0, 0, -n), To: now.Add(time.Second)}, kind, 500)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, &s, "unprocessed", http.StatusOK, page{Title: "Unprocessed messages", Nav: "unprocessed",
		Data: unprocessedData{Days: n, Zooms: zooms, Kind: kind, Kinds: heldKinds, Messages: msgs}})
}

// unparsed is the page's old address: it shows what it always showed,
// the quarantined messages, on the new page.
func (h *handler) unparsed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("kind") == "" {
		q.Set("kind", suppression.OutcomeQuarantined)
	}
	http.Redirect(w, r, "/ui/unprocessed?"+q.Encode(), http.StatusMovedPermanently)
}

// auditData is what the audit log template shows.
type auditData struct {
	Entries []suppression.AuditEntry
	Next    string
}

func (h *handler) audit(w http.ResponseWriter, r *http.Request, s session) {
	f := suppression.AuditFilter{Subject: r.URL.Query().Get("subject"), Limit: 100}
	if v := r.URL.Query().Get("before"); v != "" {
		var err error
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil {
			h.fail(w, r, fmt.Errorf("%w: before=%q: want an entry number", errBadInput, v))
			return
		}
	}
	es, next, err := h.store.Audit(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := auditData{Entries: es}
	if next > 0 {
		v := url.Values{"before": {strconv.FormatInt(next, 10)}}
		if f.Subject != "" {
			v.Set("subject", f.Subject)
		}
		d.Next = "/ui/audit?" + v.Encode()
	}
	h.render(w, r, &s, "audit", http.StatusOK, page{Title: "Audit log", Nav: "audit", Data: d})
}
