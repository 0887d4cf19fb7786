package dsn

import (
	"math/bits"
	"strings"
)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// digitsAt returns how many digits (at most max) start s[i:].
func digitsAt(s string, i, max int) int {
	n := 0
	for i+n < len(s) && n < max && isDigit(s[i+n]) {
		n++
	}
	return n
}

// statusAt returns the enhanced status code ("5.1.1") starting at s[i], or
// "". Class must be 2, 4 or 5; subject and detail have 1 to 3 digits.
func statusAt(s string, i int) string {
	if i+4 >= len(s)+0 || (s[i] != '2' && s[i] != '4' && s[i] != '5') || s[i+1] != '.' {
		return ""
	}
	j := i + 2
	n := digitsAt(s, j, 3)
	if n == 0 || j+n >= len(s) || s[j+n] != '.' {
		return ""
	}
	j += n + 1
	m := digitsAt(s, j, 3)
	if m == 0 {
		return ""
	}
	j += m
	if j < len(s) && (isDigit(s[j]) || (s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]))) {
		return "" // a version number or an address, not a status
	}
	return s[i:j]
}

// parseStatus reads the code of a Status field ("5.1.1 (user unknown)").
func parseStatus(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if st := statusAt(v, 0); st != "" {
		return st
	}
	return findStatus(v)
}

// findStatus returns the first enhanced status code in free text, or "".
func findStatus(s string) string {
	for i := 0; i+4 < len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.' || s[i-1] == '-' && (i < 4 || replyCodeAt(s, i-4) == "")) {
			continue
		}
		if st := statusAt(s, i); st != "" {
			return st
		}
	}
	return ""
}

// replyCodeAt returns the SMTP reply code starting s[i:] ("550"), or "".
// A code is three digits, 2xx-5xx, followed by a space, '-', ')' or the end.
func replyCodeAt(s string, i int) string {
	if i+3 > len(s) || s[i] < '2' || s[i] > '5' || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
		return ""
	}
	if s[i+1] > '5' {
		return ""
	}
	if i+3 < len(s) {
		switch s[i+3] {
		case ' ', '-', ')', '\t', ',', ']', '"', ':', '\'':
		default:
			return ""
		}
	}
	return s[i : i+3]
}

// leadingReplyCode returns the reply code a diagnostic starts with, or "".
func leadingReplyCode(s string) string {
	return replyCodeAt(strings.TrimLeft(s, " \t\"'(<>#"), 0)
}

// findReplyCode looks for an SMTP reply code in free text: first a code
// directly followed by an enhanced status ("550 5.1.1", "550-5.1.1"), then a
// code after a colon, "<<<", "said" or at the start, then any standalone
// 4xx/5xx number.
func findReplyCode(s string) string {
	if c := leadingReplyCode(s); c != "" {
		return c
	}
	loose := ""
	for i := 0; i+3 <= len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.' || s[i-1] == '-' || s[i-1] == '/' || s[i-1] == ':' && i > 1 && isDigit(s[i-2]))) {
			continue
		}
		c := replyCodeAt(s, i)
		if c == "" {
			continue
		}
		if i+4 < len(s) && statusAt(s, i+4) != "" {
			return c
		}
		if c[0] != '4' && c[0] != '5' {
			continue
		}
		if strings.HasPrefix(s[i+3:], "-'") {
			return c // QUIRK: Amazon SES quotes the remote reply: 550-'Unknown user'
		}
		if strings.HasPrefix(s[i+3:], " <") && strings.Contains(s[i:min(len(s), i+200)], ">...") {
			return c // a Sendmail reply about an address: "554 <a@b>... Service unavailable"
		}
		if loose == "" && afterMarker(s[:i]) {
			loose = c
		}
	}
	return loose
}

// afterMarker reports whether the text before a number ends the way SMTP
// transcripts introduce a reply: "said:", "<<<", "]:", "reply:", "(", "#".
func afterMarker(before string) bool {
	b := strings.TrimRight(before, " \t")
	if b == "" {
		return true
	}
	for _, m := range [...]string{":", "<<<", ">", "said", "(", "#", "error", "Error", "code", "Code", "returned"} {
		if strings.HasSuffix(b, m) {
			return true
		}
	}
	return false
}

// stripType removes an RFC 3464 type prefix ("smtp;", "dns;", "rfc822;",
// "X-Postfix;") from a field value.
func stripType(v string) string {
	i := strings.IndexByte(v, ';')
	if i <= 0 || i > 24 {
		return strings.TrimSpace(v)
	}
	typ := strings.TrimSpace(v[:i])
	if typ == "" || isDigit(typ[0]) || typ[0] == '-' {
		return strings.TrimSpace(v)
	}
	for j := 0; j < len(typ); j++ {
		c := typ[j]
		if !isAlnum(c) && c != '-' && c != '_' && c != '/' && c != '.' && c != '+' {
			// QUIRK: odd type tokens ("rfc/822", "RFC822.x") are types too.
			return strings.TrimSpace(v)
		}
	}
	return strings.TrimSpace(v[i+1:])
}

