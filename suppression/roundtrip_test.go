package suppression

import "testing"

func TestOneRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:p%40ss@db:5432/b", "postgres://u:p%40ss@db:5432/b?binary_parameters=yes"},
		{"postgres://db/b?sslmode=disable", "postgres://db/b?binary_parameters=yes&sslmode=disable"},
		{"postgres://db/b?binary_parameters=no", "postgres://db/b?binary_parameters=no"},
		{"postgres://db/%zz", "postgres://db/%zz"},
	}
	for _, tt := range tests {
		if got := oneRoundTrip(tt.in); got != tt.want {
			t.Errorf("oneRoundTrip(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
