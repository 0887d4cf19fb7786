package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned (wrapped) when an endpoint's host
// resolves to an address the endpoint may not reach: private, loopback,
// link-local, unspecified, multicast or another special-purpose range,
// unless the endpoint allows it.
var ErrForbiddenAddress = errors.New("webhook: address not allowed (private, loopback, link-local or special-purpose; set allow_private)")

// ErrRedirect is the error of a response that redirects (3xx): endpoints
// must answer at the configured URL; the redirect is never followed.
var ErrRedirect = errors.New("webhook: redirect refused")

// reach says which addresses a client may connect to.
type reach struct {
	private  bool // private, link-local, loopback: anything (allow_private)
	loopback bool // loopback only (the URL names a loopback host)
}

// allowed reports whether the client may connect to ip.
func (r reach) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case r.private:
		return true
	case ip.IsLoopback():
		return r.loopback
	case ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsUnspecified(),
		ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return false
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// special are the IANA special-purpose ranges that are not the public
// internet (RFC 6890 and successors) beyond what netip classifies: shared
// (CGNAT), "this network", protocol assignments, documentation,
// benchmarking, reserved, and NAT64 (which maps onto IPv4, private too).
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
		"2001:db8::/32", "fec0::/10"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// newClient returns the HTTP client of one endpoint: each connection is
// checked after the name is resolved, at the address actually dialled (so
// a name resolving to 127.0.0.1 or 169.254.169.254 is refused, and DNS
// rebinding between check and dial is impossible); redirects are not
// followed; keep-alive connections, up to conns per host.
func newClient(r reach, timeout time.Duration, conns int) *http.Client {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if !r.allowed(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
			}
			return nil
		}}
	t := &http.Transport{
		DialContext:           d.DialContext,
		Proxy:                 nil, // a proxy would dial for us, past the check
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		MaxConnsPerHost:       conns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: t, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
