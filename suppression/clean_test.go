package suppression

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// clean keeps printable text, tabs and valid UTF-8, drops other control
// characters, mends invalid UTF-8 and caps the length, whether or not the
// text is plain ASCII (which takes a shortcut).
func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"550 5.1.1 <a@b.example>: user unknown", "550 5.1.1 <a@b.example>: user unknown"},
		{"tab\tkept", "tab\tkept"},
		{"line\r\nbreak\x00nul\x1besc\x7fdel", "linebreaknulescdel"},
		{"Grüße \xff end", "Grüße \uFFFD end"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{strings.Repeat("a", maxField+10), strings.Repeat("é", maxField)} {
		got := clean(in)
		if len(got) > maxField || !utf8.ValidString(got) || !strings.HasPrefix(in, got) || len(got) < maxField-1 {
			t.Errorf("clean(%d bytes) = %d bytes, want a valid prefix of at most %d", len(in), len(got), maxField)
		}
	}
}
