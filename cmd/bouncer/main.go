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
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRootCmd().ExecuteContext(ctx)
	stopProfile()
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bouncer:", err)
	}
	os.Exit(code)
}
