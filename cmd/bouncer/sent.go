package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/suppression"
)

// newSentCmd builds `sent add`: the volume a stream sent, for its rates.
func newSentCmd() *cobra.Command {
	sent := &cobra.Command{
		Use:   "sent",
		Short: "Record how many messages a stream sent (the volume behind bounce and complaint rates)",
	}
	var v suppression.Sent
	var at string
	add := &cobra.Command{
		Use:   "add --stream S --count N [--at TIME] [--id ID]",
		Short: "Add N messages sent by stream S in the hour of TIME (default now)",
		Long: `add adds N to the messages stream S sent in the hour of --at (RFC 3339,
default now). With --id the count is recorded once: running the command
again with the same id adds nothing. See docs/rates.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return withExit(exitUsage, fmt.Errorf("--at %q: want an RFC 3339 time such as 2026-03-01T12:00:00Z", at))
				}
				v.At = t
			}
			return runSentAdd(cmd, v)
		},
	}
	add.Flags().StringVar(&v.Stream, "stream", "", "the stream that sent them (required)")
	add.Flags().Int64Var(&v.Count, "count", 0, "how many messages (required)")
	add.Flags().StringVar(&at, "at", "", "when they were sent, RFC 3339 (default now)")
	add.Flags().StringVar(&v.ID, "id", "", "an id that makes the count add once")
	_ = add.MarkFlagRequired("stream")
	_ = add.MarkFlagRequired("count")
	sent.AddCommand(add)
	return sent
}

func runSentAdd(cmd *cobra.Command, v suppression.Sent) error {
	now := time.Now()
	checked, err := suppression.CheckSent(v, now, 0) // before the database; AddSent checks the retention
	if err != nil {
		return withExit(exitUsage, err)
	}
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		// v as given: without --at, a retry in a later hour is a duplicate.
		added, err := s.AddSent(ctx, []suppression.Sent{v}, now)
		if errors.Is(err, suppression.ErrInvalidSent) || errors.Is(err, suppression.ErrSentIDReused) {
			return withExit(exitUsage, errors.New(suppression.ClientMessage(err)))
		}
		if err != nil {
			return err
		}
		if !added[0] {
			what := "stream, count and hour"
			if v.At.IsZero() {
				what = "stream and count" // without --at the hour is the arrival's
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "id %q was recorded before with this %s: nothing added\n", v.ID, what)
			return err
		}
		hour := checked.At.Truncate(time.Hour)
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "added %d to stream %s, hour of %s\n", checked.Count, checked.Stream, zoned(&hour))
		return err
	})
}
