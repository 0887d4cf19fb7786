package duration

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Millisecond, "500ms"},
		{90 * time.Second, "1m30s"},
		{30 * time.Minute, "30m"},
		{90 * time.Minute, "1h30m"},
		{time.Hour + 30*time.Second, "1h0m30s"},
		{24 * time.Hour, "24h"},
		{36 * time.Hour, "36h"},
		{48 * time.Hour, "2d"},
		{7 * Day, "7d"},
		{30 * Day, "30d"},
		{90 * Day, "90d"},
		{400 * Day, "400d"},
		{2*Day + 12*time.Hour, "2d12h"},
		{2*Day + 30*time.Minute, "2d30m"},
		{-5 * time.Minute, "-5m"},
	} {
		if got := Format(c.d); got != c.want {
			t.Errorf("Format(%d) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestFormatParses holds Format to what the configuration accepts: every
// duration it writes reads back as itself.
func TestFormatParses(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	units := []time.Duration{time.Nanosecond, time.Millisecond, time.Second, time.Minute, time.Hour, Day}
	for range 10_000 {
		d := time.Duration(r.Int64N(1000)) * units[r.IntN(len(units))]
		d += time.Duration(r.Int64N(int64(Day))) * time.Duration(r.IntN(2))
		s := Format(d)
		got, err := Parse(s)
		if err != nil || got != d {
			t.Fatalf("Parse(Format(%d) = %q) = %d, %v; want %d", d, s, got, err, d)
		}
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		s    string
		want time.Duration
	}{
		{"90s", 90 * time.Second},
		{"168h", 7 * Day},
		{"7d", 7 * Day},
		{"1d12h", 36 * time.Hour},
		{"0d", 0},
	} {
		if got, err := Parse(c.s); err != nil || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.s, got, err, c.want)
		}
	}
	for _, s := range []string{"", "d", "-1d", "+1d", "1d-1h", "1dx", "7days", "100001d"} {
		if got, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", s, got)
		}
	}
}

func TestAge(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{40*time.Second + 300*time.Millisecond, "40s"},
		{12*time.Minute + 10*time.Second, "12m"},
		{5*time.Hour + 12*time.Minute + 40*time.Second, "5h13m"},
		{3*Day + 4*time.Hour + 20*time.Minute, "3d4h"},
	} {
		if got := Age(c.d); got != c.want {
			t.Errorf("Age(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
