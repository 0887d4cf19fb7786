package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// completionShells are the shells cobra writes completion scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// setupCompletion completes flag values (every --format with its command's
// formats, --mailbox with the names in the config) and makes
// "completion SHELL" for a shell without a script an error instead of help.
func setupCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return withExit(2, fmt.Errorf("completion: unsupported shell %q: want %s", args[0], strings.Join(completionShells, ", ")))
			}
		}
	}
	walkCommands(root, func(c *cobra.Command) {
		if f := c.Flags().Lookup("format"); f != nil {
			values := formatValues(f.Usage)
			_ = c.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
		if c.Flags().Lookup("mailbox") != nil {
			_ = c.RegisterFlagCompletionFunc("mailbox", completeMailboxes)
		}
	})
}

func walkCommands(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, fn)
	}
}

// formatValues reads the values a --format flag takes from its usage text
// ("table, json or csv", "bouncer, ses, … or postmark", "text, html, or
// mime (the whole message…)"), so the two cannot disagree.
func formatValues(usage string) []string {
	usage, _, _ = strings.Cut(usage, "(")
	var out []string
	for _, w := range strings.FieldsFunc(usage, func(r rune) bool { return r == ',' || r == ' ' }) {
		if w != "or" && w != "" && strings.ToLower(w) == w && !strings.ContainsAny(w, "…") {
			out = append(out, w)
		}
	}
	return out
}

// completeMailboxes offers the mailbox names of the config the command
// line (or $BOUNCER_CONFIG, or the default paths) names.
func completeMailboxes(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	flag := ""
	if f := cmd.Flag("config"); f != nil {
		flag = f.Value.String()
	}
	path, err := findConfig(flag, os.Getenv("BOUNCER_CONFIG"))
	if err != nil || path == "" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cfg, _ := readConfig(path) // a config with problems still names its mailboxes
	if cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names := make([]string, 0, len(cfg.Mailboxes))
	for _, m := range cfg.Mailboxes {
		names = append(names, m.Name)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
