package mimepart

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

// Entity is a message or a MIME part: the two header fields a walk reads
// and its undecoded body, as go-message's message.New would see them.
type Entity struct {
	ContentType string // first Content-Type value, "" when there is none
	cte         string // first Content-Transfer-Encoding value
	// MediaType is the media type as go-message parses it: lower case,
	// "text/plain" when there is no Content-Type, the whole value when it
	// does not parse.
	MediaType string
	Boundary  string // boundary parameter, decoded
	charset   string // charset parameter, lower case, when decodeCharset
	// decodeCharset is set for a text part with a known charset other than
	// UTF-8 and US-ASCII.
	decodeCharset bool
	// asciiSame is set when decodeCharset is and the charset decodes
	// text made only of ASCII bytes to itself (asciiSameCharset).
	asciiSame bool
	// decodeTransfer is set when the body is quoted-printable or base64.
	decodeTransfer bool
	base64         bool
	Body           []byte
	// End is what reading past Body returns: io.EOF, or the error that cut
	// the body short (a missing closing boundary, a decoding error).
	End error
}

// NewEntity makes the Entity of a header and a body, like message.New: the
// error reports an unknown transfer encoding or charset (the body is then
// read undecoded).
func NewEntity(ct, cte string, body []byte, end error) (*Entity, error) {
	e := &Entity{ContentType: ct, cte: cte, Body: body, End: end}
	var charset string
	var hasCharset bool
	if ct == "" {
		e.MediaType = "text/plain"
	} else if pc, ok := ParseContentType(ct); ok {
		e.MediaType = pc.MediaType
		e.Boundary = DecodeHeader(pc.Boundary)
		charset, hasCharset = pc.Charset, pc.HasCharset
	} else if mt, params, err := mime.ParseMediaType(ct); err != nil {
		e.MediaType = ct
	} else {
		e.MediaType = mt
		if b, ok := params["boundary"]; ok {
			e.Boundary = DecodeHeader(b)
		}
		charset, hasCharset = params["charset"]
	}
	var err error
	// QUIRK (go-message): the transfer encoding of a multipart is ignored.
	if !strings.HasPrefix(e.MediaType, "multipart/") {
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
	if hasCharset && strings.HasPrefix(e.MediaType, "text/") {
		ch := strings.ToLower(DecodeHeader(charset))
		if ch != "utf-8" && ch != "us-ascii" {
			if known, cerr := charsetKnown(ch); cerr != nil {
				// go-message wraps the error twice.
				err = fmt.Errorf("unknown charset: unknown charset: %w", cerr)
			} else if known {
				e.charset, e.decodeCharset, e.asciiSame = ch, true, asciiSameCharset(ch)
			}
		}
	}
	return e, err
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
func (e *Entity) reader(r io.Reader) io.Reader {
	if r == nil {
		r = &memReader{b: e.Body, end: e.End}
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
func (e *Entity) Prefix(n int64) string {
	if !e.decodeTransfer && !e.decodeCharset {
		return string(e.Body[:min(int64(len(e.Body)), n)])
	}
	b, release, _ := e.Decoded(n)
	s := string(b)
	if release != nil {
		release()
	}
	return s
}

// maxInMemoryCharsetBody is the largest body whose charset Decoded
// decodes whole in memory (decodeInMemory) rather than through a
// streaming reader that stops at the limit.
const maxInMemoryCharsetBody = 256 << 10

// decodeInMemory appends the body, transfer- and charset-decoded, to dst
// and returns what reading past it gives, as Decoded's streaming readers
// would give it with no limit.
func (e *Entity) decodeInMemory(dst []byte) ([]byte, error) {
	src, srcEnd := e.Body, e.End
	if e.decodeTransfer {
		tb := GetBuffer()
		defer PutBuffer(tb)
		if e.base64 {
			// Base64 decodes to fewer bytes than it has: this reads to the end.
			src, srcEnd = ReadAtMost(base64.NewDecoder(base64.StdEncoding, &whitespaceReplacingReader{r: &memReader{b: e.Body, end: e.End}}), int64(len(e.Body))+1, *tb)
		} else {
			src, srcEnd = qpDecode((*tb)[:0], e.Body, e.End, len(e.Body)+1)
		}
		*tb = src[:0]
	}
	enc, err := lookupEncoding(e.charset)
	if err != nil {
		// The streaming reader passes the bytes through undecoded.
		return append(dst, src...), srcEnd
	}
	return appendDecoded(dst, enc.NewDecoder(), src, srcEnd)
}

// decoded returns at most n bytes of the decoded body and what reading
// past them returns (nil when the limit cut it). A non-nil release gives
// back the buffer they were decoded into, after which they must not be
// used.
func (e *Entity) Decoded(n int64) (b []byte, release func(), end error) {
	if !e.decodeTransfer && !e.decodeCharset {
		if int64(len(e.Body)) > n {
			return e.Body[:n], nil, nil
		}
		return e.Body, nil, e.End
	}
	if !e.decodeTransfer && e.asciiSame && plainASCII(e.Body[:min(int64(len(e.Body)), n)]) {
		// Most Latin-1, Windows-1252 and even ISO-2022-JP notices are
		// plain ASCII: skip the charset decoder (and its buffers).
		if int64(len(e.Body)) > n {
			return e.Body[:n], nil, nil
		}
		return e.Body, nil, e.End
	}
	buf := GetBuffer()
	switch {
	case e.decodeCharset && len(e.Body) <= maxInMemoryCharsetBody:
		b, end = e.decodeInMemory((*buf)[:0])
		if int64(len(b)) >= n {
			b, end = b[:n], nil
		}
	case e.decodeTransfer && !e.base64 && !e.decodeCharset:
		b, end = qpDecode((*buf)[:0], e.Body, e.End, int(min(n, int64(len(e.Body))+1)))
		if int64(len(b)) > n {
			b, end = b[:n], nil
		}
	case e.decodeTransfer && !e.base64:
		// Quoted-printable never decodes to more bytes than it has.
		qp := GetBuffer()
		dec, qerr := qpDecode((*qp)[:0], e.Body, e.End, len(e.Body)+1)
		*qp = dec[:0]
		if e.asciiSame && plainASCII(dec[:min(int64(len(dec)), n)]) {
			b, end = append((*buf)[:0], dec[:min(int64(len(dec)), n)]...), qerr
			if int64(len(dec)) > n {
				end = nil
			}
		} else {
			b, end = ReadAtMost(e.reader(&memReader{b: dec, end: qerr}), n, *buf)
		}
		PutBuffer(qp)
	default:
		b, end = ReadAtMost(e.reader(nil), n, *buf)
	}
	*buf = b[:0]
	return b, func() { PutBuffer(buf) }, end
}

// asciiSameCharset reports whether a charset (lower case) decodes text of
// ASCII bytes to the same text: the ISO 8859 and Windows code pages, KOI8,
// and the CJK encodings whose single bytes below 0x80 are ASCII
// (ISO-2022-JP switches with ESC, which plainASCII refuses). UTF-7, UTF-16,
// HZ and EBCDIC are not among them.
func asciiSameCharset(ch string) bool {
	for _, p := range []string{"iso-8859-", "iso8859-", "windows-125", "cp125", "koi8-", "gb2312", "gbk", "gb18030", "big5",
		"shift_jis", "shift-jis", "sjis", "euc-jp", "euc-kr", "iso-2022-jp", "ks_c_5601", "tis-620", "latin1"} {
		if strings.HasPrefix(ch, p) {
			return true
		}
	}
	return false
}

// plainASCII reports whether b holds only printable ASCII, tabs and line
// ends: no escape or shift byte a stateful charset would act on.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// ReadAtMost reads at most n bytes of r into buf (grown as needed) and
// returns them with the error that stopped the reading, nil when n bytes
// were read.
func ReadAtMost(r io.Reader, n int64, buf []byte) ([]byte, error) {
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
