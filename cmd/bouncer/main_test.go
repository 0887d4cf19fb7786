package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestCommandTreesShareNoFlags sets every flag of one tree away from its
// default, builds a second tree, and checks the second starts with every
// flag at its default while the first keeps its values: two trees bound to
// one package variable would reset each other (pflag writes the default
// into the variable when a flag is defined).
func TestCommandTreesShareNoFlags(t *testing.T) {
	first := newRootCmd()
	set := map[*pflag.Flag]string{}
	walkCommands(first, func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Value.String() == f.DefValue {
				for _, v := range []string{"true", "7", "zz@x.test"} {
					if f.Value.String() != v && f.Value.Set(v) == nil {
						break
					}
				}
			}
			if f.Value.String() == f.DefValue {
				t.Errorf("%s --%s: no test value is accepted", c.CommandPath(), f.Name)
			}
			set[f] = f.Value.String()
		})
	})
	if len(set) < 30 {
		t.Fatalf("changed %d flags; the tree has more", len(set))
	}
	walkCommands(newRootCmd(), func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if got := f.Value.String(); got != f.DefValue {
				t.Errorf("second tree: %s --%s = %q, want its default %q", c.CommandPath(), f.Name, got, f.DefValue)
			}
		})
	})
	for f, want := range set {
		if got := f.Value.String(); got != want {
			t.Errorf("first tree: --%s = %q after a second tree was built, want %q (set before)", f.Name, got, want)
		}
	}
}

// A command line cobra refuses (missing required flag, unknown flag, bad
// flag value, wrong number of arguments, unknown command) exits exitUsage
// with cobra's message, before any command runs; an error of the command
// itself keeps its own code, and suppression check keeps its 0/1/2.
func TestUsageErrorsExit64(t *testing.T) {
	noConfig := filepath.Join(t.TempDir(), "none.yaml")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"sent", "add", "--stream", "news"}, exitUsage, `required flag(s) "count" not set`},
		{[]string{"sent", "add"}, exitUsage, `required flag(s) "count", "stream" not set`},
		{[]string{"sent", "add", "--stream", "news", "--count", "many"}, exitUsage, `invalid argument "many" for "--count"`},
		{[]string{"sent", "add", "--stream", "news", "--count", "5", "--no-such-flag"}, exitUsage, "unknown flag: --no-such-flag"},
		{[]string{"sent", "add", "--stream", "news", "--count", "5", "extra"}, exitUsage, `unknown command "extra"`},
		{[]string{"sent", "add", "--stream", "news", "--count", "5", "--at", "yesterday"}, exitUsage, "want an RFC 3339 time"},
		{[]string{"suppression", "add", "a@example.com"}, exitUsage, `required flag(s) "reason" not set`},
		{[]string{"suppression", "show"}, exitUsage, "accepts 1 arg(s), received 0"},
		{[]string{"suppression", "check", "--no-such-flag", "a@example.com"}, exitCheckError, "unknown flag: --no-such-flag"},
		{[]string{"no-such-command"}, exitUsage, `unknown command "no-such-command"`},
		{[]string{"sent", "add", "--stream", "news", "--count", "5", "--config", noConfig}, exitConfig, "none.yaml"},
		{[]string{"version", "--cpuprofile", filepath.Join(noConfig, "cpu.out")}, 1, "cpuprofile"},
	}
	for _, tt := range tests {
		_, stderr, code := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("bouncer %s: exit %d, stderr %q; want %d with %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.msg)
		}
	}
}
