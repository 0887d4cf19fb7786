package dashboard

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// An address its domain's allowlist entry covers says which entry, offers
// to take that entry off and no suppression by hand (the store refuses
// it), also when bouncer has never heard of the address and it is typed
// in another case: the page works on the address as the store keeps it.
func TestAddressNamesTheAllowlistEntry(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		if _, err := s.AllowAdd(context.Background(), "example.org", "our own", now); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(adminToken)
		for _, email := range []string{"full01@example.org", "Nobody@Example.ORG"} {
			code, page := b.get("/ui/address?email=" + email)
			if code != 200 {
				t.Fatalf("%s: %d\n%s", email, code, page)
			}
			for _, want := range []string{"on the allowlist as example.org (its domain)", "Take example.org off the allowlist",
				`name="entry" value="example.org"`} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: the page lacks %q:\n%s", email, want, page)
				}
			}
			for _, bad := range []string{"/ui/address/suppress", "/ui/allowlist/add", "Example.ORG"} {
				if strings.Contains(page, bad) {
					t.Errorf("%s: the page has %q:\n%s", email, bad, page)
				}
			}
		}
		if _, page := b.get("/ui/address?email=nobody@example.com"); !strings.Contains(page, "/ui/address/suppress") ||
			!strings.Contains(page, `<label>Expires (at 00:00 UTC) <input name="expires" type="date">`) ||
			!strings.Contains(page, "/ui/allowlist/add") || strings.Contains(page, "on the allowlist") {
			t.Errorf("an address no entry covers lacks its actions or claims an allowlist entry:\n%s", page)
		}
	})
}

// The decision names the failure that keeps an address suppressed, not
// the newest event: a soft bounce after the complaint that suppressed it
// is not given as the cause.
func TestAddressDecisionNamesTheCause(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		msgs := []suppression.Message{
			event("c", "kijitora@y.example.com", now.Add(-2*time.Hour), dsn.ClassComplaint, dsn.ReasonFeedback, ""),
			event("s", "kijitora@y.example.com", now.Add(-time.Hour), dsn.ClassSoft, dsn.ReasonSystemError, "421 4.1.9 try again later"),
		}
		if _, err := s.Record(context.Background(), msgs, now); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(readToken)
		_, page := b.get("/ui/address?email=kijitora@y.example.com")
		verdict := regexp.MustCompile(`<p class="verdict[^"]*">[^<]*</p>`).FindString(page)
		if !strings.Contains(verdict, "1 soft bounce within 7 days, 1 complaint; the last complaint: 5.1.1 feedback") || strings.Contains(verdict, "systemerror") {
			t.Errorf("the decision reads %q: want the complaint as the cause, not the later soft bounce", verdict)
		}
		_, page = b.get("/ui/address?email=user01@example.com")
		if !strings.Contains(page, "1 hard bounce; the last hard bounce: 5.1.1 userunknown from mx.receiver.test") {
			t.Errorf("a hard bounce's decision does not name it:\n%s", page)
		}
	})
}

// The address page of an entry first seen before retention.events pruned
// its events says so under the evidence; one whose events are all kept
// does not.
func TestAddressSaysEventsWerePruned(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		ctx := context.Background()
		if _, err := s.Record(ctx, []suppression.Message{event("old", "gone@example.com", now.AddDate(0, 0, -500), dsn.ClassHard, dsn.ReasonUserUnknown, "550 no such user")}, now); err != nil {
			t.Fatal(err)
		}
		keep := 400 * 24 * time.Hour
		if _, err := s.Prune(ctx, suppression.Retention{Events: keep}, now, false); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, server(t, s, Options{}))
		b.signIn(readToken)
		_, page := b.get("/ui/address?email=gone@example.com")
		if !strings.Contains(page, "No event on record.") || !strings.Contains(page, "Events are kept from 2025-02-03 12:00 UTC (retention.events); older ones were pruned, and the counts above include them.") {
			t.Errorf("the page of an entry whose events were pruned does not say so:\n%s", page)
		}
		if _, page := b.get("/ui/address?email=user01@example.com"); strings.Contains(page, "Events are kept from") {
			t.Errorf("the page of an entry whose events are all kept speaks of pruning:\n%s", page)
		}
	})
}
