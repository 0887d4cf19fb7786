package mimepart

import (
	"bytes"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// FuzzQPDecode checks qpDecode against mime/quotedprintable's Reader: the
// same bytes and the same error, for any input, limit and end of input.
func FuzzQPDecode(f *testing.F) {
	for _, s := range []string{
		"", "abc", "a=3Db=\nc\n", "a=\r\nb", "x=4", "x=4g", "=\n", "a= \n", "a=x\n", "a=\rb\n",
		"caf=C3=A9 \t\r\n", "tab\there\x01", "del\x7f", "line=\r=\n", "8bit \xc3\xa9=\n",
		strings.Repeat("long line ", 500) + "\nend", strings.Repeat("x", 4095) + "\n" + strings.Repeat("y", 4096),
	} {
		f.Add([]byte(s), 1<<15, false)
		f.Add([]byte(s), 3, true)
	}
	f.Fuzz(func(t *testing.T, src []byte, limit int, cut bool) {
		if limit <= 0 || limit > 1<<20 {
			limit = 1 << 20
		}
		end := io.EOF
		if cut {
			end = io.ErrUnexpectedEOF
		}
		want, werr := ReadAtMost(quotedprintable.NewReader(&memReader{b: src, end: end}), int64(limit), nil)
		got, gerr := qpDecode(nil, src, end, limit)
		if !bytes.Equal(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("qpDecode(%q, %d) = %q, %v; quotedprintable gives %q, %v", src, limit, got, gerr, want, werr)
		}
	})
}
