package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

// newVerifier builds the poller's Verifier from the verp section: nil when
// verp.secret_file and verp.secret_env are unset (no message is then
// verified). refs resolves reference tokens (the suppression store); it may
// be nil. logger is told why a bounce is not verified ("verp: bounce not
// verified", a warning when it carried a token that failed: the Message-ID
// and the reason, never the key); nil logs nothing. Wire it as
//
//	poller.Options{Verifier: v, ...}
//
// and ask dsn for the signed header: dsn.Options{Headers: []string{cfg.VERP.Header}}.
func newVerifier(cfg *Config, refs verp.RefLookup, logger *slog.Logger) (func(context.Context, *dsn.Report, []byte) (bool, string), error) {
	codec, err := verpCodec(cfg)
	if errors.Is(err, errVERPOff) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &verp.Verifier{Codec: codec, Mailboxes: verpMailboxes(cfg), Header: cfg.VERP.Header, Refs: refs, Logger: logger}
	return v.PollerFunc(), nil
}
