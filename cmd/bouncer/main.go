// Command bouncer polls bounce mailboxes, parses DSN and ARF reports, keeps a
// suppression list and emails a daily failure report.
//
// This package owns configuration, wiring, the CLI, signals and the daemon;
// it holds no business logic. Each command group lives in its own file with
// a constructor (newSuppressionCmd, newPollCmd, …) that newRootCmd calls, so
// every tree is fresh: its flags start at their defaults.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/suppression"
)

// exitError carries a specific process exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withExit wraps err so that main exits with code; a nil err with a non-zero
// code exits silently with that code.
func withExit(code int, err error) error { return &exitError{code: code, err: err} }

// newRootCmd builds the whole command tree. Nothing of it is global: two
// trees share no flag values, so a test builds one per run.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "bouncer",
		Short:         "Close the loop on outgoing email: bounces and complaints into a suppression list",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(), // adds --version
	}
	root.SetVersionTemplate("{{.Version}}\n")
	addConfigFlag(root)
	addProfileFlag(root)
	root.AddCommand(
		newConfigCmd(),
		newDemoCmd(),
		newHealthCmd(),
		newIngestCmd(),
		newMigrateCmd(),
		newParseCmd(),
		newPollCmd(),
		newPruneCmd(),
		newRatesCmd(),
		newReportCmd(),
		newRunCmd(),
		newSentCmd(),
		newServeCmd(),
		newStatusCmd(),
		newSuppressionCmd(),
		newVerpCmd(),
		newVersionCmd(),
		newWebhooksCmd(),
	)
	setupCompletion(root)
	return root
}

// execute runs root with ctx. An error cobra finds in the command line
// itself (an unknown command or flag, a bad flag value, a missing required
// flag, a wrong number of arguments) comes back as exitUsage: cobra checks
// all of these before any command's RunE, so an error returned before one
// began, and not from a PersistentPreRunE, is one of them.
func execute(ctx context.Context, root *cobra.Command) error {
	started := false
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withExit(exitUsage, err) })
	walkCommands(root, func(c *cobra.Command) {
		if pre := c.PersistentPreRunE; pre != nil {
			c.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
				err := pre(cmd, args)
				var ee *exitError
				if err != nil && !errors.As(err, &ee) {
					err = withExit(1, err) // not a usage error
				}
				return err
			}
		}
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				started = true
				return run(cmd, args)
			}
		}
		if run := c.Run; run != nil {
			c.Run = func(cmd *cobra.Command, args []string) {
				started = true
				run(cmd, args)
			}
		}
	})
	err := root.ExecuteContext(ctx)
	var ee *exitError
	if err != nil && !started && !errors.As(err, &ee) {
		return withExit(exitUsage, err)
	}
	return err
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := execute(ctx, newRootCmd())
	stopProfile()
	if err == nil {
		return
	}
	os.Exit(reportError(os.Stderr, err))
}

// reportError writes err for the person at the terminal, as "bouncer: …",
// and returns the exit code it carries (1 unless withExit says otherwise).
// An error about their input (an unknown address, an allowlist entry
// that is not there, an invalid message id) is told as the API tells it,
// without the store's "suppression: verb x:" wrapping.
func reportError(w io.Writer, err error) int {
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err == nil {
		return code
	}
	msg := err.Error()
	for _, input := range []error{suppression.ErrNotFound, suppression.ErrAllowlisted, suppression.ErrBadMessageID} {
		if errors.Is(err, input) {
			msg = suppression.ClientMessage(err)
		}
	}
	fmt.Fprintln(w, "bouncer:", msg)
	return code
}
