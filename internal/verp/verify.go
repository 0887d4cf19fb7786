package verp

import (
	"context"
	"errors"
	"fmt"
)

// ErrUnknownRef is returned for a reference token whose mapping is not stored
// and whose recipient was not given.
var ErrUnknownRef = errors.New("verp: unknown reference")

// RefLookup finds the recipient stored for a reference. It returns "" and a
// nil error when the reference is unknown.
type RefLookup interface {
	LookupRef(ctx context.Context, ref string) (string, error)
}

// Verify checks the token in addr (see Split; mailbox may be empty) and
// returns the canonical recipient it names. A reference token is resolved
// through refs (which may be nil). It returns ErrNoToken, ErrMalformed,
// ErrForged or ErrUnknownRef (all wrapped); any of them means the address
// must not be trusted.
func (c Codec) Verify(ctx context.Context, mailbox, addr string, refs RefLookup) (string, error) {
	token, err := c.Split(mailbox, addr)
	if err != nil {
		return "", err
	}
	return c.VerifyToken(ctx, token, refs)
}

// VerifyToken is Verify for a token alone.
func (c Codec) VerifyToken(ctx context.Context, token string, refs RefLookup) (string, error) {
	if len(token) > 0 && isDirect(token[0]) {
		return c.Keys.VerifyDirect(token)
	}
	ref, err := Ref(token)
	if err != nil {
		return "", err
	}
	if refs == nil {
		return "", ErrUnknownRef
	}
	rcpt, err := refs.LookupRef(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("verp: look up reference: %w", err)
	}
	if rcpt == "" {
		return "", ErrUnknownRef
	}
	if !c.Keys.Matches(token, rcpt) {
		return "", ErrForged
	}
	return Canonical(rcpt), nil
}
