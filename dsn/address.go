package dsn

import "strings"

func isLocalChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0 || c >= 0x80
}

func isDomainChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_'
}

// plausibleAddr reports whether a is local@domain with a dotted domain.
func plausibleAddr(a string) bool {
	at := strings.LastIndexByte(a, '@')
	return at > 0 && strings.IndexByte(a[at:], '.') > 0 && !strings.HasPrefix(a, "@")
}

// addrAround returns the address around the '@' at s[at] and its bounds.
func addrAround(s string, at int) (addr string, start, end int) {
	start = at
	if at > 1 && s[at-1] == '"' {
		// A quoted local part: "first..last"@example.com.
		if q := strings.LastIndexByte(s[:at-1], '"'); q >= 0 && !strings.ContainsAny(s[q:at], "<>\n") {
			start = q
		}
	}
	if start == at {
		for start > 0 && isLocalChar(s[start-1]) {
			start--
		}
	}
	if start < at && s[start] != '"' {
		// A path or source route before the address is not part of it.
		if k := strings.LastIndexAny(s[start:at], "/:"); k >= 0 {
			start += k + 1
		}
	}
	end = at + 1
	if end < len(s) && s[end] == '[' {
		if k := strings.IndexByte(s[end:], ']'); k > 0 {
			end += k + 1
			return s[start:end], start, end
		}
	}
	for end < len(s) && isDomainChar(s[end]) {
		end++
	}
	for start < at && s[start] == '.' && s[start] != '"' {
		start++
	}
	if start < at && s[start] == '\'' && end < len(s) && s[end] == '\'' {
		// Quoted in single quotes, "delivery to 'a@b' delayed": the quote
		// is the notice's, not the local part's (which may hold one).
		start++
	}
	for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
		end--
	}
	if start == at || end == at+1 {
		return "", start, end
	}
	return s[start:end], start, end
}

// findAddr returns the first e-mail address in s, or "".
func findAddr(s string) string {
	off := 0
	for {
		i := strings.IndexByte(s[off:], '@')
		if i < 0 {
			return ""
		}
		a, _, _ := addrAround(s, off+i)
		if a != "" {
			return a
		}
		off += i + 1
	}
}

// cleanAddr turns a field value ("rfc822; <User@Example.com>",
// "Name <a@b>") into a bare address. It returns the trimmed input when no
// address can be found, so odd values stay visible.
func cleanAddr(v string) string {
	v = strings.TrimSpace(stripType(v))
	if i := strings.IndexByte(v, ';'); i > 0 && i < strings.IndexByte(v, '@') {
		// QUIRK: the type written twice ("rfc822; rfc822;a@b").
		v = strings.TrimSpace(stripType(v))
	}
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	v = strings.Trim(v, " \t'<>,;:")
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if strings.HasPrefix(v, "@") {
		// A source route: "@relay.example:user@example.com".
		if i := strings.LastIndexByte(v, ':'); i > 0 {
			v = v[i+1:]
		}
	}
	if strings.IndexByte(v, '@') < 0 {
		return v
	}
	if a := findAddr(v); a != "" && !strings.ContainsAny(v, " \t") {
		return strings.TrimRight(v, ".")
	} else if a != "" {
		return a
	}
	return v
}

// decodeXtext decodes the "\x{HEX}" escapes of RFC 6533 utf-8 addresses.
func decodeXtext(s string) string {
	if !strings.Contains(s, `\x{`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], `\x{`) {
			if j := strings.IndexByte(s[i:], '}'); j > 3 {
				var r rune
				ok := true
				for _, c := range s[i+3 : i+j] {
					d := strings.IndexRune("0123456789abcdef", c|0x20)
					if d < 0 {
						ok = false
						break
					}
					r = r*16 + rune(d)
				}
				if ok {
					b.WriteRune(r)
					i += j
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// sameAddress reports whether a and b are one address, ignoring ASCII case
// and the quotes around a local part ("a..b"@x and a..b@x).
func sameAddress(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && a[i] == '"' {
			i++
		}
		for j < len(b) && b[j] == '"' {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if asciiLower[a[i]] != asciiLower[b[j]] {
			return false
		}
		i++
		j++
	}
}
