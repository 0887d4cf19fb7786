package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// cause says in a few words why an attempt failed, for the table of
// deliveries, where the full error (a *url.Error starts with the method
// and the URL) would be cut before its point: "HTTP 400 Bad Request",
// "HTTP 307 redirect refused", "connection refused", "timeout", "no such
// host", "address not allowed …".
func cause(status int, err error) string {
	switch {
	case status/100 == 3:
		return fmt.Sprintf("HTTP %d redirect refused", status)
	case status != 0:
		return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)))
	case errors.Is(err, ErrForbiddenAddress):
		return strings.TrimPrefix(ErrForbiddenAddress.Error(), "webhook: ")
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return "timeout"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Err
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	return err.Error()
}
