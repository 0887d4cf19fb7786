package dsn

import "strings"

// Never invent a recipient: a failure record must name an address that
// failed, not a placeholder, a masked address, or one of our own.

// dropInvented removes the records of a bounce or DSN that name no one who
// failed: an empty or null ("<>") recipient, a masked address
// ("david...@gmail.com", "da***@gmail.com"), or one of our own addresses
// (Options.OwnAddresses). It notes each drop in Report.Problems.
func (p *parser) dropInvented() {
	if p.rep.Type != TypeDSN && p.rep.Type != TypeBounce && p.rep.Type != TypeAutoreply {
		return
	}
	own := p.ownAddresses()
	out := p.rep.Recipients[:0]
	for _, r := range p.rep.Recipients {
		a := strings.TrimSpace(r.FinalRecipient)
		switch {
		case (a == "" || a == "<>") && !p.opts.KeepNameless:
			p.problem("recipient: a record names no address")
		case maskedAddr(a):
			p.problem("recipient: %q is masked", a)
		case own[strings.ToLower(a)] && r.Action != "autoreply":
			p.problem("recipient: %q is the notice's own address", a)
		default:
			out = append(out, r)
			continue
		}
	}
	p.rep.Recipients = out
	if len(out) == 0 && p.rep.Type != TypeDSN {
		p.rep.Type = TypeOther
	}
}

// maskedAddr reports whether an address has been shortened for display:
// consecutive dots or an asterisk in an unquoted local part, or an
// ellipsis.
func maskedAddr(a string) bool {
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || a[0] == '"' {
		return strings.Contains(a, "…")
	}
	local := a[:at]
	return strings.Contains(local, "..") || strings.Contains(local, "**") || strings.Contains(a, "…")
}

// ownAddresses are the addresses Options.OwnAddresses names (the bounce
// mailbox, our senders), lower-cased. Nothing in the message itself can
// say which addresses are ours: mail sent to oneself and forwarded on
// fails at the address that sent it.
func (p *parser) ownAddresses() map[string]bool {
	if len(p.opts.OwnAddresses) == 0 {
		return nil
	}
	own := make(map[string]bool, len(p.opts.OwnAddresses))
	for _, a := range p.opts.OwnAddresses {
		own[strings.ToLower(strings.TrimSpace(cleanAddr(a)))] = true
	}
	return own
}
