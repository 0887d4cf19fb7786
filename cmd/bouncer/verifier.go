package main

import (
	"cmp"
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
	v, err := verpVerifier(cfg, refs, logger)
	if v == nil || err != nil {
		return nil, err
	}
	return v.PollerFunc(), nil
}

// verpVerifier builds the verifier of the verp section, nil when it is off.
func verpVerifier(cfg *Config, refs verp.RefLookup, logger *slog.Logger) (*verp.Verifier, error) {
	codec, err := verpCodec(cfg)
	if errors.Is(err, errVERPOff) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &verp.Verifier{Codec: codec, Mailboxes: verpMailboxes(cfg), Header: cfg.VERP.Header, Refs: refs, Logger: logger}, nil
}

// newStreamer attributes a report to its stream: the stream signed in its
// return path (when verp is on), else streams.header of the returned
// message, else "default". Ask dsn for streams.header.
func newStreamer(cfg *Config, refs verp.RefLookup) (func(context.Context, *dsn.Report) string, error) {
	v, err := verpVerifier(cfg, refs, nil)
	if err != nil {
		return nil, err
	}
	header := cfg.Streams.Header
	if v == nil {
		return func(_ context.Context, r *dsn.Report) string {
			return cmp.Or(verp.HeaderStream(r, header), verp.DefaultStream)
		}, nil
	}
	return func(ctx context.Context, r *dsn.Report) string { return v.Stream(ctx, r, header) }, nil
}
