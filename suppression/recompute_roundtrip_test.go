package suppression

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestRecomputeThereAndBack: live recording under a policy agrees with
// Recompute under it (no change), and a policy change there and back
// changes the same addresses both ways, then nothing.
func TestRecomputeThereAndBack(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(14, 14))
		var msgs []Message
		for i := range 300 {
			addr := fmt.Sprintf("u%03d@example.com", i)
			for j := range 1 + rng.IntN(6) {
				at := t0.Add(time.Duration(rng.IntN(40*24)) * time.Hour)
				m := soft(fmt.Sprintf("%s-%d", addr, j), addr, at)
				if rng.IntN(15) == 0 {
					m = hard(m.Key, addr, at)
				}
				msgs = append(msgs, m)
			}
		}
		slices.SortStableFunc(msgs, func(a, b Message) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
		half := len(msgs) / 2
		for lo := 0; lo < half; lo += 50 { // in mailbox batches, as the poller records them
			mustRecord(t, s, t0, msgs[lo:min(lo+50, half)]...)
		}
		// Removed by hand mid-way, manual entries added and removed.
		for i := 0; i < 300; i += 7 {
			addr := fmt.Sprintf("u%03d@example.com", i)
			if i%2 == 0 {
				if _, err := s.Add(ctx, addr, Manual{Reason: "asked"}, t0); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Remove(ctx, addr, msgs[half-1].ReceivedAt); err != nil && !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
		}
		for lo := half; lo < len(msgs); lo += 50 {
			mustRecord(t, s, t0, msgs[lo:min(lo+50, len(msgs))]...)
		}
		a := s.Policy()
		b := a
		b.SoftThreshold, b.SoftWindow, b.SoftExpiry = 2, 72*time.Hour, 240*time.Hour
		steps := []struct {
			name string
			p    Policy
			want int // -1: some
		}{
			{"same policy as recorded", a, 0}, {"there", b, -1}, {"there again", b, 0}, {"back", a, -1}, {"back again", a, 0},
		}
		var there int
		for _, st := range steps {
			changes, err := s.Recompute(ctx, st.p, t0, false)
			if err != nil {
				t.Fatal(err)
			}
			if st.want == -1 && st.name == "there" {
				there = len(changes)
			}
			switch {
			case st.want == 0 && len(changes) != 0:
				t.Errorf("%s: %d changes, want none; first: %s\n before %+v\n after  %+v", st.name, len(changes), changes[0].Email, changes[0].Before, changes[0].After)
			case st.want == -1 && (len(changes) == 0 || st.name == "back" && len(changes) != there):
				t.Errorf("%s: %d changes, want some (as many as there: %d)", st.name, len(changes), there)
			}
		}
	})
}
