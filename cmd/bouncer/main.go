// Command bouncer polls bounce mailboxes, parses DSN and ARF reports, keeps a
// suppression list and emails a daily failure report.
//
// This package owns configuration, wiring, the CLI, signals and the daemon;
// it holds no business logic. Each command group lives in its own file and
// registers itself on rootCmd from an init function.
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

var rootCmd = &cobra.Command{
	Use:           "bouncer",
	Short:         "Close the loop on outgoing email: bounces and complaints into a suppression list",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	setupCompletion(rootCmd)
	err := rootCmd.ExecuteContext(ctx)
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
