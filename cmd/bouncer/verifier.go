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

// newAttributor returns how ingest attributes a report to its stream
// (verp.Attribute): the stream signed in its return path when verp is on,
// else streams.header of the returned message, else "default"; and
// whether signed return paths are checked (verp is on). Ask dsn for
// streams.header. refs resolves reference tokens; nil verifies them only
// against a recipient the report names.
func newAttributor(cfg *Config, refs verp.RefLookup) (func(context.Context, *dsn.Report) verp.Attribution, bool, error) {
	v, err := verpVerifier(cfg, refs, nil)
	if err != nil {
		return nil, false, err
	}
	header := cfg.Streams.Header
	return func(ctx context.Context, r *dsn.Report) verp.Attribution { return verp.Attribute(ctx, v, r, header) }, v != nil, nil
}

// newStreamer attributes a report to its stream as newAttributor does, for
// the poller. A stream header that is there but not a valid label is
// logged as a warning to logger (nil: not logged), naming the label and the
// message: the report goes to the stream "default".
func newStreamer(cfg *Config, refs verp.RefLookup, logger *slog.Logger) (func(context.Context, *dsn.Report) string, error) {
	attribute, _, err := newAttributor(cfg, refs)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, r *dsn.Report) string {
		a := attribute(ctx, r)
		if a.LabelErr != nil && logger != nil {
			logger.WarnContext(ctx, "streams: bad stream label, filed under "+a.Stream, slog.String("header", cfg.Streams.Header),
				slog.String("label", a.BadLabel), slog.String("message_id", r.Message.MessageID),
				slog.String("original_message_id", r.Original.MessageID), slog.String("err", a.LabelErr.Error()))
		}
		return a.Stream
	}, nil
}
