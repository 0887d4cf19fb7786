package main

import (
	"context"
	"errors"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

// newVerifier builds the poller's Verifier from the verp section: nil when
// verp.secret_file and verp.secret_env are unset (no message is then verified). refs resolves
// reference tokens (the suppression store); it may be nil. Wire it as
//
//	poller.Options{Verifier: v, ...}
//
// and ask dsn for the signed header: dsn.Options{Headers: []string{cfg.VERP.Header}}.
func newVerifier(cfg *Config, refs verp.RefLookup) (func(context.Context, *dsn.Report, []byte) (bool, string), error) {
	codec, err := verpCodec(cfg)
	if errors.Is(err, errVERPOff) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &verp.Verifier{Codec: codec, Mailboxes: verpMailboxes(cfg), Header: cfg.VERP.Header, Refs: refs}
	return v.PollerFunc(), nil
}
