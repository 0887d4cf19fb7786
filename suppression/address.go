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
			return "", invalid(domain, "bad address literal")
		}
		return strings.ToLower(d), nil
	}
	if a, ok := asciiDomain(d); ok {
		return a, nil
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || a == "" || len(a) > 253 || strings.Contains(a, "..") || strings.HasPrefix(a, ".") {
		return "", invalid(domain, "bad domain")
	}
	return a, nil
}

// asciiDomain is the fast path of NormalizeDomain for plain host names
// (letters, digits, inner hyphens; no punycode labels, which idna checks):
// the lower-cased name and true, else false.
func asciiDomain(d string) (string, bool) {
	if d == "" || len(d) > 253 {
		return "", false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' ||
			len(label) >= 4 && strings.EqualFold(label[:4], "xn--") {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i] | 0x20 // lower case for letters
			if !(c >= 'a' && c <= 'z' || label[i] >= '0' && label[i] <= '9' || label[i] == '-') {
				return "", false
			}
		}
	}
	return strings.ToLower(d), true
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

// AddressError is an invalid address (or domain) with the reason; it
// matches ErrInvalidAddress with errors.Is.
type AddressError struct {
	Input, Why string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("%v %q: %s", ErrInvalidAddress, e.Input, e.Why)
}

// Is reports whether target is ErrInvalidAddress.
func (e *AddressError) Is(target error) bool { return target == ErrInvalidAddress }

func invalid(addr, why string) error {
	return &AddressError{Input: addr, Why: why}
}

// domainOf returns the domain of a normalised address.
func domainOf(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}
