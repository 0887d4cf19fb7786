package suppression

import (
	"fmt"
	"testing"
	"time"
)

// The soft window is (t-soft_window, t]: a soft bounce exactly soft_window
// older than the newest one no longer counts with it, one a second
// younger does; in one batch, and with each bounce in a Record call of its
// own, when the stored ones must be read back for the whole window
// (Postgres loads them from the batch's earliest soft bounce minus the
// window).
func TestSoftWindowAcrossBatches(t *testing.T) {
	w := DefaultPolicy().SoftWindow
	tests := []struct {
		first      time.Duration // age of the first bounce when the third arrives
		oneBatch   bool          // all three in one Record call
		suppressed bool
	}{
		{w, false, false},              // exactly soft_window old: outside
		{w - time.Second, false, true}, // just inside
		{w, true, false},
		{w - time.Second, true, true},
	}
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		for i, tt := range tests {
			addr := fmt.Sprintf("window%d@example.org", i)
			last := t0.Add(w)
			var batch []Message
			for j, at := range []time.Time{last.Add(-tt.first), last.Add(-w / 4), last} {
				m := soft(fmt.Sprintf("w%d-%d", i, j), addr, at)
				if tt.oneBatch {
					batch = append(batch, m)
				} else {
					mustRecord(t, s, at, m)
				}
			}
			if tt.oneBatch {
				mustRecord(t, s, last, batch...)
			}
			if e := mustEntry(t, s, addr); e.Suppressed != tt.suppressed || e.SoftCount != 3 {
				t.Errorf("first soft bounce %v before the third (one batch %v): suppressed %v, soft_count %d; want %v, 3",
					tt.first, tt.oneBatch, e.Suppressed, e.SoftCount, tt.suppressed)
			}
		}
	})
}
