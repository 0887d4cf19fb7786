package dsn

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
	"github.com/emersion/go-message"
)

// The MIME walk as it was written over go-message (before the walk over
// memory in mime.go), kept to check that both walks give the same Report.

// parseLegacy is ParseWithOptions for an input held in memory, walking
// with go-message.
func parseLegacy(data []byte, opts *Options) (*Report, error) {
	o := opts.withDefaults()
	data = bytes.Clone(data)
	truncated := int64(len(data)) > o.MaxSize
	if truncated {
		data = data[:o.MaxSize]
	}
	p := newParser(o)
	p.walkHook = func(p *parser, h header, body []byte) {
		p.legacyWalkEntity(h, bytes.NewReader(body), 0)
	}
	if err := p.parse(foldBoundary(normalizeNewlines(data))); err != nil {
		return nil, err
	}
	if truncated {
		p.problem("input truncated at %d bytes", o.MaxSize)
	}
	return p.rep, nil
}

func (p *parser) legacyEntityOf(h header, body io.Reader) *message.Entity {
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

func (p *parser) legacyWalkEntity(h header, body io.Reader, depth int) {
	e := p.legacyEntityOf(h, body)
	if e == nil {
		return
	}
	p.legacyVisit(e, depth)
}

func (p *parser) legacyVisit(e *message.Entity, depth int) bool {
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
		p.legacyWalkMultipart(mr, depth)
		return false
	}
	return p.legacyLeaf(mediaType(e.Header.Get("Content-Type")), e, depth)
}

func (p *parser) legacyWalkMultipart(mr message.MultipartReader, depth int) {
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
		if p.legacyVisit(part, depth+1) && (p.sawDSN || p.sawFeedback || len(p.texts) > 0) {
			return
		}
	}
}

func (p *parser) legacyLeaf(mt string, e *message.Entity, depth int) bool {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status",
		"text/delivery-status":
		p.sawDSN = true
		p.deliveryStatus(legacyReadPrefix(e.Body, maxReportBytes), mt == "message/global-delivery-status")
	case "message/feedback-report":
		p.sawFeedback = true
		for _, g := range parseGroups(legacyReadPrefix(e.Body, maxReportBytes)) {
			p.feedback = append(p.feedback, g...)
		}
	case "text/rfc822-headers", "message/rfc822-headers", "text/rfc822-header":
		br := bufio.NewReaderSize(io.LimitReader(e.Body, p.opts.MaxHeaderBytes), 1024)
		h, _ := legacyReadHeader(&legacyBufLines{br: br}, p.opts.MaxHeaderBytes, p.opts.Headers)
		p.setOriginalHeader(h)
		return true
	case "message/rfc822", "message/global", "message/partial":
		return p.legacyEmbedded(e, depth)
	case "text/html":
		if len(p.htmls) < 4 {
			p.htmls = append(p.htmls, &mimepart.Entity{Body: []byte(legacyReadPrefix(e.Body, maxTextBytes)), End: io.EOF})
		}
	case "", "text/plain", "text/enriched":
		if len(p.texts) < 3 {
			p.texts = append(p.texts, legacyReadPrefix(e.Body, maxTextBytes))
		}
	}
	return false
}

func (p *parser) legacyEmbedded(e *message.Entity, depth int) bool {
	br := bufio.NewReaderSize(e.Body, 1024)
	h, st := legacyReadHeader(&legacyBufLines{br: br}, p.opts.MaxHeaderBytes, p.opts.Headers)
	if st.fields == 0 {
		return false
	}
	if v := h.get("X-HmXmrOriginalRecipient"); v != "" {
		p.jmrp = true
		p.jmrpRcpt = cleanAddr(v)
	}
	if !p.sawDSN && !p.sawFeedback && isForwardedReport(h) {
		p.legacyWalkEntity(h, br, depth+1)
		return false
	}
	p.setOriginalHeader(h)
	return true
}

func legacyReadPrefix(r io.Reader, n int64) string {
	b, _ := io.ReadAll(io.LimitReader(r, n))
	return string(b)
}

// legacyBufLines reads lines from a bufio.Reader, keeping at most
// maxFieldBytes of a line longer than the buffer.
type legacyBufLines struct {
	br   *bufio.Reader
	long []byte
}

func (r *legacyBufLines) readLine() ([]byte, int, error) {
	b, err := r.br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, len(b), err
	}
	n := len(b)
	r.long = append(r.long[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = r.br.ReadSlice('\n')
		n += len(b)
		if len(r.long) < maxFieldBytes {
			r.long = append(r.long, b...)
		}
	}
	return r.long, n, err
}

// mp wraps a body in a multipart bounce with boundary "b".
func mp(body string) string {
	return "From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; boundary=b\n\n" + body
}

// base64Lines encodes s in base64 lines of 76 characters.
func base64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

