package mimepart

import "strings"

// ContentType is what a walk needs of a Content-Type value.
type ContentType struct {
	MediaType, Boundary, Charset string
	HasCharset                   bool
}

// ParseContentType reads the common forms of a Content-Type value (a
// type/subtype, then token or simple quoted parameters) without
// allocating, with the result of mime.ParseMediaType. ok is false for
// anything else (spaces other than SP and HTAB, RFC 2231 parameters,
// escapes, repeated or more than 8 parameters, syntax errors): the caller
// then uses mime.ParseMediaType.
func ParseContentType(v string) (ct ContentType, ok bool) {
	base, rest, _ := strings.Cut(v, ";")
	for base != "" && (base[0] == ' ' || base[0] == '\t') {
		base = base[1:]
	}
	for base != "" && (base[len(base)-1] == ' ' || base[len(base)-1] == '\t') {
		base = base[:len(base)-1]
	}
	typ, sub := consumeToken(base)
	if typ == "" || sub != "" && (sub[0] != '/' || !isToken(sub[1:])) {
		return ct, false
	}
	ct.MediaType = lowerASCII(base)
	rest = strings.TrimLeft(rest, " \t")
	var keys [8]string
	n := 0
	for rest != "" {
		key, after := consumeToken(rest)
		if key == "" || n == len(keys) || !strings.HasPrefix(after, "=") || strings.IndexByte(key, '*') >= 0 {
			return ct, false
		}
		after = after[1:]
		var value string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return ct, false
			}
			value, after = after[1:1+end], after[2+end:]
			if strings.ContainsAny(value, "\\\r\n") {
				return ct, false
			}
		} else if value, after = consumeToken(after); value == "" {
			return ct, false
		}
		for _, k := range keys[:n] {
			if strings.EqualFold(k, key) {
				return ct, false
			}
		}
		keys[n] = key
		n++
		switch {
		case strings.EqualFold(key, "boundary"):
			ct.Boundary = value
		case strings.EqualFold(key, "charset"):
			ct.Charset, ct.HasCharset = value, true
		}
		after = strings.TrimLeft(after, " \t")
		if after == "" {
			break
		}
		if after[0] != ';' {
			return ct, false
		}
		rest = strings.TrimLeft(after[1:], " \t")
	}
	return ct, true
}

// consumeToken splits v after its leading MIME token.
func consumeToken(v string) (token, rest string) {
	for i := 0; i < len(v); i++ {
		if !isTokenChar(v[i]) {
			return v[:i], v[i:]
		}
	}
	return v, ""
}

func isToken(s string) bool {
	t, rest := consumeToken(s)
	return t != "" && rest == ""
}

// isTokenChar reports whether c may be in a MIME token (RFC 2045).
func isTokenChar(c byte) bool { return tokenChars[c] }

var tokenChars = func() (t [256]bool) {
	for c := '!'; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?=`, c)
	}
	return t
}()

// lowerASCII lower-cases an ASCII string, without allocating when it is
// lower case already.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
