package verp

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLocalPart is the longest local part allowed by RFC 5321, in octets.
const MaxLocalPart = 64

// DefaultSeparator joins the mailbox's local part and the token.
const DefaultSeparator = "+"

// ErrNoToken is returned for an address that carries no token for the mailbox.
var ErrNoToken = errors.New("verp: address carries no token")

// ErrBadAddress is returned for a mailbox address or recipient that is not of
// the form local@domain.
var ErrBadAddress = errors.New("verp: not an address")

// ErrTooLong is returned when even a reference token does not fit the
// mailbox's local part within MaxLocalPart octets.
var ErrTooLong = errors.New("verp: local part too long")

// Codec signs and splits return-path addresses. The zero Separator means
// DefaultSeparator.
type Codec struct {
	Keys      *KeyRing
	Separator string
}

// Signed is a signed return path.
type Signed struct {
	Address   string // local+TOKEN@domain
	Token     string
	Recipient string // canonical recipient
	Stream    string // the stream label signed with it; empty for none
	// Ref is set when the token is a reference: the caller must store
	// Ref → Recipient for reports that name no recipient.
	Ref string
}

func (c Codec) sep() string {
	if c.Separator == "" {
		return DefaultSeparator
	}
	return c.Separator
}

// Sign returns the return path for rcpt on mailbox (local@domain): the direct
// form when the local part stays within MaxLocalPart octets, else a
// reference. It is deterministic for a given first key.
func (c Codec) Sign(mailbox, rcpt string) (Signed, error) {
	return c.SignStream(mailbox, rcpt, "")
}

// SignStream is Sign with a stream label signed into the token (see
// FormDirectStream); an empty stream signs none, as Sign.
func (c Codec) SignStream(mailbox, rcpt, stream string) (Signed, error) {
	if stream != "" {
		var err error
		if stream, err = CheckStream(stream); err != nil {
			return Signed{}, err
		}
	}
	local, domain, ok := splitAt(mailbox)
	if !ok {
		return Signed{}, fmt.Errorf("%w: mailbox %q", ErrBadAddress, mailbox)
	}
	r := Canonical(rcpt)
	if _, _, ok := splitAt(r); !ok || strings.ContainsAny(r, " \t\r\n<>") {
		return Signed{}, fmt.Errorf("%w: recipient %q", ErrBadAddress, rcpt)
	}
	s := Signed{Recipient: r, Stream: stream, Token: c.Keys.directToken(r, stream)}
	budget := MaxLocalPart - len(local) - len(c.sep())
	if len(s.Token) > budget {
		s.Token = c.Keys.refToken(r, stream)
		s.Ref, _ = Ref(s.Token)
	}
	if len(s.Token) > budget {
		return Signed{}, fmt.Errorf("%w: mailbox local part %q leaves %d octets for a token", ErrTooLong, local, budget)
	}
	s.Address = local + c.sep() + s.Token + "@" + domain
	return s, nil
}

// Split returns the token of addr if addr is mailbox's local part, the
// separator and a token, at mailbox's domain (both compared without ASCII
// case). addr may be wrapped in angle brackets or carry a display name. An
// empty mailbox accepts any local part: the token follows its last separator.
func (c Codec) Split(mailbox, addr string) (string, error) {
	local, domain, ok := splitAt(bareAddress(addr))
	if !ok {
		return "", ErrNoToken
	}
	prefix := ""
	if mailbox != "" {
		ml, md, ok := splitAt(mailbox)
		if !ok {
			return "", fmt.Errorf("%w: mailbox %q", ErrBadAddress, mailbox)
		}
		if Canonical(domain) != Canonical(md) {
			return "", ErrNoToken
		}
		prefix = ml + c.sep()
	} else if i := strings.LastIndex(local, c.sep()); i >= 0 {
		prefix = local[:i+len(c.sep())]
	}
	if prefix == "" || len(local) <= len(prefix) || Canonical(local[:len(prefix)]) != Canonical(prefix) {
		return "", ErrNoToken
	}
	return local[len(prefix):], nil
}

// SplitAny is Split for the first of mailboxes addr matches; no mailboxes
// means any local part (as Split with an empty mailbox).
func (c Codec) SplitAny(mailboxes []string, addr string) (string, error) {
	if len(mailboxes) == 0 {
		return c.Split("", addr)
	}
	err := ErrNoToken
	for _, m := range mailboxes {
		var t string
		if t, err = c.Split(m, addr); err == nil {
			return t, nil
		}
	}
	return "", err
}

// splitAt splits an address at its last '@'; both sides must be non-empty.
func splitAt(addr string) (local, domain string, ok bool) {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return "", "", false
	}
	return addr[:i], addr[i+1:], true
}

// bareAddress strips white space, a display name and angle brackets.
func bareAddress(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	return trimSpace(s)
}
