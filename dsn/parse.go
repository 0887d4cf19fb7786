package dsn

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/dsn/internal/mimepart"
)

// Parse reads one message and returns what it reports, with the defaults
// of Options. See ParseWithOptions.
func Parse(r io.Reader) (*Report, error) {
	return ParseWithOptions(r, nil)
}

// ParseWithOptions reads one message from r and returns its Report. A
// message that is not a bounce, feedback report or auto-reply yields a
// Report of Type TypeOther and no error; what could not be understood is
// listed in Report.Problems. The error is non-nil only when r fails, when
// the top-level header is longer than opts.MaxHeaderBytes
// (HeaderTooLongError, no Report), or when the input is longer than
// opts.MaxSize (ErrTooLarge, returned with the Report of the first MaxSize
// bytes). A nil opts means the defaults.
func ParseWithOptions(r io.Reader, opts *Options) (*Report, error) {
	o := opts.withDefaults()
	buf := mimepart.GetBuffer()
	defer mimepart.PutBuffer(buf)
	data, err := readInput(r, o.MaxSize+1, *buf)
	*buf = data[:0]
	if err != nil {
		return nil, fmt.Errorf("dsn: read message: %w", err)
	}
	var tooLarge error
	if int64(len(data)) > o.MaxSize {
		data = data[:o.MaxSize]
		tooLarge = fmt.Errorf("%w (%d bytes)", ErrTooLarge, o.MaxSize)
	}
	p := newParser(o)
	if err := p.parse(foldBoundary(normalizeNewlines(data))); err != nil {
		return nil, err
	}
	if tooLarge != nil {
		p.problem("input truncated at %d bytes", o.MaxSize)
	}
	return p.rep, tooLarge
}

// readInput reads at most n bytes of r into buf (grown as needed), sizing
// it from r's length when r knows it (bytes.Reader, strings.Reader,
// bytes.Buffer).
func readInput(r io.Reader, n int64, buf []byte) ([]byte, error) {
	if l, ok := r.(interface{ Len() int }); ok {
		if want := min(int64(l.Len())+1, n); int64(cap(buf)) < want {
			buf = make([]byte, 0, want)
		}
	}
	buf, err := mimepart.ReadAtMost(r, n, buf)
	if err == io.EOF {
		err = nil
	}
	return buf, err
}

// normalizeNewlines turns CRLF and lone CR line endings into LF, in place
// (the result is never longer), moving the text between CRs in blocks.
func normalizeNewlines(b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	w := i
	for i < len(b) {
		// b[i] is a CR.
		b[w] = '\n'
		w++
		i++
		if i < len(b) && b[i] == '\n' {
			i++
		}
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			j = len(b) - i
		}
		w += copy(b[w:], b[i:i+j])
		i += j
	}
	return b[:w]
}

// foldBoundary indents a multipart boundary parameter written on a line of
// its own after "Content-Type: multipart/...;" (QUIRK: Exchange, Verizon
// and Apache James write it unfolded, which makes it a malformed header
// line).
func foldBoundary(b []byte) []byte {
	const bad = ";\nboundary="
	if !bytes.Contains(b, []byte(bad)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(bad), []byte(";\n\tboundary="))
}

// parser holds the state of one Parse call.
type parser struct {
	opts  Options
	rep   *Report
	parts int

	outer       header             // top-level header
	sawDSN      bool               // a delivery-status part was read
	feedback    []field            // fields of the feedback-report part
	sawFeedback bool               // a feedback-report part was read
	sawMDN      bool               // a disposition-notification part (a read receipt) was read
	texts       []string           // decoded text parts, in order (bounce prose)
	htmls       []*mimepart.Entity // text/html parts, as a fallback for texts (read when needed)
	original    header             // header of the returned original message
	jmrpRcpt    string             // QUIRK: Microsoft JMRP original recipient
	jmrp        bool
	raw         []byte // prefix of the undecoded top-level body
	tooDeep     bool   // the depth problem was recorded
	dropped     int    // records past Options.MaxRecipients

	// releases give back the buffers of decoded parts, which entities in
	// htmls may point into, when the parse is done.
	releases []func()

	// walkHook, when set (by tests), walks the top-level body instead.
	walkHook func(p *parser, h header, body []byte)
}

func newParser(o Options) *parser {
	return &parser{opts: o, rep: &Report{Type: TypeOther}}
}

// problem records something that could not be parsed.
func (p *parser) problem(format string, args ...any) {
	if len(p.rep.Problems) < 32 {
		p.rep.Problems = append(p.rep.Problems, fmt.Sprintf(format, args...))
	}
}

// parse decodes the whole message and fills p.rep.
func (p *parser) parse(data []byte) error {
	defer func() {
		for _, release := range p.releases {
			release()
		}
	}()
	h, body, err := p.splitTop(data)
	if err != nil {
		return err
	}
	p.outer = h
	p.rep.Message = envelopeOf(h)
	p.raw = body[:min(len(body), maxTextBytes)]
	p.walkTop(h, body)
	p.decide()
	p.dropInvented()
	p.markMailed()
	for i := range p.rep.Recipients {
		rc := &p.rep.Recipients[i]
		rc.Diagnostic = cleanText(decodeISO2022(rc.Diagnostic))
	}
	if p.dropped > 0 {
		p.problem("recipients: %d more records ignored (MaxRecipients %d)", p.dropped, p.opts.MaxRecipients)
	}
	sanitize(p.rep)
	local := p.localHost()
	for i := range p.rep.Recipients {
		f := newFacts(&p.rep.Recipients[i])
		f.reportingMTA, f.localHost = p.rep.ReportingMTA, local
		classifyFacts(p.rep.Type, &f)
	}
	return nil
}

// decide sets the report type and its records from what the walk found.
func (p *parser) decide() {
	switch {
	case p.sawFeedback:
		p.rep.Type = TypeARF
		p.arfRecords()
	case p.jmrp:
		p.rep.Type = TypeARF
		p.jmrpRecords()
	case p.sawMDN && !p.sawDSN:
		// A read receipt: no record (see leaf).
	case p.challengeResponse():
		p.rep.Type = TypeAutoreply
		p.challengeRecords()
	case p.sawDSN && len(p.rep.Recipients) > 0:
		p.rep.Type = TypeDSN
		p.enrichFromText()
		p.repairRecipients()
	case p.amazonSES():
		return
	case p.textBounce():
		p.rep.Type = TypeBounce
		p.repairRecipients()
	case p.listRefusal():
		p.rep.Type = TypeBounce
	case p.autoUnsubscribe():
	case !looksLikeBounceHeader(p.outer) && p.autoreply():
		p.rep.Type = TypeAutoreply
	}
	p.setOriginal()
}

// cleanText makes s valid UTF-8 on one line with single spaces.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.ContainsAny(s, "\n\t\r") || strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}
