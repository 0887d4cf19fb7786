package dsn

import (
	"bufio"
	"io"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	// Registers the charsets go-message decodes text parts from.
	_ "github.com/emersion/go-message/charset"
)

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

// entityOf makes a go-message entity, which decodes the transfer encoding
// and the charset of text parts, from our header and a body reader.
func (p *parser) entityOf(h header, body io.Reader) *message.Entity {
	var mh message.Header
	if v := h.get("Content-Type"); v != "" {
		mh.Set("Content-Type", v)
	}
	if v := h.get("Content-Transfer-Encoding"); v != "" {
		mh.Set("Content-Transfer-Encoding", v)
	}
	e, err := message.New(mh, body)
	if err != nil {
		p.problem("mime: %v", err)
	}
	return e
}

// walkEntity visits a message or part given by its header and raw body.
func (p *parser) walkEntity(h header, body io.Reader, depth int) {
	e := p.entityOf(h, body)
	if e == nil {
		return
	}
	p.visit(e, depth)
}

// visit dispatches one entity on its media type. It reports whether the
// entity was a returned original message.
func (p *parser) visit(e *message.Entity, depth int) bool {
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
	if mr := e.MultipartReader(); mr != nil {
		p.walkMultipart(mr, depth)
		return false
	}
	return p.leaf(mediaType(e.Header.Get("Content-Type")), e, depth)
}

// mediaType returns the lower-case media type of a Content-Type value,
// the part before any parameter. go-message has parsed the parameters
// already; this also accepts the malformed values common in bounces.
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

func (p *parser) walkMultipart(mr message.MultipartReader, depth int) {
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
func (p *parser) leaf(mt string, e *message.Entity, depth int) bool {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status",
		// QUIRK: some MTAs label the status part text/delivery-status.
		"text/delivery-status":
		p.sawDSN = true
		p.deliveryStatus(readPrefix(e.Body, maxReportBytes), mt == "message/global-delivery-status")
	case "message/feedback-report":
		p.sawFeedback = true
		for _, g := range parseGroups(readPrefix(e.Body, maxReportBytes)) {
			p.feedback = append(p.feedback, g...)
		}
	case "text/rfc822-headers", "message/rfc822-headers", "text/rfc822-header":
		br := bufio.NewReaderSize(io.LimitReader(e.Body, p.opts.MaxHeaderBytes), 1024)
		h, _ := readHeader(&bufLines{br: br}, p.opts.MaxHeaderBytes, p.opts.Headers)
		p.setOriginalHeader(h)
		return true
	case "message/rfc822", "message/global", "message/partial":
		return p.embedded(e, depth)
	case "text/html":
		if len(p.htmls) < 4 {
			p.htmls = append(p.htmls, readPrefix(e.Body, maxTextBytes))
		}
	case "", "text/plain", "text/enriched":
		if len(p.texts) < 3 {
			p.texts = append(p.texts, readPrefix(e.Body, maxTextBytes))
		}
	}
	return false
}

// embedded handles a message/rfc822 part: the returned original (headers
// only are read) or a report forwarded as an attachment (walked in full).
// It reports whether the part was a returned original.
func (p *parser) embedded(e *message.Entity, depth int) bool {
	br := smallReaders.Get().(*bufio.Reader)
	br.Reset(e.Body)
	defer func() {
		br.Reset(nil)
		smallReaders.Put(br)
	}()
	h, st := readHeader(&bufLines{br: br}, p.opts.MaxHeaderBytes, p.opts.Headers)
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
		p.walkEntity(h, br, depth+1)
		return false
	}
	p.setOriginalHeader(h)
	return true
}

// smallReaders recycles the readers of attached messages' headers.
var smallReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 1024) }}

// isForwardedReport reports whether an attached message is itself a
// delivery or feedback report (forwarded by a person or a system).
func isForwardedReport(h header) bool {
	ct := strings.ToLower(h.get("Content-Type"))
	if strings.HasPrefix(ct, "multipart/report") {
		return true
	}
	return looksLikeBounceHeader(h)
}

// readPrefix reads at most n bytes of r as a string, through a recycled
// scratch buffer so that only the string itself is allocated.
func readPrefix(r io.Reader, n int64) string {
	buf := getBuffer()
	defer putBuffer(buf)
	b := (*buf)[:0]
	for int64(len(b)) < n {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		end := int(min(int64(cap(b)), n))
		m, err := r.Read(b[len(b):end])
		b = b[:len(b)+m]
		if err != nil {
			break
		}
	}
	*buf = b[:0]
	return string(b)
}
