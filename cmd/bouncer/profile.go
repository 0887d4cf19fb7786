package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// stopProfile ends the CPU profile --cpuprofile started; main calls it
// before exiting.
var stopProfile = func() {}

// addProfileFlag adds the hidden --cpuprofile, which profiles any command.
func addProfileFlag(root *cobra.Command) {
	root.PersistentFlags().String("cpuprofile", "", "write a CPU profile of the command to this file (for developers)")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		path, _ := cmd.Flags().GetString("cpuprofile")
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("cpuprofile: %w", err)
		}
		stopProfile = func() {
			pprof.StopCPUProfile()
			f.Close()
		}
		return nil
	}
}
