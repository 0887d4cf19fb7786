package dsn

import (
	"bytes"
	"testing"
)

// FuzzNormalizeNewlines checks normalizeNewlines against the byte loop it
// replaced.
func FuzzNormalizeNewlines(f *testing.F) {
	for _, s := range []string{"", "\r", "\r\n", "\n\r", "a\r\nb\rc\n\r\r\n", "no breaks", "x\r\r\ny\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var want []byte
		for i := 0; i < len(in); i++ {
			c := in[i]
			if c == '\r' {
				c = '\n'
				if i+1 < len(in) && in[i+1] == '\n' {
					i++
				}
			}
			want = append(want, c)
		}
		if got := normalizeNewlines(bytes.Clone(in)); !bytes.Equal(got, want) {
			t.Fatalf("normalizeNewlines(%q) = %q, want %q", in, got, want)
		}
	})
}
