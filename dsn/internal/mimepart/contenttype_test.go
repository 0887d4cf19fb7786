package mimepart

import (
	"mime"
	"testing"
)

// FuzzParseContentType checks the fast Content-Type reader against
// mime.ParseMediaType wherever it answers.
func FuzzParseContentType(f *testing.F) {
	for _, s := range []string{
		"text/plain", "TEXT/Plain; Charset=ISO-2022-JP", `multipart/report; report-type=delivery-status; boundary="--=_b 1"`,
		"text/plain;", "text/plain; ;charset=x", "text/plain; charset=a; charset=b", "text/plain; charset=a; CHARSET=a",
		"text/plain charset=x", "text", "text/", "/plain", `text/plain; name="a\"b"`, "text/plain; charset*=utf-8''x",
		"text/plain; charset = x", "text/plain;\tcharset=\"\"", "text/plain; charset=é", "text/plain;charset=x;",
		"multipart/mixed; boundary=\"abc\"def", "text/plain; a=1; b=2; c=3; d=4; e=5; f=6; g=7; h=8; i=9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ct, ok := ParseContentType(v)
		if !ok {
			return
		}
		mt, params, err := mime.ParseMediaType(v)
		if err != nil {
			t.Fatalf("ParseContentType(%q) = %+v; ParseMediaType fails: %v", v, ct, err)
		}
		ch, hasCh := params["charset"]
		if ct.MediaType != mt || ct.Boundary != params["boundary"] || ct.Charset != ch || ct.HasCharset != hasCh {
			t.Fatalf("ParseContentType(%q) = %+v; ParseMediaType gives %q %q", v, ct, mt, params)
		}
	})
}
