package dashboard

import (
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

// The list's upper date bound is exclusive, and the form says so ("before"):
// since=2026-03-09 before 2026-03-10 is the 9th whole, not the 10th.
func TestListDateBoundsSayBefore(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(readToken)
		code, page := b.get("/ui/suppressions?since=2026-03-09&until=2026-03-10")
		if code != 200 {
			t.Fatalf("list = %d\n%s", code, page)
		}
		if !strings.Contains(page, `<label>before <input name="until"`) {
			t.Errorf("the list's upper date bound is not labelled 'before':\n%s", page)
		}
		if !strings.Contains(page, "user01@example.com") || strings.Contains(page, "user00@example.com") || strings.Contains(page, "user02@example.com") {
			t.Errorf("since 2026-03-09 before 2026-03-10 should list the 9th's user01 alone:\n%s", page)
		}
	})
}
