package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version string

var versionCmd = &cobra.Command{
	Use:   "version",
	Short: "Print the version, commit and Go version bouncer was built with",
	Args:  cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		info, _ := debug.ReadBuildInfo()
		_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString(version, info))
		return err
	},
}

func init() { rootCmd.AddCommand(versionCmd) }

// versionString describes the build: the -X override or module version,
// the VCS revision when recorded, and the Go toolchain.
func versionString(override string, info *debug.BuildInfo) string {
	v := override
	if v == "" && info != nil {
		v = info.Main.Version // "(devel)" for a build from a checkout
	}
	if v == "" {
		v = "(unknown)"
	}
	s := "bouncer " + v
	if info != nil {
		var rev, modified string
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					modified = "+dirty"
				}
			}
		}
		if rev != "" {
			s += fmt.Sprintf(" (commit %.12s%s)", rev, modified)
		}
	}
	return s + fmt.Sprintf(" %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
