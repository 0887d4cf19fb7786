package dsn

import (
	"net/textproto"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
)

// decodeHeader decodes RFC 2047 encoded words; undecodable text is kept.
func decodeHeader(v string) string { return mimepart.DecodeHeader(v) }

// addrList returns the addresses of an address-list header value.
func addrList(v string) []string {
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		if a := findAddr(part); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// firstAddr returns the address in a From-like value, or the decoded value
// when it holds none.
func firstAddr(v string) string {
	if a := findAddr(v); a != "" {
		return a
	}
	return strings.TrimSpace(decodeHeader(v))
}

// envelopeOf reads the identifying headers of the bounce message itself.
func envelopeOf(h header) Envelope {
	var env Envelope
	for _, f := range h {
		// Field names are ASCII (fieldName): EqualFold is a lower-case
		// comparison, without lowering each name.
		switch n := f.name; {
		case strings.EqualFold(n, "message-id"):
			if env.MessageID == "" {
				env.MessageID = strings.TrimSpace(f.value)
			}
		case strings.EqualFold(n, "from"):
			if env.From == "" {
				env.From = firstAddr(f.value)
			}
		case strings.EqualFold(n, "subject"):
			if env.Subject == "" {
				env.Subject = cleanText(decodeHeader(f.value))
			}
		case strings.EqualFold(n, "to"):
			env.To = append(env.To, addrList(f.value)...)
		case strings.EqualFold(n, "delivered-to"), strings.EqualFold(n, "x-original-to"):
			if a := findAddr(f.value); a != "" {
				env.DeliveredTo = append(env.DeliveredTo, a)
			}
		case strings.EqualFold(n, "date"):
			if v := strings.TrimSpace(f.value); env.Date.IsZero() && v != "" {
				if t, ok := parseDate(v); ok {
					env.Date = t.UTC()
				}
			}
		}
	}
	return env
}

// setOriginalHeader keeps the first returned-original header seen.
func (p *parser) setOriginalHeader(h header) {
	if p.original == nil && len(h) > 0 {
		p.original = h
	}
}

// setOriginal fills Report.Original from the returned original's header.
func (p *parser) setOriginal() {
	h := p.original
	if h == nil {
		return
	}
	o := &p.rep.Original
	o.MessageID = strings.TrimSpace(h.get("Message-Id"))
	o.From = firstAddr(h.get("From"))
	o.To = cleanText(decodeHeader(h.get("To")))
	o.Subject = cleanText(decodeHeader(h.get("Subject")))
	o.ReturnPath = cleanAddr(h.get("Return-Path"))
	for _, name := range p.opts.Headers {
		if v := h.get(name); v != "" {
			if o.Headers == nil {
				o.Headers = map[string]string{}
			}
			o.Headers[textproto.CanonicalMIMEHeaderKey(name)] = cleanText(decodeHeader(v))
		}
	}
}
