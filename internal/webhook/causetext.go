package webhook

import "strings"

// CauseOf says in a few words why an attempt failed, from what was stored
// of it: its HTTP status (0 when there was none) and its full error text.
// It is for deliveries that failed before bouncer stored the cause beside
// the error (migration 00076 left their last_cause empty): `Post
// "https://…": dial tcp …: connect: connection refused` gives "connection
// refused", as the attempt would have stored.
func CauseOf(status int, text string) string {
	switch {
	case status != 0:
		return cause(status, nil)
	case text == "":
		return ""
	case strings.Contains(text, ErrForbiddenAddress.Error()):
		return strings.TrimPrefix(ErrForbiddenAddress.Error(), "webhook: ")
	case strings.Contains(text, "Timeout exceeded"), strings.Contains(text, "deadline exceeded"),
		strings.Contains(text, "timeout"): // net/http's "timeout awaiting response headers", "i/o timeout"
		return "timeout"
	}
	// An error wraps its cause after ": " (net.OpError, os.SyscallError,
	// net.DNSError): the innermost is the last part.
	if i := strings.LastIndex(text, ": "); i >= 0 {
		return text[i+2:]
	}
	return text
}
