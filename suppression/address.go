package suppression

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Normalize returns the canonical form of an address: surrounding space and
// angle brackets removed, the domain lower-cased (an internationalised domain
// as punycode, a trailing dot dropped) and the local part lower-cased unless
// caseSensitive. Invalid input is rejected with an error wrapping
// ErrInvalidAddress that names the input.
func Normalize(addr string, caseSensitive bool) (string, error) {
	a := strings.TrimSpace(addr)
	a = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(a, "<"), ">"))
	at := strings.LastIndexByte(a, '@')
	if at < 0 {
		return "", invalid(addr, "no @")
	}
	local, domain := a[:at], a[at+1:]
	if err := checkLocal(local); err != "" {
		return "", invalid(addr, err)
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", invalid(addr, "bad domain")
	}
	if !caseSensitive {
		local = strings.ToLower(local)
	}
	return local + "@" + d, nil
}

// NormalizeDomain returns the canonical form of a domain: lower case,
// punycode for internationalised names, no trailing dot. An address literal
// ("[192.0.2.1]") is kept as written.
func NormalizeDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if strings.HasPrefix(d, "[") && strings.HasSuffix(d, "]") {
		lit := strings.TrimPrefix(d[1:len(d)-1], "IPv6:")
		if _, err := netip.ParseAddr(lit); err != nil {
			return "", fmt.Errorf("%w %q: bad address literal", ErrInvalidAddress, domain)
		}
		return strings.ToLower(d), nil
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || a == "" || len(a) > 253 {
		return "", fmt.Errorf("%w %q: bad domain", ErrInvalidAddress, domain)
	}
	return a, nil
}

// checkLocal returns why local is not a usable local part, or "".
func checkLocal(local string) string {
	switch {
	case local == "":
		return "empty local part"
	case !utf8.ValidString(local):
		return "local part is not valid UTF-8"
	case len(local) > 64:
		return "local part longer than 64 octets"
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		if !quoted(local) {
			return "misplaced dot in local part"
		}
	}
	for _, r := range local {
		if !unicode.IsPrint(r) && r != ' ' {
			return fmt.Sprintf("unprintable character %q in local part", r)
		}
		if !quoted(local) && r < 0x80 && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r) {
			return fmt.Sprintf("character %q not allowed in local part", r)
		}
	}
	return ""
}

// quoted reports whether a local part is a quoted string ("john doe"),
// in which any printable character may appear.
func quoted(local string) bool {
	return len(local) >= 2 && strings.HasPrefix(local, `"`) && strings.HasSuffix(local, `"`)
}

func invalid(addr, why string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidAddress, addr, why)
}

// domainOf returns the domain of a normalised address.
func domainOf(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}
