package suppression

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// sentItem is one count in the body of POST /v1/sent.
type sentItem struct {
	ID     string `json:"id"`
	Stream string `json:"stream"`
	Count  int64  `json:"count"`
	At     string `json:"at"` // RFC 3339; empty: now
}

// sentResponse answers POST /v1/sent.
type sentResponse struct {
	Added      int      `json:"added"`      // items recorded
	Duplicates []string `json:"duplicates"` // ids recorded before, which added nothing
}

// sent records one count or a list of them: {"stream", "count", "at", "id"}
// or [{...}, ...]. Nothing is recorded when any item is invalid.
func (a *api) sent(w http.ResponseWriter, r *http.Request) {
	items, err := decodeSent(r.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	added, err := a.store.AddSent(r.Context(), items, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	resp := sentResponse{Duplicates: []string{}}
	for i, ok := range added {
		if ok {
			resp.Added++
		} else {
			resp.Duplicates = append(resp.Duplicates, items[i].ID)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// decodeSent reads one sentItem or a list of them, refusing unknown fields
// (a misspelt "count" must not record nothing quietly). An error in an item
// of a longer list names the item by its index from 0, as AddSent does.
func decodeSent(body io.Reader) ([]Sent, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, badRequest(`body is empty: send {"stream": "…", "count": N} or a list of them`)
	}
	var items []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if raw[0] == '[' {
		err = dec.Decode(&items)
	} else {
		items = make([]json.RawMessage, 1)
		err = dec.Decode(&items[0])
	}
	if err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, badRequest("body has data after its JSON value: send one object or one list")
	}
	list := make([]sentItem, len(items))
	for i, item := range items {
		if err := decodeSentItem(item, &list[i]); err != nil {
			if len(items) > 1 {
				return nil, badRequestf("item %d: %v", i, err)
			}
			return nil, err
		}
	}
	if len(list) == 0 {
		return nil, badRequest("the list is empty")
	}
	return sentItems(list)
}

// decodeSentItem decodes one item of the body into it, refusing unknown
// fields; the error is a client message.
func decodeSentItem(raw []byte, it *sentItem) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(it); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return badRequestf("unknown field %s: the fields are id, stream, count and at", f)
		}
		return jsonError(err)
	}
	return nil
}

// sentItems parses the times of the items.
func sentItems(list []sentItem) ([]Sent, error) {
	out := make([]Sent, len(list))
	var bad []error
	for i, it := range list {
		out[i] = Sent{ID: it.ID, Stream: it.Stream, Count: it.Count}
		if it.At == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, it.At)
		if err != nil {
			msg := fmt.Sprintf("at %q: want an RFC 3339 time such as 2026-03-01T12:00:00Z", it.At)
			if len(list) > 1 {
				msg = fmt.Sprintf("item %d: %s", i, msg)
			}
			bad = append(bad, errors.New(msg))
			continue
		}
		out[i].At = t
	}
	if len(bad) > 0 {
		return nil, badRequest(strings.ReplaceAll(errors.Join(bad...).Error(), "\n", "; "))
	}
	return out, nil
}

// rates answers GET /v1/rates?stream=S&days=N: Rates through today.
func (a *api) rates(w http.ResponseWriter, r *http.Request) {
	q := a.opts.Rates
	q.Last = a.opts.Now()
	q, err := ParseRatesQuery(r.URL.Query().Get("stream"), r.URL.Query().Get("days"), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rates, err := a.store.Rates(r.Context(), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rates)
}
