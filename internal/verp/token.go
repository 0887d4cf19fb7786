package verp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
)

// Token forms: the first character of a token, also the first byte of the
// HMAC input.
const (
	// FormDirect tokens carry the recipient: '1' + base32(recipient || mac).
	FormDirect = '1'
	// FormRef tokens carry only a signed reference: '2' + base32(mac), where
	// mac is computed over '2' + recipient; the reference is that base32 text.
	FormRef = '2'
)

// MACLen is the length in bytes of the truncated HMAC-SHA256 (80 bits,
// 16 base32 characters).
const MACLen = 10

// RefLen is the length of a reference in base32 characters.
const RefLen = (MACLen*8 + 4) / 5

// ErrMalformed is returned for a token that is not of the documented form.
var ErrMalformed = errors.New("verp: malformed token")

// ErrForged is returned for a well-formed token whose MAC matches no key:
// forged, tampered with, or signed with a key no longer in the ring.
var ErrForged = errors.New("verp: token does not verify")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Canonical returns the form of an address that is signed and compared:
// surrounding white space trimmed and ASCII letters lower-cased. Non-ASCII
// bytes are kept as they are.
func Canonical(addr string) string { return lower(trimSpace(addr)) }

// lower lower-cases ASCII letters only.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func encode(b []byte) string { return lower(b32.EncodeToString(b)) }

func mac(key []byte, form byte, rcpt string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte{form})
	h.Write([]byte(rcpt))
	return h.Sum(nil)[:MACLen]
}

// directToken returns the direct token for canonical recipient rcpt and
// stream (empty: none).
func (k *KeyRing) directToken(rcpt, stream string) string {
	if stream == "" {
		payload := append([]byte(rcpt), mac(k.keys[0], FormDirect, rcpt)...)
		return string(rune(FormDirect)) + encode(payload)
	}
	payload := append([]byte(rcpt), mac(k.keys[0], FormDirectStream, signed(rcpt, stream))...)
	return string(rune(FormDirectStream)) + encode(payload) + string(rune(StreamSep)) + stream
}

// refToken returns the reference token for canonical recipient rcpt and
// stream (empty: none).
func (k *KeyRing) refToken(rcpt, stream string) string {
	if stream == "" {
		return string(rune(FormRef)) + encode(mac(k.keys[0], FormRef, rcpt))
	}
	return string(rune(FormRefStream)) + encode(mac(k.keys[0], FormRefStream, signed(rcpt, stream))) + string(rune(StreamSep)) + stream
}

// decode checks that s is a canonical lower-case base32 text (any case is
// accepted, nothing else: no white space) and returns its bytes.
func decode(s string) ([]byte, error) {
	s = lower(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return nil, fmt.Errorf("%w: byte %d is not base32", ErrMalformed, i)
		}
	}
	b, err := b32.DecodeString(upper(s))
	if err != nil || encode(b) != s {
		return nil, fmt.Errorf("%w: not canonical base32", ErrMalformed)
	}
	return b, nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// VerifyDirect checks a direct token and returns the canonical recipient it
// names. It returns ErrMalformed for a token not of the direct form and
// ErrForged when no key in the ring produced it.
func (k *KeyRing) VerifyDirect(token string) (string, error) {
	rcpt, _, err := k.VerifyDirectStream(token)
	return rcpt, err
}

// VerifyDirectStream is VerifyDirect for either direct form, also returning
// the stream the token carries ("" for FormDirect).
func (k *KeyRing) VerifyDirectStream(token string) (string, string, error) {
	token, stream, err := splitStream(token)
	if err != nil {
		return "", "", err
	}
	if len(token) < 2 || !isDirect(token[0]) {
		return "", "", fmt.Errorf("%w: not a direct token", ErrMalformed)
	}
	b, err := decode(token[1:])
	if err != nil {
		return "", "", err
	}
	if len(b) <= MACLen {
		return "", "", fmt.Errorf("%w: too short", ErrMalformed)
	}
	rcpt, sum := string(b[:len(b)-MACLen]), b[len(b)-MACLen:]
	for _, key := range k.keys {
		if hmac.Equal(sum, mac(key, token[0], signed(rcpt, stream))) {
			return rcpt, stream, nil
		}
	}
	return "", "", ErrForged
}

// isDirect reports whether form is one of the direct forms.
func isDirect(form byte) bool { return form == FormDirect || form == FormDirectStream }

// Matches reports whether token (of either form) was signed by a key in the
// ring for rcpt (compared in canonical form). A malformed token matches
// nothing.
func (k *KeyRing) Matches(token, rcpt string) bool {
	rcpt = Canonical(rcpt)
	if len(token) > 0 && isDirect(token[0]) {
		got, err := k.VerifyDirect(token)
		return err == nil && got == rcpt
	}
	body, stream, err := splitStream(token)
	if err != nil {
		return false
	}
	ref, err := parseRef(body)
	if err != nil {
		return false
	}
	for _, key := range k.keys {
		if hmac.Equal(ref, mac(key, body[0], signed(rcpt, stream))) {
			return true
		}
	}
	return false
}

// parseRef returns the MAC bytes of a reference token.
func parseRef(token string) ([]byte, error) {
	if len(token) != 1+RefLen || token[0] != FormRef && token[0] != FormRefStream {
		return nil, fmt.Errorf("%w: not a reference token", ErrMalformed)
	}
	return decode(token[1:])
}

// Ref returns the reference (the text stored in the mapping) of a reference
// token of either form, lower-cased, or ErrMalformed.
func Ref(token string) (string, error) {
	body, _, err := splitStream(token)
	if err != nil {
		return "", err
	}
	if _, err := parseRef(body); err != nil {
		return "", err
	}
	return lower(body[1:]), nil
}

// IsRef reports whether token is of a reference form (it may still be
// malformed).
func IsRef(token string) bool {
	return token != "" && (token[0] == FormRef || token[0] == FormRefStream)
}
