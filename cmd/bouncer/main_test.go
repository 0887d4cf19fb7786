package main

import (
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
