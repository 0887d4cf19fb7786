package dashboard

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// A period under rates.min_volume reads "not enough volume" for both rates,
// as the CLI and the report write it: a blank complaint rate would read as
// no complaint problem.
func TestRatesPageBothRatesNotEnoughVolume(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		if _, err := s.AddSent(context.Background(), []suppression.Sent{{Stream: "default", Count: 40, At: now.Add(-time.Hour)}}, now); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, server(t, s, Options{MinVolume: 1000}))
		b.signIn(readToken)
		code, page := b.get("/ui/rates?days=7")
		if code != 200 {
			t.Fatalf("/ui/rates = %d\n%s", code, page)
		}
		row := regexp.MustCompile(`<tr class="trailing"><td>last 7 days</td>.*?</tr>`).FindString(page)
		if n := strings.Count(row, ">not enough volume<"); n != 2 {
			t.Errorf("last 7 days of 40 sent reads %q: %d cells say not enough volume, want both rates", row, n)
		}
	})
}
