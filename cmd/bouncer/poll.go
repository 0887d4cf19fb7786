package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

func newPollCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "poll --once [--mailbox NAME]...",
		Short: "Poll the configured mailboxes once and print what each pass did",
		Long: `Poll runs one pass over each configured mailbox (or those named by
--mailbox): fetch, parse, record, then move, delete or flag. It prints one
summary line per mailbox and exits 75 (EX_TEMPFAIL: try again later) if any
pass failed or the database could not be reached; nothing of a failed batch
is moved or deleted. SIGTERM finishes the batch in hand and exits 0.
bouncer run is the daemon that polls on each mailbox's schedule; poll
without --once is refused (exit 64) rather than quietly doing one pass.`,
		Args: cobra.NoArgs,
		RunE: runPoll,
	}
	cmd.Flags().StringSlice("mailbox", nil, "poll only this mailbox (repeatable)")
	cmd.Flags().Bool("once", false, "one pass, then exit (required: bouncer run polls on the schedule)")
	cmd.Flags().Bool("include-flagged", false, "also take the messages an earlier after: flag left behind (after switching to move or delete)")
	return cmd
}

func runPoll(cmd *cobra.Command, _ []string) error {
	if once, _ := cmd.Flags().GetBool("once"); !once {
		return withExit(exitUsage, errors.New("poll needs --once: it makes one pass and exits; bouncer run polls each mailbox on its schedule"))
	}
	cfg, err := loadConfigWithSecrets(cmd)
	if err != nil {
		return err
	}
	names, _ := cmd.Flags().GetStringSlice("mailbox")
	mailboxes, err := selectMailboxes(cfg, names)
	if err != nil {
		return withExit(exitUsage, err)
	}
	if len(mailboxes) == 0 {
		return withExit(exitConfig, errors.New("no mailbox is configured"))
	}
	warnUnverifiedTLS(cfg, mailboxes)
	soft := cmd.Context()
	hard, cancel := twoStep(soft, shutdownGrace)
	defer cancel()
	store, opts, err := openPolling(hard, cfg, soft, cfg.Path != "")
	if err != nil {
		return err
	}
	defer store.Close()
	opts.Progress = newProgress(cmd.ErrOrStderr(), 10*time.Second)
	opts.IncludeFlagged, _ = cmd.Flags().GetBool("include-flagged")
	runner := &poller.Runner{Store: store, Locker: store, Options: opts}
	failed := pollAll(hard, cmd, runner, store, cfg, mailboxes)
	if failed && soft.Err() == nil {
		return withExit(exitTempFail, nil) // each failure is in its summary line and logged
	}
	return nil
}

// summaryLine is a pass's summary, with the failure first when it failed:
// a failed pass must not read like an empty mailbox.
func summaryLine(sum poller.Summary, err error) string {
	if err == nil {
		return sum.String()
	}
	_, counts, _ := strings.Cut(sum.String(), ": ")
	return fmt.Sprintf("%s: FAILED: %v (%s)", sum.Mailbox, err, counts)
}

// pollAll runs one guarded pass per mailbox in turn, printing each summary,
// and reports whether any failed.
func pollAll(ctx context.Context, cmd *cobra.Command, runner *poller.Runner, store *suppression.Store, cfg *Config, mailboxes []MailboxConfig) (failed bool) {
	out := cmd.OutOrStdout()
	for _, m := range mailboxes {
		if cmd.Context().Err() != nil {
			fmt.Fprintf(out, "%s: not polled, stopping\n", m.Name)
			continue
		}
		start := time.Now()
		sum, err := runner.Run(ctx, pollerMailbox(m))
		err = withTLSHint(err, mailboxKey(cfg, m.Name)+".tls_ca_file")
		if errors.Is(err, poller.ErrLocked) {
			fmt.Fprintf(out, "%s: skipped, another bouncer is polling it\n", m.Name)
			continue
		}
		if ctx.Err() == nil {
			recordPoll(ctx, store, start, sum, err)
		}
		fmt.Fprintln(out, summaryLine(sum, err))
		failed = failed || err != nil
	}
	return failed
}
