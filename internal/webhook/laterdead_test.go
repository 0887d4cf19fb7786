package webhook

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Dave's suppression.added and his later suppression.removed both die;
// redelivering the added alone is refused, naming the removed (sent alone,
// the added would be the last word the receiver gets); redelivered newest
// first, both go out in order, the removed last.
func TestRedeliverRefusedWhileLaterDead(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		c := newClock(t0)
		rc := newReceiver(c)
		rc.fail = func(int, received) int { return http.StatusServiceUnavailable }
		srv := httptest.NewServer(rc)
		defer srv.Close()
		d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: srv.URL, Key: testKey, MaxAge: time.Second})
		ctx := asCLI()
		dave := "dave@example.com"
		if _, err := s.Add(ctx, dave, suppression.Manual{Reason: "asked"}, c.now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Remove(ctx, dave, c.now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := d.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			c.add(time.Second)
		}
		dead, err := s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead})
		if err != nil || len(dead) != 2 || dead[0].Type != suppression.EventSuppressionRemoved || dead[1].Type != suppression.EventSuppressionAdded {
			t.Fatalf("dead = %+v, %v; want dave@'s removed and added (newest first)", dead, err)
		}
		removed, added := dead[0], dead[1]
		var later *suppression.LaterDeadError
		if _, err := s.Redeliver(ctx, added.ID, c.now(), false); !errors.As(err, &later) || len(later.Later) != 1 || later.Later[0].ID != removed.ID {
			t.Fatalf("redeliver the added alone: %v, want a LaterDeadError naming delivery %d", err, removed.ID)
		}
		if q, _ := s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead}); len(q) != 2 {
			t.Fatalf("after the refusal %d dead, want both still dead", len(q))
		}
		for _, id := range []int64{removed.ID, added.ID} { // newest first, as the CLI does
			if _, err := s.Redeliver(ctx, id, c.now(), false); err != nil {
				t.Fatalf("redeliver %d: %v", id, err)
			}
		}
		rc.fail = nil
		drain(t, d, c, rc, 2, time.Second)
		got := rc.accepted()
		if len(got) != 2 || got[0].ID != added.EventID || got[1].ID != removed.EventID {
			t.Errorf("the receiver got %+v, want the added, then the removed", got)
		}
	})
}
