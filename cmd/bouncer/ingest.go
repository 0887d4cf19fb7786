package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/poller"
)

// Exit statuses of sysexits(3), which MTAs read from a pipe transport.
const (
	exitUsage    = 64 // EX_USAGE: bad command line
	exitDataErr  = 65 // EX_DATAERR: the input is not a message
	exitNoInput  = 66 // EX_NOINPUT: the file cannot be opened
	exitIOErr    = 74 // EX_IOERR: the input could not be read
	exitTempFail = 75 // EX_TEMPFAIL: try again later (the database is unreachable)
)

func newIngestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ingest [FILE|-]",
		Short: "Record one bounce read from a file or standard input (MTA pipe mode)",
		Long: `Ingest reads one message (Postfix pipe, Exim transport, procmail) and records
it through the same parse and record path as a mailbox pass. A message that is
not a report, cannot be parsed, or names no usable recipient is recorded in
the ledger (not_report, quarantined, no_recipient; a complaint whose recipient
was redacted, redacted_complaint), shown in the daily report, and exits 0:
only the ledger row is left of it (kept for retention.ledger).

Exit status (sysexits): 0 recorded (or already recorded); 64 bad usage;
65 empty input; 66 the file cannot be opened; 74 the input could not be read;
75 temporary failure (database unreachable): the MTA keeps the message and
retries; 78 invalid configuration.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.MaximumNArgs(1)(cmd, args); err != nil {
				return withExit(exitUsage, err)
			}
			return nil
		},
		RunE: runIngest,
	}
	cmd.Flags().String("mailbox", "ingest", "label recorded with the message in the ledger")
	return cmd
}

func runIngest(cmd *cobra.Command, args []string) error {
	cfg, err := loadConfigUsing(cmd, "verp") // the signed return paths it checks
	if err != nil {
		return err
	}
	in, closeIn, err := ingestInput(cmd, args)
	if err != nil {
		return err
	}
	defer closeIn()
	ctx := cmd.Context()
	store, err := openStore(ctx, cfg, cfg.Path != "") // creates the database only with a config file
	if err != nil {
		return withExit(exitTempFail, err)
	}
	defer store.Close()
	opts, err := pollerOptions(cfg, store, slog.Default())
	if err != nil {
		return withExit(exitConfig, err)
	}
	label, _ := cmd.Flags().GetString("mailbox")
	sum, err := poller.Ingest(ctx, in, label, store, opts)
	switch {
	case errors.Is(err, poller.ErrEmpty):
		return withExit(exitDataErr, err)
	case errors.Is(err, poller.ErrRead):
		return withExit(exitIOErr, err)
	case err != nil:
		return withExit(exitTempFail, err)
	}
	fmt.Fprintln(cmd.OutOrStdout(), sum.String())
	return nil
}

// ingestInput opens FILE, or standard input for "-" or no argument.
func ingestInput(cmd *cobra.Command, args []string) (io.Reader, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, nil, withExit(exitNoInput, err)
	}
	return f, func() { f.Close() }, nil
}
