package dsn

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
)

// hasAnyLower is hasAny(strings.ToLower(s), words) for lower-case words,
// without allocating the lower-case copy when s is ASCII (notices of
// tens of kilobytes are tested this way).
func hasAnyLower(s string, words []string) bool {
	buf := mimepart.GetBuffer()
	defer mimepart.PutBuffer(buf)
	l := slices.Grow((*buf)[:0], len(s))[:len(s)]
	*buf = l[:0]
	var high byte // every byte of s ORed: its top bit says s is not ASCII
	for i := 0; i < len(s); i++ {
		c := s[i]
		high |= c
		l[i] = asciiLower[c]
	}
	if high >= utf8.RuneSelf {
		return hasAny(strings.ToLower(s), words)
	}
	for _, w := range words {
		if bytes.Contains(l, []byte(w)) {
			return true
		}
	}
	return false
}

// asciiLower maps each byte to its ASCII lower case (other bytes to
// themselves).
var asciiLower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

// lowerInto appends s in lower case to dst: byte by byte when s is ASCII,
// else as strings.ToLower gives it.
func lowerInto(dst []byte, s string) []byte {
	var high byte
	for i := 0; i < len(s); i++ {
		high |= s[i]
		dst = append(dst, asciiLower[s[i]])
	}
	if high >= utf8.RuneSelf {
		return append(dst[:len(dst)-len(s)], strings.ToLower(s)...)
	}
	return dst
}

// hasAnyBytes is hasAny for a byte slice.
func hasAnyBytes(b []byte, words []string) bool {
	for _, w := range words {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
}
