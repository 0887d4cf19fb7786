package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/suppression"
)

// newRatesCmd builds `rates`: bounce and complaint rates per stream.
func newRatesCmd() *cobra.Command {
	var stream, format string
	var days int
	cmd := &cobra.Command{
		Use:   "rates [--stream S] [--days N] [--format table|json]",
		Short: "Bounce and complaint rates per stream: per day and over the trailing 7 and 30 days",
		Long: `rates lists, per stream and for all streams together, the messages sent
(POST /v1/sent, bouncer sent add) and the hard, soft, block and complaint
events of each day up to today (report.timezone), and of the trailing 7
and 30 days. The bounce rate is hard bounces ÷ sent (as Amazon SES counts),
the complaint rate complaints ÷ sent; under rates.min_volume sent they read
"not enough volume". See docs/rates.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return withExit(64, fmt.Errorf("--format %q: want table or json", format))
			}
			return runRates(cmd, stream, days, format)
		},
	}
	cmd.Flags().StringVar(&stream, "stream", "", "only this stream")
	cmd.Flags().IntVar(&days, "days", 0, "days listed one by one, ending today (7 when not given)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}

func runRates(cmd *cobra.Command, stream string, days int, format string) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	q := suppression.RatesQuery{Last: time.Now(), Location: cfg.Report.Location, MinVolume: cfg.Rates.MinVolume}
	n := ""
	if cmd.Flags().Changed("days") {
		n = strconv.Itoa(days)
	}
	q, err = suppression.ParseRatesQuery(stream, n, q)
	if err != nil {
		return withExit(64, fmt.Errorf("--%w", err))
	}
	return withLoadedStore(cmd, cfg, func(ctx context.Context, s *suppression.Store) error {
		r, err := s.Rates(ctx, q)
		if err != nil {
			return err
		}
		if format == "json" {
			return writeJSONTo(cmd.OutOrStdout(), r)
		}
		if err := printRates(cmd.OutOrStdout(), r); err != nil || q.Stream == "" || len(r.Streams) > 0 {
			return err
		}
		return printOtherStreams(ctx, cmd.OutOrStdout(), s, q)
	})
}

// printOtherStreams names the streams that sent or bounced in the 30 days,
// under the empty table of q.Stream: a misspelt --stream is not read as a
// stream that sent and bounced nothing.
func printOtherStreams(ctx context.Context, w io.Writer, s *suppression.Store, q suppression.RatesQuery) error {
	stream := q.Stream
	q.Stream = ""
	all, err := s.Rates(ctx, q)
	if err != nil {
		return err
	}
	if len(all.Streams) == 0 {
		return nil
	}
	names := make([]string, len(all.Streams))
	for i, sr := range all.Streams {
		names[i] = sr.Stream
	}
	_, err = fmt.Fprintf(w, "the streams that did: %s (not %s)\n", strings.Join(names, ", "), stream)
	return err
}

// printRates prints one table: each stream's days, then its 7 and 30 days.
func printRates(w io.Writer, r suppression.Rates) error {
	if _, err := fmt.Fprintf(w, "Rates through %s (%s); a rate needs %s sent\n\n", r.LastDay, r.TimeZone, suppression.FormatCount(r.MinVolume)); err != nil {
		return err
	}
	rows := [][]string{{"STREAM", "PERIOD", "SENT", "HARD", "SOFT", "BLOCK", "COMPLAINT", "BOUNCE RATE", "COMPLAINT RATE"}}
	add := func(sr suppression.StreamRates) {
		name := sr.Stream
		if name == "" {
			name = "(all)"
		}
		row := func(period string, f suppression.RateFigures) {
			// Under the minimum volume both rates read the same marker: a
			// blank complaint rate would read as "no complaint problem".
			rows = append(rows, []string{name, period, suppression.FormatCount(f.Sent), suppression.FormatCount(f.Hard), suppression.FormatCount(f.Soft), suppression.FormatCount(f.Block),
				suppression.FormatCount(f.Complaint), suppression.FormatRate(f.BounceRate), suppression.FormatRate(f.ComplaintRate)})
		}
		for _, d := range sr.Days {
			row(d.Day, d.RateFigures)
		}
		row("last 7 days", sr.Last7)
		row("last 30 days", sr.Last30)
	}
	for _, sr := range r.Streams {
		add(sr)
	}
	if r.Overall != nil {
		add(*r.Overall)
	}
	if len(rows) == 1 {
		_, err := fmt.Fprintln(w, "nothing sent or bounced in the last 30 days")
		return err
	}
	return printTable(w, rows)
}
