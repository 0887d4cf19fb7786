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

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version bouncer was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), buildVersion())
			return err
		},
	}
}

// buildVersion describes the running binary.
func buildVersion() string {
	info, _ := debug.ReadBuildInfo()
	return versionString(version, info)
}

// noVCS replaces "(devel)" when the build recorded no VCS information,
// which is what a build with -buildvcs=false (or outside a repository) gives.
const noVCS = "(devel, no VCS information: build with -buildvcs=true or make build)"

// versionString describes the build: the -X override or module version
// (a release tag for go install …@vX.Y.Z, a pseudo-version for go build in a
// git checkout), the VCS revision and commit time when recorded, and the Go
// toolchain.
func versionString(override string, info *debug.BuildInfo) string {
	v := override
	if v == "" && info != nil {
		v = info.Main.Version
	}
	var rev, at string
	dirty := false
	if info != nil {
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.time":
				at = kv.Value
			case "vcs.modified":
				dirty = kv.Value == "true"
			}
		}
	}
	switch {
	case v == "" && info == nil:
		v = "(unknown)"
	case (v == "" || v == "(devel)") && rev == "":
		v = noVCS
	case v == "":
		v = "(devel)"
	}
	s := "bouncer " + v
	if rev != "" {
		s += fmt.Sprintf(" (commit %.12s", rev)
		if dirty {
			s += "+dirty"
		}
		if at != "" {
			s += ", " + at
		}
		s += ")"
	}
	return s + fmt.Sprintf(" %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
