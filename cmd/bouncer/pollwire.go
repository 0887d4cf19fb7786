package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

// openPolling opens the store and builds the pass options for poll and
// run, and tunes the garbage collector for polling (see tuneGC); the
// caller closes the store. create lets it create the database (demo, and
// poll and run with a config file).
func openPolling(ctx context.Context, cfg *Config, soft context.Context, create bool) (*suppression.Store, *poller.Options, error) {
	tuneGC(len(cfg.Mailboxes))
	store, err := openStore(ctx, cfg, create)
	if err != nil {
		return nil, nil, tempFailUnreachable(err)
	}
	opts, err := pollerOptions(cfg, store, slog.Default())
	if err != nil {
		store.Close()
		return nil, nil, withExit(exitConfig, err)
	}
	opts.Stop = soft.Done()
	return store, opts, nil
}

// pollerMailbox maps one configured mailbox onto the poller's own struct.
func pollerMailbox(m MailboxConfig) poller.Mailbox {
	return poller.Mailbox{
		Name: m.Name, Protocol: m.Protocol, Host: m.Host, Port: m.Port, TLS: m.TLS,
		TLSCAFile: m.TLSCAFile, TLSSkipVerify: m.TLSSkipVerify,
		Username: m.Username, Password: m.Password.Value(), Auth: m.Auth,
		TokenFile: m.OAuthTokenFile, TokenCommand: m.OAuthTokenCommand,
		Folder: m.Folder, After: m.After, ProcessedFolder: m.ProcessedFolder, FailedFolder: m.FailedFolder,
	}
}

// pollerOptions builds the options every pass shares: batch size, parser
// limits, the signed return-path verifier when verp is configured.
func pollerOptions(cfg *Config, store *suppression.Store, logger *slog.Logger) (*poller.Options, error) {
	verifier, err := newVerifier(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	stream, err := newStreamer(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	parse := dsnOptions(cfg, verifier != nil)
	return &poller.Options{BatchSize: cfg.Poller.BatchSize, Parse: parse, Verifier: verifier, Stream: stream, Logger: logger}, nil
}

// dsnOptions are the parser's options ingest uses (bouncer parse too):
// the size limit, the mailboxes' own addresses, the signed header and
// streams.header; verifying says signed return paths are checked.
func dsnOptions(cfg *Config, verifying bool) *dsn.Options {
	parse := &dsn.Options{MaxSize: cfg.DSN.MaxMessageBytes}
	for _, m := range cfg.Mailboxes {
		if m.Address != "" {
			// The bounce mailbox's own address is never a failed recipient.
			parse.OwnAddresses = append(parse.OwnAddresses, m.Address)
		}
	}
	if cfg.VERP.Header != "" {
		parse.Headers = []string{cfg.VERP.Header}
	}
	// A notice that names no failed address is still read when a signed
	// return path can name it: the store takes the verified recipient.
	parse.KeepNameless = verifying
	if cfg.Streams.Header != "" {
		parse.Headers = append(parse.Headers, cfg.Streams.Header)
	}
	return parse
}

// selectMailboxes returns the configured mailboxes named in names, or all
// of them when names is empty; an unknown name is an error.
func selectMailboxes(cfg *Config, names []string) ([]MailboxConfig, error) {
	if len(names) == 0 {
		return cfg.Mailboxes, nil
	}
	var out []MailboxConfig
	for _, n := range names {
		found := false
		for _, m := range cfg.Mailboxes {
			if m.Name == n {
				out, found = append(out, m), true
			}
		}
		if !found {
			return nil, fmt.Errorf("mailbox %q is not configured", n)
		}
	}
	return out, nil
}

// recordPoll stores the outcome of a pass that ran (for `bouncer status`,
// /metrics and the poll-failure alert) and logs it.
func recordPoll(ctx context.Context, store *suppression.Store, start time.Time, sum poller.Summary, err error) {
	st := suppression.PollStatus{Mailbox: sum.Mailbox, At: start, Fetched: sum.Fetched, Waiting: sum.Waiting,
		Duration: time.Duration(sum.Seconds * float64(time.Second))}
	attrs := []any{slog.String("mailbox", sum.Mailbox), slog.Int("fetched", sum.Fetched),
		slog.Int("newly_suppressed", sum.NewlySuppressed), slog.Int("duplicates", sum.Duplicates),
		slog.Int("unparsed", sum.Unparsed), slog.Int("not_reports", sum.NotReports), slog.Float64("seconds", sum.Seconds)}
	if sum.Stopped {
		attrs = append(attrs, slog.Bool("stopped", true), slog.Int("waiting", sum.Waiting))
	}
	if err != nil {
		st.Err = err.Error()
		slog.Error("poll failed", append(attrs, slog.String("err", err.Error()))...)
	} else {
		slog.Info("poll done", attrs...)
	}
	// The status write has its own deadline: it must land even when ctx
	// was cancelled by a shutdown.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if werr := store.RecordPoll(wctx, st); werr != nil {
		slog.Error("record poll status", slog.String("mailbox", sum.Mailbox), slog.String("err", werr.Error()))
	}
}
