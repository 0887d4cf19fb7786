package suppression

import "net/http"

// message answers GET /v1/messages/{id...}: the fate of one sent message,
// by its Message-ID (URL-encoded, with or without its angle brackets),
// which is the rest of the path: a '/' in it may be encoded or not.
func (a *api) message(w http.ResponseWriter, r *http.Request) {
	f, err := a.store.MessageStatus(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}
