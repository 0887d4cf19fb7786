package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
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

// RedactURL shows an endpoint's URL without its path and query, which may
// hold the secret (Slack's and Mattermost's do): "https://host/…", or
// "https://host" when it has neither. It is what may be logged, stored or
// printed of the URL. A URL without a host (a relative redirect) is "…".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return ""
	case err != nil:
		return "(invalid)"
	case u.Host == "":
		return "…"
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Opaque != "" {
		return u.Scheme + "://" + u.Host + "/…"
	}
	return u.Scheme + "://" + u.Host
}

// urlInText finds the URLs an error's text may hold.
var urlInText = regexp.MustCompile(`https?://[^\s"'<>]+`)

// RedactURLsIn returns text with every http(s) URL in it redacted as
// RedactURL does: errors stored before bouncer redacted them at the source
// hold the endpoint's whole URL, whose path may be a secret (Slack's).
func RedactURLsIn(text string) string {
	return urlInText.ReplaceAllStringFunc(text, RedactURL)
}

// redactError keeps an endpoint's URL out of err: the *url.Error that
// http.Client returns names the whole URL ("Post \"https://…/T000/B000/XXX\":
// dial tcp …"); its URL is redacted in place, its cause kept.
func redactError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = RedactURL(ue.URL)
	}
	return err
}
