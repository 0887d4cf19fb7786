package mimepart

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Charset decoding in memory. go-message's charset.Reader wraps each
// decoder in a transform.Reader, which allocates two 4 KiB buffers for
// every encoded word of a header and every text part; a part or word
// already in memory is decoded here into a buffer the caller owns, by the
// same decoders (TestCharsetDecodeMatchesGoMessage).

// encodingQuirks are go-message's (v0.18.2 charset.charsets): labels the
// IANA and HTML indexes do not resolve.
var encodingQuirks = map[string]encoding.Encoding{
	"ansi_x3.110-1983": charmap.ISO8859_1,
	"x-utf_8j":         unicode.UTF8,
}

// encodings caches lookupEncoding (labels come from the input: at most
// maxCachedEncodings of them).
var encodings = struct {
	sync.Mutex
	m map[string]encodingAnswer
}{m: map[string]encodingAnswer{}}

type encodingAnswer struct {
	enc encoding.Encoding
	err error
}

const maxCachedEncodings = 256

// lookupEncoding resolves a charset label as go-message's charset.Reader
// does: its quirks, then the IANA MIME names, then "cs" + label, then
// the WHATWG (HTML) labels.
func lookupEncoding(label string) (encoding.Encoding, error) {
	encodings.Lock()
	a, ok := encodings.m[label]
	encodings.Unlock()
	if ok {
		return a.enc, a.err
	}
	a.enc, a.err = resolveEncoding(label)
	encodings.Lock()
	if len(encodings.m) < maxCachedEncodings {
		encodings.m[label] = a
	}
	encodings.Unlock()
	return a.enc, a.err
}

func resolveEncoding(label string) (encoding.Encoding, error) {
	var err error
	enc, ok := encodingQuirks[strings.ToLower(label)]
	if !ok {
		enc, err = ianaindex.MIME.Encoding(label)
	}
	if enc == nil {
		enc, err = ianaindex.MIME.Encoding("cs" + label)
	}
	if enc == nil {
		enc, err = htmlindex.Get(label)
	}
	if err != nil {
		return nil, fmt.Errorf("charset %q: %w", label, err)
	}
	if enc == nil {
		return nil, fmt.Errorf("charset %q: unsupported charset", label)
	}
	return enc, nil
}

// appendDecoded appends src, decoded by t to UTF-8, to dst, as a
// transform.Reader reading src and then end gives it: the input is at its
// end only when end is io.EOF (or nil); on a decoding error it returns what
// was decoded before it and the error, unless end is another error, which
// takes precedence; else end.
func appendDecoded(dst []byte, t transform.Transformer, src []byte, end error) ([]byte, error) {
	t.Reset()
	atEOF := end == nil || end == io.EOF
	room := len(src) + 64
	for {
		dst = slices.Grow(dst, room)
		nDst, nSrc, err := t.Transform(dst[len(dst):cap(dst)], src, atEOF)
		dst, src = dst[:len(dst)+nDst], src[nSrc:]
		switch {
		case err == transform.ErrShortDst:
			room = max(2*room, len(src)+64)
			continue
		case err != nil && atEOF:
			return dst, err
		}
		return dst, end
	}
}

// decodeWord is the mime.WordDecoder's CharsetReader: the encoded word's
// bytes decoded at once.
func decodeWord(label string, input io.Reader) (io.Reader, error) {
	enc, err := lookupEncoding(label)
	if err != nil {
		return nil, err
	}
	src, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	out, err := appendDecoded(nil, enc.NewDecoder(), src, io.EOF)
	if err != io.EOF {
		return nil, err
	}
	return bytes.NewReader(out), nil
}
