package suppression

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		cs       bool
	}{
		{"  Bob@Example.COM ", "bob@example.com", false},
		{"Bob@Example.COM", "Bob@example.com", true},
		{"<alice@example.org>", "alice@example.org", false},
		{"user@Bücher.example", "user@xn--bcher-kva.example", false},
		{"user@example.com.", "user@example.com", false},
		{"first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk", false},
		{`"odd local"@example.com`, `"odd local"@example.com`, false},
		{"postmaster@[192.0.2.1]", "postmaster@[192.0.2.1]", false},
		{"Jörg@example.de", "jörg@example.de", false},
		{"a@XN--BCHER-KVA.example", "a@xn--bcher-kva.example", false},
		{"a@sub-domain.Example-1.com", "a@sub-domain.example-1.com", false},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in, tt.cs)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q, %v) = %q, %v; want %q", tt.in, tt.cs, got, err, tt.want)
		}
	}
}

func TestNormalizeInvalid(t *testing.T) {
	for _, in := range []string{"", "no-at-sign", "@example.com", "user@", "a b@example.com", "user@exa mple.com", ".dot@example.com", "a..b@example.com", "user@[999.1.1.1]", "a\xff@example.com", "a\x00b@example.com", "\"\x00\x1b\"@example.com", "\"a\tb\"@example.com", "a@-bad.example", "a@bad-.example", "a@x..example", "a@xn--zz.example", "a@under_score.example", strings.Repeat("x", 65) + "@example.com"} {
		got, err := Normalize(in, false)
		if !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("Normalize(%q) = %q, %v; want ErrInvalidAddress", in, got, err)
			continue
		}
		if !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("Normalize(%q) error %q does not name the address", in, err)
		}
	}
}
