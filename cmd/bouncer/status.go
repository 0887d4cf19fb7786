package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/suppression"
)

// newStatusCmd builds `status MESSAGE-ID`.
func newStatusCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status MESSAGE-ID",
		Short: "What became of a sent message, by its Message-ID: failed, complained, delayed or no report",
		Long: `status looks up the reports that came back about one sent message, by the
Message-ID your application gave it (with or without its angle brackets):
failed (per recipient: class, reason, status, diagnostic, when), complained,
delayed (a delay notice came, nothing final yet), no failure reported (a
delivery report or an auto-reply came), or no report. The Message-ID is
matched with its case.

"no report" is not proof of delivery: a bounce may still be on its way, and
many receivers accept mail and drop it, or send no report at all.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runStatus(cmd, args, format) },
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}

func runStatus(cmd *cobra.Command, args []string, format string) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("--format %q: want table or json", format)
	}
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		f, err := s.MessageStatus(ctx, args[0])
		if errors.Is(err, suppression.ErrBadMessageID) {
			return withExit(exitUsage, err)
		} else if err != nil {
			return err
		}
		if format == "json" {
			return writeJSONTo(cmd.OutOrStdout(), f)
		}
		return printFate(cmd.OutOrStdout(), f, time.Now())
	})
}

// printFate prints a message's state, what it cannot prove, how far back
// reports are kept, then its recipients' reports.
func printFate(w io.Writer, f suppression.MessageFate, now time.Time) error {
	if _, err := fmt.Fprintf(w, "%s: %s\n", f.MessageID, fateHeadline(f, now)); err != nil {
		return err
	}
	if f.State == suppression.FateNoReport && f.Delivered() == nil {
		fmt.Fprintln(w, "Not proof of delivery: the receiver may have accepted it, or a bounce may be yet to come or name no message.")
	}
	if f.ReportsPrunedBefore != nil {
		fmt.Fprintf(w, "Reports are kept from %s (retention.events); older ones were pruned.\n", zoned(f.ReportsPrunedBefore))
	}
	if len(f.Recipients) == 0 {
		return nil
	}
	rows := [][]string{{"RECIPIENT", "STATE", "CLASS", "REASON", "STATUS", "WHEN (" + zoneLabel(now) + ")", "DIAGNOSTIC"}}
	for _, r := range f.Recipients {
		rows = append(rows, []string{r.Recipient, fateWords(r.State), string(r.Class), string(r.Reason), r.Status,
			localTime(r.At), strings.Join(strings.Fields(r.Diagnostic), " ")})
	}
	fmt.Fprintln(w)
	return printTable(w, rows, 6, 3) // the diagnostic is cut, never the recipient
}

// fateHeadline is a message's state in words: "no report" only when no
// report names it; "no failure reported" when reports came that are no
// failure, complaint or delay (a delivery report, an auto-reply).
func fateHeadline(f suppression.MessageFate, now time.Time) string {
	since := func(what string, t *time.Time) string {
		return fmt.Sprintf("%s %s ago, %s", what, roughAge(now.Sub(*t)), zoned(t))
	}
	switch {
	case f.FirstReportAt == nil:
		return "no report"
	case f.State == suppression.FateNoReport && f.Delivered() != nil:
		return "no failure reported (" + since("a delivery report came", f.Delivered()) + ")"
	case f.State == suppression.FateNoReport:
		return "no failure reported (" + since("first report", f.FirstReportAt) + ": not a failure, complaint or delay)"
	case f.State == suppression.FateDelayed:
		return "delayed (" + since("first report", f.FirstReportAt) + ")"
	}
	return fateWords(f.State)
}

// fateWords is a state as the CLI writes it.
func fateWords(state string) string {
	if state == suppression.FateNoReport {
		return "no failure"
	}
	return state
}

// roughAge says a duration for a person: "40m", "5h", "3d".
func roughAge(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