// FuzzWalkParity checks that the walk over memory and the walk over
// go-message give the same Report.
func FuzzWalkParity(f *testing.F) {
	for _, path := range corpusFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		nestedMultipart(3), nestedRFC822(3), dsnMessage(recipientGroup("a@b.example")),
		"Content-Type: multipart/mixed; boundary=b\n\npre\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" +
			"Q29udGVudC1UeXBlOiBtdWx0aXBhcnQvcmVwb3J0OyBib3VuZGFyeT1jDQoNCi0tYw0KQ29udGVudC1UeXBlOiBtZXNzYWdlL2RlbGl2ZXJ5LXN0YXR1cw0KDQpGaW5hbC1SZWNpcGllbnQ6IHJmYzgyMjsgYUBiLmV4YW1wbGUNCkFjdGlvbjogZmFpbGVkDQpTdGF0dXM6IDUuMS4xDQotLWMtLQ0K\n--b--\n",
		// Edges of the multipart reader: a preamble line longer than its
		// buffer, no closing boundary, a closing boundary without a line
		// ending, a part header line without a colon or with the colon on
		// a continuation line, an empty boundary, a body that is only a
		// boundary, lookalike boundaries, LWSP after boundaries, "--b--"
		// in the preamble, CRLF in a decoded attachment.
		mp("pre " + strings.Repeat("x", 5000) + "\n--b\nContent-Type: text/plain\n\nhi\n--b--\n"),
		mp("--b\nContent-Type: text/plain\n\nno end"),
		mp("--b\nContent-Type: text/plain\n\nbody\n--b--"),
		mp("--b\nContent-Type: text/plain\nno colon here\n\nbody\n--b--\n"),
		mp("--b\nno colon\n x: y\n\nbody\n--b--\n"),
		mp("--b\n Content-Type: text/plain\n\nbody\n--b--\n"),
		"Content-Type: multipart/mixed; boundary=\"\"\n\n--\nContent-Type: text/plain\n\nx\n",
		mp("--b\nContent-Type: text/plain\n\n--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\nStatus: 5.1.1\n--b--\n"),
		mp("--b--\n--b \t\nContent-Type: text/plain\n\nthe --bx line\n--bx\n\n--b-x\nmore\n--b  \n\ntwo\n--b--  \n"),
		mp("--b\nContent-Type: text/plain; charset=x-unknown-charset\nContent-Transfer-Encoding: x-gzip\n\nbody\n--b--\n"),
		mp("--b\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nsoft=\nbreak =3D =XY =\n\tend=\n--b--\n"),
		mp("--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nbm90IGEgYm91bmNl\n--b--\n"),
		mp("--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" +
			"Q29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PWMNCkZyb206IE1BSUxFUi1EQUVNT05AeC5leGFtcGxlDQoNCi0tYw0KQ29udGVudC1UeXBlOiB0ZXh0L3BsYWluDQoNCm5vIGVuZA0K\n--b--\n"),
		mp("--b\nContent-Type: text/html\n\n<p>Delivery to <b>a@b.example</b> failed</p>\n--b--\n"),
		// Encoded attached messages whose header, or whose forwarded
		// report, goes past what is decoded first.
		mp("--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + base64Lines(
			strings.Repeat("Received: from relay.example by mx.example\r\n", 500)+"Subject: late\r\nTo: <late@x.example>\r\n\r\nbody\r\n") + "--b--\n"),
		"From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" +
			base64Lines("From: MAILER-DAEMON@x.example\r\nContent-Type: multipart/report; boundary=c\r\n\r\n--c\r\nContent-Type: text/plain\r\n\r\n"+
				strings.Repeat("filler line of the notice\r\n", 1000)+"--c\r\nContent-Type: message/delivery-status\r\n\r\n"+
				"Final-Recipient: rfc822; far@x.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--c--\r\n") + "--b--\n",
	} {
		f.Add([]byte(s))
	}
	opts := &Options{MaxSize: 1 << 20, Headers: []string{"X-Campaign"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := parseLegacy(data, opts)
		got, gerr := ParseWithOptions(bytes.NewReader(data), opts)
		if (werr == nil) != (gerr == nil || errors.Is(gerr, ErrTooLarge)) {
			t.Fatalf("errors differ: memory %v, go-message %v", gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("reports differ:\nmemory     %+v\ngo-message %+v", got, want)
		}
	})
}

// legacyReadHeader is readHeader as it was before the walk over memory,
// reading lines from a bufio.Reader.
func legacyReadHeader(src *legacyBufLines, limit int64, extra []string) (h header, st headerStats) {
	var total int64
	var scratch [512]byte
	u := legacyUnfolder{buf: scratch[:0]}
	h = make(header, 0, 12)
	defer func() { u.flush(h) }()
	for {
		b, n, err := src.readLine()
		total += int64(n)
		if total > limit {
			st.tooLong = true
			return h, st
		}
		line := trimEOL(b)
		if len(line) == 0 {
			return h, st
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if u.on {
				u.add(line)
			}
		default:
			name, off, ok := fieldNameBytes(line)
			switch {
			case ok:
				st.fields++
				u.flush(h)
				if wanted(name, extra) {
					h = append(h, field{name: string(name)})
					u.start(line[off:])
				}
			case st.fields == 0 && st.bad == 0 && bytes.HasPrefix(line, []byte("From ")):
				// QUIRK: mbox files start with a "From " separator line.
			default:
				st.bad++
			}
		}
		if err != nil {
			return h, st
		}
	}
}

type legacyUnfolder struct {
	buf []byte
	on  bool
}

func (u *legacyUnfolder) start(v []byte) {
	u.buf = append(u.buf[:0], bytes.TrimSpace(v)...)
	u.on = true
}

func (u *legacyUnfolder) add(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(u.buf) > maxFieldBytes {
		return
	}
	if len(u.buf) > 0 {
		u.buf = append(u.buf, ' ')
	}
	u.buf = append(u.buf, line...)
}

func (u *legacyUnfolder) flush(fs []field) {
	if u.on && len(fs) > 0 {
		fs[len(fs)-1].value = string(u.buf)
	}
	u.on = false
}
