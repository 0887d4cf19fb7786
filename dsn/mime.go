package dsn

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	// Registers the charsets go-message decodes text parts from.
	_ "github.com/emersion/go-message/charset"
)

// The MIME walk works on the message held in memory: parts are slices of
// the input, found the way go-message's multipart reader finds them
// (multipart.go), and only the parts the parser reads are decoded, through
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

// entity is a message or a MIME part: the two header fields the walk reads
// and its undecoded body, as go-message's message.New would see them.
type entity struct {
	ct  string // first Content-Type value, "" when there is none
	cte string // first Content-Transfer-Encoding value
	// mt is the media type as go-message parses it: lower case,
	// "text/plain" when there is no Content-Type, the whole value when it
	// does not parse.
	mt       string
	boundary string // boundary parameter, decoded
	charset  string // charset parameter, lower case, when decodeCharset
	// decodeCharset is set for a text part with a known charset other than
	// UTF-8 and US-ASCII.
	decodeCharset bool
	// decodeTransfer is set when the body is quoted-printable or base64.
	decodeTransfer bool
	base64         bool
	body           []byte
	// end is what reading past body returns: io.EOF, or the error that cut
	// the body short (a missing closing boundary, a decoding error).
	end error
}

// newEntity makes the entity of a header and a body, like message.New: the
// error reports an unknown transfer encoding or charset (the body is then
// read undecoded).
func newEntity(ct, cte string, body []byte, end error) (*entity, error) {
	e := &entity{ct: ct, cte: cte, body: body, end: end}
	var charset string
	var hasCharset bool
	if ct == "" {
		e.mt = "text/plain"
	} else if pc, ok := parseContentType(ct); ok {
		e.mt = pc.mediaType
		e.boundary = decodeHeader(pc.boundary)
		charset, hasCharset = pc.charset, pc.hasCharset
	} else if mt, params, err := mime.ParseMediaType(ct); err != nil {
		e.mt = ct
	} else {
		e.mt = mt
		if b, ok := params["boundary"]; ok {
			e.boundary = decodeHeader(b)
		}
		charset, hasCharset = params["charset"]
	}
	var err error
	// QUIRK (go-message): the transfer encoding of a multipart is ignored.
	if !strings.HasPrefix(e.mt, "multipart/") {
		switch enc := strings.ToLower(cte); enc {
		case "quoted-printable":
			e.decodeTransfer = true
		case "base64":
			e.decodeTransfer, e.base64 = true, true
		case "7bit", "8bit", "binary", "":
		default:
			err = fmt.Errorf("encoding error: unhandled encoding %q", cte)
		}
	}
	// RFC 2046 section 4.1.2: charset only applies to text/*.
	if hasCharset && strings.HasPrefix(e.mt, "text/") {
		ch := strings.ToLower(decodeHeader(charset))
		if ch != "utf-8" && ch != "us-ascii" {
			if known, cerr := charsetKnown(ch); cerr != nil {
				// go-message wraps the error twice.
				err = fmt.Errorf("unknown charset: unknown charset: %w", cerr)
			} else if known {
				e.charset, e.decodeCharset = ch, true
			}
		}
	}
	return e, err
}

// contentType is what the walk needs of a Content-Type value.
type contentType struct {
	mediaType, boundary, charset string
	hasCharset                   bool
}