// diagType returns the lower-case type of a Diagnostic-Code value
// ("smtp", "x-unix", "x-postfix"), or "".
func diagType(v string) string {
	v = strings.TrimSpace(v)
	if s := stripType(v); len(s) < len(v) {
		return strings.ToLower(strings.TrimSpace(v[:strings.IndexByte(v, ';')]))
	}
	return ""
}

// commandMarkers map phrases of diagnostics to the SMTP command a reply
// answered (lower case). The earliest match in the text wins.
var commandMarkers = []struct{ phrase, cmd string }{
	{"rcpt to", "RCPT"}, {"rcpt_to", "RCPT"}, {"mail from", "MAIL"}, {"mail_from", "MAIL"},
	{"end of data", "DATA"}, {"final data", "DATA"}, {"data command", "DATA"}, {">>> data", "DATA"},
	{"after data", "DATA"}, {"ehlo", "EHLO"}, {"helo", "HELO"}, {"initial connection", "CONN"},
	{"greeting", "CONN"}, {"connect to", "CONN"},
	// qmail-remote's own sentences (qmail-remote.c)
	{"does not like recipient", "RCPT"}, {"but sender was rejected", "MAIL"},
	{"but my name was rejected", "HELO"}, {"failed after i sent the message", "DATA"},
	// Gmail's "(state N)": the state of its SMTP client when the reply came
	// (as sisimai's Gmail module reads them)
	{"(state 6)", "MAIL"}, {"(state 14)", "RCPT"},
	{"(state 15)", "DATA"}, {"(state 17)", "DATA"}, {"(state 18)", "DATA"},
}

// commandFirst and commandSecond map a byte to the set of markers (bit i:
// commandMarkers[i]) whose first, or second, byte it is in either case: a
// marker can start where both sets meet.
var commandFirst, commandSecond = func() (first, second [256]uint64) {
	if len(commandMarkers) > 64 {
		panic("dsn: more than 64 command markers")
	}
	for i, m := range commandMarkers {
		setBoth(&first, m.phrase[0], i)
		setBoth(&second, m.phrase[1], i)
	}
	return first, second
}()

// setBoth marks marker i under byte c in both cases.
func setBoth(t *[256]uint64, c byte, i int) {
	t[c] |= 1 << i
	switch {
	case c >= 'a' && c <= 'z':
		t[c-'a'+'A'] |= 1 << i
	case c >= 'A' && c <= 'Z':
		t[c-'A'+'a'] |= 1 << i
	}
}

// findCommand returns the SMTP command a diagnostic says the reply
// answered ("RCPT"), or "". It scans once, comparing case-insensitively
// where a marker can start (the markers are ASCII, so EqualFold matches
// only ASCII case variants of them).
func findCommand(d string) string {
	for i := 0; i+1 < len(d); i++ {
		cand := commandFirst[d[i]] & commandSecond[d[i+1]]
		for cand != 0 {
			k := bits.TrailingZeros64(cand)
			cand &= cand - 1
			m := commandMarkers[k]
			if len(d)-i >= len(m.phrase) && strings.EqualFold(d[i:i+len(m.phrase)], m.phrase) {
				return m.cmd
			}
		}
	}
	return ""
}

// statusAfterReply returns the enhanced status written right after an SMTP
// reply code ("550 5.7.1", "550-'5.7.1"), the remote server's own words,
// or "".
func statusAfterReply(s string) string {
	for i := 0; i+8 <= len(s); i++ {
		if !isDigit(s[i]) || i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.') {
			continue
		}
		if replyCodeAt(s, i) == "" {
			continue
		}
		j := i + 3
		for j < len(s) && j < i+6 && (s[j] == ' ' || s[j] == '-' || s[j] == '\'' || s[j] == '"') {
			j++
		}
		if st := statusAt(s, j); st != "" && st[0] == s[i] {
			return st
		}
	}
	return ""
}

// innerReplyCode returns the remote server's code quoted after the local
// one: "554 <a@b>... 550 Host unknown" gives "550" (QUIRK: Sendmail V5
// and other old MTAs prefix the remote reply with their own code).
func innerReplyCode(d string) string {
	i := strings.Index(d, "... ")
	if i < 0 || leadingReplyCode(d) == "" {
		return ""
	}
	return replyCodeAt(d, i+4)
}
