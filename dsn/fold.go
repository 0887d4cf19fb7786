package dsn

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
)

// hasAnyLower is hasAny(strings.ToLower(s), words) for lower-case words,
// without allocating the lower-case copy when s is ASCII (notices of
// tens of kilobytes are tested this way).
func hasAnyLower(s string, words []string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return hasAny(strings.ToLower(s), words)
		}
	}
	buf := mimepart.GetBuffer()
	defer mimepart.PutBuffer(buf)
	l := append((*buf)[:0], s...)
	for i, c := range l {
		if c >= 'A' && c <= 'Z' {
			l[i] = c + 'a' - 'A'
		}
	}
	*buf = l[:0]
	for _, w := range words {
		if bytes.Contains(l, []byte(w)) {
			return true
		}
	}
	return false
}