// parseContentType reads the common forms of a Content-Type value (a
// type/subtype, then token or simple quoted parameters) without
// allocating, with the result of mime.ParseMediaType. ok is false for
// anything else (spaces other than SP and HTAB, RFC 2231 parameters,
// escapes, repeated or more than 8 parameters, syntax errors): the caller
// then uses mime.ParseMediaType.
func parseContentType(v string) (ct contentType, ok bool) {
	base, rest, _ := strings.Cut(v, ";")
	for base != "" && (base[0] == ' ' || base[0] == '\t') {
		base = base[1:]
	}
	for base != "" && (base[len(base)-1] == ' ' || base[len(base)-1] == '\t') {
		base = base[:len(base)-1]
	}
	typ, sub := consumeToken(base)
	if typ == "" || sub != "" && (sub[0] != '/' || !isToken(sub[1:])) {
		return ct, false
	}
	ct.mediaType = lowerASCII(base)
	rest = strings.TrimLeft(rest, " \t")
	var keys [8]string
	n := 0
	for rest != "" {
		key, after := consumeToken(rest)
		if key == "" || n == len(keys) || !strings.HasPrefix(after, "=") || strings.IndexByte(key, '*') >= 0 {
			return ct, false
		}
		after = after[1:]
		var value string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return ct, false
			}
			value, after = after[1:1+end], after[2+end:]
			if strings.ContainsAny(value, "\\\r\n") {
				return ct, false
			}
		} else if value, after = consumeToken(after); value == "" {
			return ct, false
		}
		for _, k := range keys[:n] {
			if strings.EqualFold(k, key) {
				return ct, false
			}
		}
		keys[n] = key
		n++
		switch {
		case strings.EqualFold(key, "boundary"):
			ct.boundary = value
		case strings.EqualFold(key, "charset"):
			ct.charset, ct.hasCharset = value, true
		}
		after = strings.TrimLeft(after, " \t")
		if after == "" {
			break
		}
		if after[0] != ';' {
			return ct, false
		}
		rest = strings.TrimLeft(after[1:], " \t")
	}
	return ct, true
}

// consumeToken splits v after its leading MIME token.
func consumeToken(v string) (token, rest string) {
	for i := 0; i < len(v); i++ {
		if !isTokenChar(v[i]) {
			return v[:i], v[i:]
		}
	}
	return v, ""
}

func isToken(s string) bool {
	t, rest := consumeToken(s)
	return t != "" && rest == ""
}

// isTokenChar reports whether c may be in a MIME token (RFC 2045).
func isTokenChar(c byte) bool { return tokenChars[c] }

