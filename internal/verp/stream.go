package verp

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Stream token forms: FormDirect and FormRef with a stream label. The label
// follows the token's base32 body after StreamSep, in clear, and is signed
// with the recipient (the MAC input is form, recipient, a NUL byte and the
// label), so a token's stream cannot be altered. Tokens of forms '1' and '2'
// carry no stream and stay valid.
const (
	// FormDirectStream: '3' + base32(recipient || mac) + '-' + stream.
	FormDirectStream = '3'
	// FormRefStream: '4' + base32(mac) + '-' + stream; the reference is the
	// base32 text.
	FormRefStream = '4'
)

// StreamSep separates a stream token's body from its stream label; it is
// not a base32 character.
const StreamSep = '-'

// MaxStream is the longest stream label, in octets.
const MaxStream = 32

// DefaultStream is the stream of a bounce nothing attributes to another.
const DefaultStream = "default"

// DefaultStreamHeader names the header of a returned message that carries
// its stream when the return path does not.
const DefaultStreamHeader = "X-Bouncer-Stream"

// ErrBadStream is returned for a stream label that is not 1 to MaxStream of
// a-z, 0-9, '-' and '_'.
var ErrBadStream = errors.New("verp: bad stream label")

// CheckStream returns the canonical (lower-case) form of a stream label,
// or ErrBadStream naming what is wrong.
func CheckStream(s string) (string, error) {
	s = lower(trimSpace(s))
	if s == "" || len(s) > MaxStream {
		return "", fmt.Errorf("%w: %q must be 1 to %d characters", ErrBadStream, s, MaxStream)
	}
	n := 0
	for _, c := range s {
		n++
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", fmt.Errorf("%w: %q: character %d (%q) is not a-z, 0-9, '-' or '_'", ErrBadStream, s, n, c)
		}
	}
	return s, nil
}

// hasStream reports whether form is one of the stream forms.
func hasStream(form byte) bool { return form == FormDirectStream || form == FormRefStream }

// splitStream returns a token's part before StreamSep and its stream label;
// the label is empty for tokens of forms without a stream.
func splitStream(token string) (body, stream string, err error) {
	if token == "" || !hasStream(token[0]) {
		return token, "", nil
	}
	i := strings.IndexByte(token, StreamSep)
	if i < 0 {
		return "", "", fmt.Errorf("%w: stream token without '%c'", ErrMalformed, StreamSep)
	}
	if stream, err = CheckStream(token[i+1:]); err != nil || stream != lower(token[i+1:]) {
		return "", "", fmt.Errorf("%w: stream label %q", ErrMalformed, token[i+1:])
	}
	return token[:i], stream, nil
}

// signed is the MAC input after the form byte: the recipient, and for the
// stream forms a NUL byte and the stream.
func signed(rcpt, stream string) string {
	if stream == "" {
		return rcpt
	}
	return rcpt + "\x00" + stream
}

// StreamOf returns the stream a token carries in clear ("" for a token of a
// form without one). It does not verify the token.
func StreamOf(token string) string {
	_, s, err := splitStream(lower(token))
	if err != nil {
		return ""
	}
	return s
}

// HeaderStream returns the stream named by header name of the returned
// message (which the parser must have been asked for: dsn Options.Headers),
// or "" when it is absent or not a valid label.
func HeaderStream(r *dsn.Report, name string) string {
	s, _ := headerStream(r, name)
	return s
}

// headerStream is HeaderStream, also returning the label's error when the
// header is there but its value is not a valid label.
func headerStream(r *dsn.Report, name string) (string, error) {
	if r == nil || name == "" {
		return "", nil
	}
	v := r.Original.Headers[textproto.CanonicalMIMEHeaderKey(name)]
	if v == "" {
		return "", nil
	}
	return CheckStream(v)
}

// Where a report's stream came from (Attribution.Source).
const (
	SourceReturnPath = "signed return path"
	SourceHeader     = "header"
	SourceDefault    = "default"
)

// Attribution is the stream a report is attributed to, and why.
type Attribution struct {
	Stream string // never empty: DefaultStream when nothing names another
	Source string // SourceReturnPath, SourceHeader or SourceDefault
	// BadLabel is the value of the stream header when it is there but not
	// a valid label (LabelErr says why) and the stream is not the signed
	// return path's: the report went to DefaultStream instead.
	BadLabel string
	LabelErr error
}

// Attribute attributes a report to its stream: the stream of a valid signed
// token for the recipient the report is verified for (v nil: signed return
// paths are off and not checked), else the stream header named by header,
// else DefaultStream.
func Attribute(ctx context.Context, v *Verifier, r *dsn.Report, header string) Attribution {
	if v != nil {
		if vd := v.Check(ctx, r); vd.Verified && vd.Stream != "" {
			return Attribution{Stream: vd.Stream, Source: SourceReturnPath}
		}
	}
	s, err := headerStream(r, header)
	if err != nil {
		return Attribution{Stream: DefaultStream, Source: SourceDefault,
			BadLabel: r.Original.Headers[textproto.CanonicalMIMEHeaderKey(header)], LabelErr: err}
	}
	if s != "" {
		return Attribution{Stream: s, Source: SourceHeader}
	}
	return Attribution{Stream: DefaultStream, Source: SourceDefault}
}

// Stream attributes a report to its stream: the stream of a valid signed
// token for the recipient the report is verified for, else the stream
// header named by header, else DefaultStream (see Attribute).
func (v *Verifier) Stream(ctx context.Context, r *dsn.Report, header string) string {
	return Attribute(ctx, v, r, header).Stream
}
