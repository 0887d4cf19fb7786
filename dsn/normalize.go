package dsn

import (
	"strings"
)

// lower lower-cases an ASCII letter; the phrases are ASCII, so other bytes
// are left as they are.
func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// normalizeDiagnostic lower-cases d, collapses white space and drops the
// reply and status codes of continuation lines ("550-5.7.1 ", "554-"), so
// that a phrase folded across lines reads as one.
func normalizeDiagnostic(d string) string {
	if len(d) > maxDiagnostic {
		d = d[:maxDiagnostic]
	}
	var buf [512]byte
	b := buf[:0]
	space := true
	for i := 0; i < len(d); {
		if i == 0 || !isWordByte(lower(d[i-1])) {
			if n := smtpCodeToken(d[i:]); n > 0 {
				i += n
				continue
			}
		}
		switch c := d[i]; c {
		case ' ', '\t', '\r', '\n':
			if !space {
				b = append(b, ' ')
				space = true
			}
		default:
			b = append(b, lower(c))
			space = false
		}
		i++
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// smtpCodeToken returns the length of a reply code token at the start of s:
// "550-", "550-5.7.1", "550 5.7.1"; 0 when there is none.
func smtpCodeToken(s string) int {
	if len(s) < 4 || !isReplyCode(s[:3]) {
		return 0
	}
	switch {
	case s[3] == '-':
		return 4 + statusLen(s[4:])
	case s[3] == ' ':
		if n := statusLen(s[4:]); n > 0 {
			return 4 + n
		}
	}
	return 0
}

func isReplyCode(s string) bool {
	return len(s) == 3 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && isDigit(s[1]) && isDigit(s[2])
}

// statusLen returns the length of an enhanced status code ("5.1.1",
// "4.7.650") at the start of s, not followed by another digit or dot, or 0.
func statusLen(s string) int {
	// class "." subject "." detail; the subjects in use are 0 to 7 (RFC 3463,
	// RFC 5248), which also keeps "Exim 4.92.3" from reading as a status.
	if len(s) < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.' ||
		s[2] < '0' || s[2] > '7' || s[3] != '.' {
		return 0
	}
	i := 4
	for i < len(s) && i < 7 && isDigit(s[i]) {
		i++
	}
	if i == 4 {
		return 0
	}
	if i < len(s) && (isDigit(s[i]) || s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])) {
		return 0
	}
	return i
}

// maskAddresses replaces each mail address in a normalized text by a lone
// "@", so that no phrase row reads a verdict inside an address: a recipient
// at virusfree.example or timeout.example, a local part "dmarc" or
// "sender". It returns text itself when it has no address.
func maskAddresses(text string) string {
	at := strings.IndexByte(text, '@')
	if at < 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for at >= 0 {
		start, end := at, at+1
		for start > last && isAddrByte(text[start-1]) {
			start--
		}
		for end < len(text) && isAddrByte(text[end]) {
			end++
		}
		for end > at+1 && text[end-1] == '.' {
			end-- // the sentence's full stop
		}
		if start < at && end > at+1 {
			if last == 0 {
				b.Grow(len(text))
			}
			b.WriteString(text[last:start])
			b.WriteByte('@')
			last = end
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// isAddrByte reports whether c may be part of a mail address as
// diagnostics write it (not a space or a delimiter around one).
func isAddrByte(c byte) bool {
	switch c {
	case ' ', '<', '>', '(', ')', '[', ']', '"', '\'', ',', ';', ':', '@':
		return false
	}
	return true
}

// statusInText returns the first enhanced status code written in d.
func statusInText(d string) string {
	if len(d) > maxDiagnostic {
		d = d[:maxDiagnostic]
	}
	for i := 0; i+5 <= len(d); i++ {
		if i > 0 && (isDigit(d[i-1]) || d[i-1] == '.') {
			continue
		}
		if n := statusLen(d[i:]); n > 0 {
			return d[i : i+n]
		}
	}
	return ""
}

// effectiveStatus is r.Status, or the code inside the diagnostic when
// Status is empty or X.0.0.
func effectiveStatus(r *Recipient) string {
	s := strings.TrimSpace(r.Status)
	if statusLen(s) != len(s) {
		s = ""
	}
	if s == "" || s[2:] == "0.0" {
		if in := statusInText(r.Diagnostic); in != "" && in[2:] != "0.0" {
			return in
		}
	} else if subject(s) == "1" {
		// An address status over a reply that gave another subject ("Status:
		// 5.1.1" over "550 5.7.1 IP address blacklisted"): the reporting MTA
		// mapped the reply code to an address failure; the remote server's
		// own code says what it refused.
		if in := statusInText(r.Diagnostic); in != "" && in[0] == s[0] && subject(in) != "1" && subject(in) != "0" {
			return in
		}
	}
	return s
}

// replyCode is r.ReplyCode, or the reply code that opens the diagnostic.
func replyCode(r *Recipient) string {
	if isReplyCode(r.ReplyCode) {
		return r.ReplyCode
	}
	d := strings.TrimSpace(r.Diagnostic)
	if len(d) >= 3 && isReplyCode(d[:3]) && (len(d) == 3 || !isDigit(d[3])) {
		return d[:3]
	}
	return ""
}