var tokenChars = func() (t [256]bool) {
	for c := '!'; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?=`, c)
	}
	return t
}()

// lowerASCII lower-cases an ASCII string, without allocating when it is
// lower case already.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// charsetKnown reports whether message.CharsetReader decodes charset
// (lower case), or its error. Answers are cached (a bounded number: the
// names come from the input).
func charsetKnown(charset string) (bool, error) {
	if message.CharsetReader == nil {
		return false, fmt.Errorf("message: unhandled charset %q", charset)
	}
	charsets.Lock()
	err, ok := charsets.m[charset]
	charsets.Unlock()
	if !ok {
		_, err = message.CharsetReader(charset, strings.NewReader(""))
		charsets.Lock()
		if len(charsets.m) < 256 {
			charsets.m[charset] = err
		}
		charsets.Unlock()
	}
	return err == nil, err
}

// charsets caches charsetKnown: charset name to CharsetReader's error.
var charsets = struct {
	sync.Mutex
	m map[string]error
}{m: map[string]error{}}

// reader returns the decoded body; r is the body after its transfer
// decoding, nil to decode it here.
func (e *entity) reader(r io.Reader) io.Reader {
	if r == nil {
		r = &memReader{b: e.body, end: e.end}
		if e.decodeTransfer {
			if e.base64 {
				r = base64.NewDecoder(base64.StdEncoding, &whitespaceReplacingReader{r: r})
			} else {
				r = quotedprintable.NewReader(r)
			}
		}
	}
	if e.decodeCharset {
		if cr, err := message.CharsetReader(e.charset, r); err == nil && cr != nil {
			r = cr
		}
	}
	return r
}

// prefix returns at most n bytes of the decoded body as a string.
func (e *entity) prefix(n int64) string {
	if !e.decodeTransfer && !e.decodeCharset {
		return string(e.body[:min(int64(len(e.body)), n)])
	}
	b, release, _ := e.decoded(n)
	s := string(b)
	if release != nil {
		release()
	}
	return s
}

// decoded returns at most n bytes of the decoded body and what reading
// past them returns (nil when the limit cut it). A non-nil release gives
// back the buffer they were decoded into, after which they must not be
// used.
func (e *entity) decoded(n int64) (b []byte, release func(), end error) {
	if !e.decodeTransfer && !e.decodeCharset {
		if int64(len(e.body)) > n {
			return e.body[:n], nil, nil
		}
		return e.body, nil, e.end
	}
	buf := getBuffer()
	switch {
	case e.decodeTransfer && !e.base64 && !e.decodeCharset:
		b, end = qpDecode((*buf)[:0], e.body, e.end, int(min(n, int64(len(e.body))+1)))
		if int64(len(b)) > n {
			b, end = b[:n], nil
		}
	case e.decodeTransfer && !e.base64:
		// Quoted-printable never decodes to more bytes than it has.
		qp := getBuffer()
		dec, qerr := qpDecode((*qp)[:0], e.body, e.end, len(e.body)+1)
		*qp = dec[:0]
		b, end = readAtMost(e.reader(&memReader{b: dec, end: qerr}), n, *buf)
		putBuffer(qp)
	default:
		b, end = readAtMost(e.reader(nil), n, *buf)
	}
	*buf = b[:0]
	return b, func() { putBuffer(buf) }, end
}

// readAtMost reads at most n bytes of r into buf (grown as needed) and
// returns them with the error that stopped the reading, nil when n bytes
// were read.
func readAtMost(r io.Reader, n int64, buf []byte) ([]byte, error) {
	buf = buf[:0]
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := int(min(int64(cap(buf)), n))
		m, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// memReader reads b, then returns end.
type memReader struct {
	b   []byte
	end error
}

func (r *memReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, r.end
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// whitespaceReplacingReader turns spaces and tabs into line feeds so that
// base64 indented like a header still decodes (as go-message does).
type whitespaceReplacingReader struct{ r io.Reader }

func (w *whitespaceReplacingReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	for i := range p[:n] {
		if p[i] == ' ' || p[i] == '\t' {
			p[i] = '\n'
		}
	}
	return n, err
}

// walkEntity visits a message or part given by its header and raw body;
// end is what reading past the body returns.
func (p *parser) walkEntity(h header, body []byte, end error, depth int) {
	e, err := newEntity(h.get("Content-Type"), h.get("Content-Transfer-Encoding"), body, end)
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
func (p *parser) visit(e *entity, depth int) bool {
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
	if strings.HasPrefix(e.mt, "multipart/") {
		p.walkMultipart(newMultipartReader(e.body, e.end, e.boundary), depth)
		return false
	}
	return p.leaf(mediaType(e.ct), e, depth)
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

func (p *parser) walkMultipart(mr *multipartReader, depth int) {
	for p.parts <= p.opts.MaxParts {
		part, err := mr.nextPart()
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
func (p *parser) leaf(mt string, e *entity, depth int) bool {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status",
		// QUIRK: some MTAs label the status part text/delivery-status.
		"text/delivery-status":
		p.sawDSN = true
		p.deliveryStatus(e.prefix(maxReportBytes), mt == "message/global-delivery-status")
	case "message/feedback-report":
		p.sawFeedback = true
		for _, g := range parseGroups(e.prefix(maxReportBytes)) {
			p.feedback = append(p.feedback, g...)
		}
	case "text/rfc822-headers", "message/rfc822-headers", "text/rfc822-header":
		b, release, _ := e.decoded(p.opts.MaxHeaderBytes)
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
			p.texts = append(p.texts, e.prefix(maxTextBytes))
		}
	}
	return false
}

// embedded handles a message/rfc822 part: the returned original (headers
// only are read) or a report forwarded as an attachment (walked in full).
// It reports whether the part was a returned original.
func (p *parser) embedded(e *entity, depth int) bool {
	// An encoded attachment is decoded as far as its header first; all
	// of it only when it is walked.
	b, release, end := e.decoded(min(p.opts.MaxSize, embeddedHeadBytes))
	src := &memLines{data: b, maxLine: maxFieldBytes}
	h, st := readHeader(src, p.opts.MaxHeaderBytes, p.opts.Headers)
	whole := func() {
		if end == nil {
			// Cut by the limit: decode it all and read the header again.
			if release != nil {
				release()
			}
			b, release, end = e.decoded(p.opts.MaxSize)
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
