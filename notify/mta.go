package notify

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/bouncer-mail/bouncer/suppression"
)

// mergeMTAs shows each remote MTA in one form: reports name the same
// server as "mx.example.com", "mx.example.com [192.0.2.1]" or
// "[192.0.2.1]". A name wins over an address; an address seen next to a
// name anywhere in the ranking is counted under that name; a bare address
// loses its brackets. Counts of merged rows add up; the result is ranked
// again (most first, ties by label) and cut to limit (<= 0: all).
func mergeMTAs(rows []suppression.Count, limit int) []suppression.Count {
	hostOf := map[string]string{} // address → name, from "name [address]"
	for _, c := range rows {
		if host, addr := splitMTA(c.Key); host != "" && addr != "" {
			hostOf[addr] = host
		}
	}
	sums := map[string]int{}
	for _, c := range rows {
		host, addr := splitMTA(c.Key)
		label := cmp.Or(host, hostOf[addr], addr)
		sums[label] += c.N
	}
	out := make([]suppression.Count, 0, len(sums))
	for k, n := range sums {
		out = append(out, suppression.Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b suppression.Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// splitMTA splits "host [addr]", "[addr]", "host" or a bare address into a
// lower-cased host name (no trailing dot) and an address.
func splitMTA(s string) (host, addr string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '['); i >= 0 {
		if j := strings.IndexByte(s[i:], ']'); j > 0 {
			addr = strings.TrimPrefix(strings.ToLower(s[i+1:i+j]), "ipv6:")
			s = strings.TrimSpace(s[:i] + s[i+j+1:])
		}
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if _, err := netip.ParseAddr(s); err == nil && addr == "" {
		return "", s
	}
	return s, addr
}
