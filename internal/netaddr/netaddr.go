// Package netaddr holds the one rule bouncer applies to host names in
// several places: whether a host is this machine (where sending a password
// or serving the API without TLS or a token is acceptable).
package netaddr

import "net"

// Loopback reports whether host names this machine: "localhost" or a
// loopback address (127.0.0.0/8, ::1).
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
