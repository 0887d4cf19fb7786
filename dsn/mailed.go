package dsn

import "strings"

// Which address a record names: the Final-Recipient (where the message
// was last headed) or the Original-Recipient (RFC 3464 2.3.1: the
// recipient as the sender gave it; Postfix's "expanded from <a>", Exim's
// "generated from a", Sendmail's "expanded from: a" notes name it too).

// markMailed marks the records whose Original-Recipient is the address the
// sender mailed and should be recorded (Recipient.Address). A record keeps
// its Final-Recipient unless all of these hold:
//
//   - the original is a mail address, other than the final one written
//     otherwise ("a..b"@x and a..b@x, or case);
//   - the final address is in the original's domain or under it
//     (notikums@tv5.lv → jekaterina@tv5.lv, max.haas@unibas.ch →
//     HAASM@yogi.urz.unibas.ch): the mailed domain resolved its own alias
//     or directory name to one of its mailboxes, a name the sender never
//     sees, so suppressing it would never stop the next bounce. A final
//     address in another domain (a forward out of the mailed one, the
//     parent domain included) keeps the Final-Recipient: it is the
//     forward's target that failed, often for the forward hop itself
//     (SPF, DMARC, relay policy), and the reference tables name it so;
//   - no other record of the report names the same original for another
//     final address: an alias of several members, whose one failing
//     member says nothing of the others;
//   - the returned message's own To or Cc does not name the final
//     address: when the sender's header names it, it is an address the
//     sender mailed.
func (p *parser) markMailed() {
	recs := p.rep.Recipients
	for i := range recs {
		r := &recs[i]
		o, f := r.OriginalRecipient, r.FinalRecipient
		if o == "" || f == "" || !plausibleAddr(o) || sameAddress(o, f) ||
			!withinDomain(domainOf(f), domainOf(o)) || fannedOut(recs, i) || p.returnedNames(f) {
			continue
		}
		r.mailedOriginal = true
	}
}

// withinDomain reports whether domain d is parent or a name under it (both
// lower case or not; compared without case).
func withinDomain(d, parent string) bool {
	if d == "" || parent == "" {
		return false
	}
	if len(d) == len(parent) {
		return strings.EqualFold(d, parent)
	}
	return len(d) > len(parent) && d[len(d)-len(parent)-1] == '.' && strings.EqualFold(d[len(d)-len(parent):], parent)
}

// fannedOut reports whether another record of recs names recs[i]'s
// Original-Recipient for a different final address.
func fannedOut(recs []Recipient, i int) bool {
	o, f := recs[i].OriginalRecipient, recs[i].FinalRecipient
	for j := range recs {
		if j != i && sameAddress(recs[j].OriginalRecipient, o) && !sameAddress(recs[j].FinalRecipient, f) {
			return true
		}
	}
	return false
}

// returnedNames reports whether the returned message's To or Cc names
// addr.
func (p *parser) returnedNames(addr string) bool {
	if p.original == nil {
		return false
	}
	for _, name := range []string{"To", "Cc"} {
		for _, a := range addrList(p.original.get(name)) {
			if sameAddress(a, addr) {
				return true
			}
		}
	}
	return false
}
