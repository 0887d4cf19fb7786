package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/internal/duration"
	"github.com/bouncer-mail/bouncer/suppression"
)

// RetentionConfig says how long bouncer keeps its history (package
// suppression, Store.Prune); 0 keeps a table's rows for ever.
type RetentionConfig struct {
	// Events is how long bounce and complaint events are kept: the
	// evidence behind entries, the report's and rates' figures, the fate
	// of a message. Default 400 days, at least 90.
	Events time.Duration `yaml:"events" zero:"keep for ever"`
	// Ledger is how long the ledger of processed messages is kept. A
	// message the mailbox delivers again after its row is pruned counts
	// again, so it must exceed how long a mailbox can hand back a message.
	// Default 90 days, at least 7.
	Ledger time.Duration `yaml:"ledger" zero:"keep for ever"`
	// Sent is how long sent counts are kept. Default 400 days, at least 30.
	Sent time.Duration `yaml:"sent" zero:"keep for ever"`
}

const (
	day                    = 24 * time.Hour
	defaultEventRetention  = 400 * day
	defaultLedgerRetention = 90 * day
	defaultSentRetention   = 400 * day
	// pruneEvery is how often the daemon prunes (and once at start).
	pruneEvery = 24 * time.Hour
)

func (c *RetentionConfig) validate(p *configProblems, policy PolicyConfig) {
	atLeast := func(path string, d, least time.Duration) {
		if d < 0 || d > 0 && d < least {
			p.errorf(path, "must be 0 (keep for ever) or at least %dd", least/day)
		}
	}
	atLeast("retention.events", c.Events, suppression.MinEventRetention)
	atLeast("retention.ledger", c.Ledger, 7*day)
	atLeast("retention.sent", c.Sent, 30*day)
	if c.Events > 0 && c.Events < policy.SoftWindow {
		p.errorf("retention.events", "must be at least policy.soft_window (%s): soft bounces in the window must still be there", duration.Format(policy.SoftWindow))
	}
}

// retention maps the configuration onto the store's.
func (c RetentionConfig) retention() suppression.Retention {
	return suppression.Retention{Events: c.Events, Ledger: c.Ledger, Sent: c.Sent}
}

func init() {
	registerDaemonService(func(d *daemon) (func(context.Context) error, error) {
		return startPrune(d.ctx, d.cfg, d.store, slog.Default())
	})
}

// newPruneCmd builds `prune [--dry-run]`.
func newPruneCmd() *cobra.Command {
	var dryRun bool
	var format string
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete the history past its retention now (bouncer run does it daily)",
		Long: `prune deletes the events, ledger rows and sent counts older than
retention.events, retention.ledger and retention.sent (the ids that make a
sent count add once go with the ledger's retention). On Postgres it drops
whole months (partitions) and creates the months ahead; on SQLite it deletes
in short batches. The counters of the suppression list never change. It runs
under a lock: when another process is pruning, it says so and does nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPrune(cmd, dryRun, format) },
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would go, change nothing")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}

func runPrune(cmd *cobra.Command, dryRun bool, format string) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("--format %q: want table or json", format)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	return withLoadedStore(cmd, cfg, func(ctx context.Context, s *suppression.Store) error {
		res, err := s.Prune(ctx, cfg.Retention.retention(), time.Now(), dryRun)
		if err != nil {
			return err
		}
		if format == "json" {
			return writeJSONTo(cmd.OutOrStdout(), res)
		}
		return printPrune(cmd.OutOrStdout(), res)
	})
}

// printPrune says what a prune did, one line per table.
func printPrune(w io.Writer, res suppression.PruneResult) error {
	if res.Skipped {
		_, err := fmt.Fprintln(w, "another process is pruning: nothing done")
		return err
	}
	verb := "pruned"
	if res.DryRun {
		verb = "would prune"
	}
	for _, t := range res.Tables {
		line := t.Table + ": kept for ever"
		if !t.Before.IsZero() {
			what := "received before"
			if t.Table == "sent_counts" {
				what = "counting hours before"
			}
			line = fmt.Sprintf("%s: %s %s %s %s", t.Table, verb, plural(int(t.Rows), "%d row", "%d rows"), what, zoned(&t.Before))
		}
		if len(t.Dropped) > 0 {
			line += " (partitions " + strings.Join(t.Dropped, ", ") + ")"
		}
		if len(t.Created) > 0 {
			line += "; months ahead: " + strings.Join(t.Created, ", ")
		}
		if t.Batches > 0 {
			line += fmt.Sprintf("; %s, longest %s", plural(t.Batches, "%d batch", "%d batches"), batchTime(t.MaxBatch))
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// batchTime writes how long the longest delete took, to the millisecond:
// "31ms", or "<1ms" rather than "0s".
func batchTime(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}

// startPrune prunes at start and then every pruneEvery until ctx ends.
// Replicas may all run it: the store's lock lets one prune at a time.
func startPrune(ctx context.Context, cfg *Config, store *suppression.Store, logger *slog.Logger) (func(context.Context) error, error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			res, err := store.Prune(ctx, cfg.Retention.retention(), time.Now(), false)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				logger.Error("prune failed", slog.String("err", err.Error()))
			case !res.Skipped:
				for _, t := range res.Tables {
					logger.Info("pruned", slog.String("table", t.Table), slog.Int64("rows", t.Rows),
						slog.Int("partitions_dropped", len(t.Dropped)), slog.Int("partitions_created", len(t.Created)))
				}
			}
			if !sleep(ctx, pruneEvery) {
				return
			}
		}
	}()
	return func(stopCtx context.Context) error {
		cancel()
		select {
		case <-done:
			return nil
		case <-stopCtx.Done():
			return fmt.Errorf("prune: still running at shutdown: %w", stopCtx.Err())
		}
	}, nil
}

// printHorizon says which events recompute can see: all of them, or those
// received since the prune horizon.
func printHorizon(ctx context.Context, w io.Writer, s *suppression.Store) error {
	h, err := s.Horizon(ctx, "bounce_events")
	if err != nil {
		return err
	}
	if h == nil {
		_, err = fmt.Fprintln(w, "recompute sees every stored event (none pruned yet)")
		return err
	}
	_, err = fmt.Fprintf(w, "recompute sees the events received since %s (older ones were pruned: retention.events); "+
		"addresses first seen before then keep their entries as they are\n", zoned(h))
	return err
}
