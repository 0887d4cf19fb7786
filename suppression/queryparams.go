package suppression

import (
	"net/http"
	"slices"
	"strings"
)

// filterParams are the query parameters ParseFilter reads.
var filterParams = []string{"q", "contains", "state", "reason", "class", "domain", "source", "since", "until", "sort", "desc", "all", "cursor", "limit"}

// only wraps h to refuse (400) a request with a query parameter not in
// known, naming each unknown one and the known ones: a misspelt parameter
// ("streams", "clas") would otherwise be ignored and the answer, for
// everything, look like the one asked for.
func (a *api) only(h http.HandlerFunc, known ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var unknown []string
		for name := range r.URL.Query() {
			if !slices.Contains(known, name) {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) == 0 {
			h(w, r)
			return
		}
		slices.Sort(unknown)
		msg := "unknown query parameter " + strings.Join(unknown, ", ")
		if len(unknown) > 1 {
			msg = "unknown query parameters " + strings.Join(unknown, ", ")
		}
		switch len(known) {
		case 0:
			msg += ": this request takes none"
		case 1:
			msg += ": the parameter is " + known[0]
		default:
			msg += ": the parameters are " + strings.Join(known[:len(known)-1], ", ") + " and " + known[len(known)-1]
		}
		a.fail(w, r, badRequest(msg))
	}
}
