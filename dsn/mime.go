package dsn

import (
	"io"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
)

// The MIME walk works on the message held in memory: parts are slices of
// the input, found the way go-message's multipart reader finds them
// (package mimepart), and only the parts the parser reads are decoded, through
// the same transfer-encoding and charset decoders go-message uses. It gives
// the Reports the walk over go-message gave (legacywalk_test.go checks it)
// without copying every part through buffered readers.

// splitTop reads the top-level header block of data and returns it with
// the body.
func (p *parser) splitTop(data []byte) (header, []byte, error) {
	src := &memLines{data: data}
	h, st := readHeader(src, p.opts.MaxHeaderBytes, p.opts.Headers)
	if st.tooLong {
		return nil, nil, &HeaderTooLongError{Limit: p.opts.MaxHeaderBytes}
	}
	if st.bad > 0 {
		p.problem("header: %d lines are not fields", st.bad)
	}
	return h, data[src.off:], nil
}

// walkEntity visits a message or part given by its header and raw body;
// end is what reading past the body returns.
func (p *parser) walkEntity(h header, body []byte, end error, depth int) {
	e, err := mimepart.NewEntity(h.get("Content-Type"), h.get("Content-Transfer-Encoding"), body, end)
	if err != nil {
		p.problem("mime: %v", err)
	}
	p.visit(e, depth)
}

// walkTop walks the body of the top-level message.
func (p *parser) walkTop(h header, body []byte) {
	if p.walkHook != nil {
		p.walkHook(p, h, body)
		return
	}
	p.walkEntity(h, body, io.EOF, 0)
}

// visit dispatches one entity on its media type. It reports whether the
// entity was a returned original message.
func (p *parser) visit(e *mimepart.Entity, depth int) bool {
	p.parts++
	if p.parts > p.opts.MaxParts {
		if p.parts == p.opts.MaxParts+1 {
			p.problem("mime: more than %d parts; the rest is skipped", p.opts.MaxParts)
		}
		return false
	}
	if depth > p.opts.MaxDepth {
		if !p.tooDeep {
			p.tooDeep = true
			p.problem("mime: parts nested deeper than %d are skipped", p.opts.MaxDepth)
		}
		return false
	}
	if strings.HasPrefix(e.MediaType, "multipart/") {
		p.walkMultipart(mimepart.NewMultipartReader(e.Body, e.End, e.Boundary), depth)
		return false
	}
	return p.leaf(mediaType(e.ContentType), e, depth)
}

// mediaType returns the lower-case media type of a Content-Type value,
// the part before any parameter. This also accepts the malformed values
// common in bounces.
func mediaType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(v)
		}
	}
	return v
}

func (p *parser) walkMultipart(mr *mimepart.MultipartReader, depth int) {
	for p.parts <= p.opts.MaxParts {
		part, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if part == nil {
			p.problem("mime: %v", err)
			return
		}
		if err != nil {
			p.problem("mime: %v", err)
		}
		if p.visit(part, depth+1) && (p.sawDSN || p.sawFeedback || len(p.texts) > 0) {
			// The returned original closes a report: skip the scan of
			// its body for a boundary that only ends the message.
			return
		}
	}
}

// leaf handles a single-part entity of media type mt and reports whether
// it was a returned original message.
func (p *parser) leaf(mt string, e *mimepart.Entity, depth int) bool {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status",
		// QUIRK: some MTAs label the status part text/delivery-status.
		"text/delivery-status":
		p.sawDSN = true
		p.deliveryStatus(e.Prefix(maxReportBytes), mt == "message/global-delivery-status")
	case "message/disposition-notification":
		// QUIRK (every MUA that sends RFC 8098 read receipts: Outlook,
		// Thunderbird, Apple Mail): a disposition notification says what
		// a reader did with a delivered message, never a failure to
		// deliver it, whatever its prose quotes.
		p.sawMDN = true
	case "message/feedback-report":
		p.sawFeedback = true
		for _, g := range parseGroups(e.Prefix(maxReportBytes)) {
			p.feedback = append(p.feedback, g...)
		}
	case "text/rfc822-headers", "message/rfc822-headers", "text/rfc822-header":
		b, release, _ := e.Decoded(p.opts.MaxHeaderBytes)
		h, _ := readHeader(&memLines{data: b, maxLine: maxFieldBytes}, p.opts.MaxHeaderBytes, p.opts.Headers)
		if release != nil {
			release()
		}
		p.setOriginalHeader(h)
		return true
	case "message/rfc822", "message/global", "message/partial":
		return p.embedded(e, depth)
	case "text/html":
		if len(p.htmls) < 4 {
			// Read only when no text part is found (textBounce).
			p.htmls = append(p.htmls, e)
		}
	case "", "text/plain", "text/enriched":
		if len(p.texts) < 3 {
			p.texts = append(p.texts, e.Prefix(maxTextBytes))
		}
	}
	return false
}

// embedded handles a message/rfc822 part: the returned original (headers
// only are read) or a report forwarded as an attachment (walked in full).
// It reports whether the part was a returned original.
func (p *parser) embedded(e *mimepart.Entity, depth int) bool {
	// An encoded attachment is decoded as far as its header first; all
	// of it only when it is walked.
	b, release, end := e.Decoded(min(p.opts.MaxSize, embeddedHeadBytes))
	src := &memLines{data: b, maxLine: maxFieldBytes}
	h, st := readHeader(src, p.opts.MaxHeaderBytes, p.opts.Headers)
	whole := func() {
		if end == nil {
			// Cut by the limit: decode it all and read the header again.
			if release != nil {
				release()
			}
			b, release, end = e.Decoded(p.opts.MaxSize)
			src = &memLines{data: b, maxLine: maxFieldBytes}
			h, st = readHeader(src, p.opts.MaxHeaderBytes, p.opts.Headers)
		}
	}
	if src.off == len(b) {
		whole() // the header may go on
	}
	if release != nil {
		n := len(p.htmls)
		defer func() {
			if len(p.htmls) > n {
				// An HTML part in b may be read until the parse ends.
				p.releases = append(p.releases, release)
			} else {
				release()
			}
		}()
	}
	if st.fields == 0 {
		return false
	}
	if v := h.get("X-HmXmrOriginalRecipient"); v != "" {
		// QUIRK: Microsoft JMRP complaints (Outlook.com, Hotmail) carry no
		// feedback-report part; the complained-about message is attached
		// with the complaining recipient in this header.
		p.jmrp = true
		p.jmrpRcpt = cleanAddr(v)
	}
	if !p.sawDSN && !p.sawFeedback && isForwardedReport(h) {
		whole()
		if end == nil {
			end = io.EOF
		}
		p.walkEntity(h, b[src.off:], end, depth+1)
		return false
	}
	p.setOriginalHeader(h)
	return true
}

// embeddedHeadBytes is how much of an encoded attached message is decoded
// to read its header.
const embeddedHeadBytes = 16 << 10

// isForwardedReport reports whether an attached message is itself a
// delivery or feedback report (forwarded by a person or a system).
func isForwardedReport(h header) bool {
	ct := strings.ToLower(h.get("Content-Type"))
	if strings.HasPrefix(ct, "multipart/report") {
		return true
	}
	return looksLikeBounceHeader(h)
}
