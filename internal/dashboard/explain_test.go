package dashboard

import (
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// TestThresholdsWindowInWords checks that the policy's soft window reads
// as days when it is whole days and as the configuration writes it
// otherwise (36h, not 36h0m0s).
func TestThresholdsWindowInWords(t *testing.T) {
	for _, c := range []struct {
		window time.Duration
		want   string
	}{
		{7 * 24 * time.Hour, "1 hard bounce, 3 soft bounces within 7 days, 1 complaint"},
		{24 * time.Hour, "1 hard bounce, 3 soft bounces within 1 day, 1 complaint"},
		{36 * time.Hour, "1 hard bounce, 3 soft bounces within 36h, 1 complaint"},
		{90 * time.Minute, "1 hard bounce, 3 soft bounces within 1h30m, 1 complaint"},
	} {
		p := suppression.Policy{HardThreshold: 1, SoftThreshold: 3, SoftWindow: c.window, ComplaintThreshold: 1}
		if got := thresholds(p); got != c.want {
			t.Errorf("thresholds(window %v) = %q, want %q", c.window, got, c.want)
		}
	}
}
