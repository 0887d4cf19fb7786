package storemetrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// Only the MaxReceivers domains with the most failures over the last day
// get a receiver label; the rest count as "other", so the label set stays
// bounded whatever the mail traffic.
func TestReceiverLabelsBounded(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		now := t0.Add(time.Hour)
		n := MaxReceivers + 5
		var msgs []suppression.Message
		for i := range n { // domain d<i> gets i+1 failures
			for j := range i + 1 {
				addr := fmt.Sprintf("u%d@d%02d.test", j, i)
				msgs = append(msgs, bounce(fmt.Sprintf("k%d-%d", i, j), t0, rcpt(addr, dsn.ClassSoft, dsn.ReasonMailboxFull)))
			}
		}
		mustRecord(t, s, now, msgs...)
		receivers.checked = time.Time{} // another test's refresh is not 10 minutes old
		if err := Refresh(t.Context(), s, now); err != nil {
			t.Fatal(err)
		}
		block := func(receiver string) float64 {
			return testutil.ToFloat64(receiverBounces.WithLabelValues(receiver, string(dsn.ClassBlock)))
		}
		top, bottom, other := fmt.Sprintf("d%02d.test", n-1), "d00.test", OtherReceiver
		bt, bo := block(top), block(other)
		mustRecord(t, s, now,
			bounce("b1", now, rcpt("x@"+top, dsn.ClassBlock, dsn.ReasonBlocked)),
			bounce("b2", now, rcpt("x@"+bottom, dsn.ClassBlock, dsn.ReasonBlocked)))
		if got := block(top) - bt; got != 1 {
			t.Errorf("blocks counted for %s (most failures) rose by %g, want 1", top, got)
		}
		if got := block(other) - bo; got != 1 {
			t.Errorf(`blocks counted for receiver="other" rose by %g, want 1 (%s is not in the top %d)`, got, bottom, MaxReceivers)
		}
		labels := map[string]bool{}
		ch := make(chan prometheus.Metric, 1000)
		receiverBounces.Collect(ch)
		close(ch)
		for m := range ch {
			var d dto.Metric
			if err := m.Write(&d); err != nil {
				t.Fatal(err)
			}
			for _, l := range d.GetLabel() {
				if l.GetName() == "receiver" {
					labels[l.GetValue()] = true
				}
			}
		}
		if len(labels) > MaxReceivers+1 || labels[bottom] {
			t.Errorf("receiver labels exposed: %d (%v); want at most %d, without %s", len(labels), labels, MaxReceivers+1, bottom)
		}
	})
}
