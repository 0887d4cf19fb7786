package main

import (
	"fmt"
	"log/slog"
	"net/url"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

var configCmd = &cobra.Command{
	Use:   "config",
	Short: "Inspect the configuration",
}

var configCheckCmd = &cobra.Command{
	Use:   "check",
	Short: "Validate the configuration and print it with defaults filled in",
	Long: `Validate the configuration file and print the effective configuration as
YAML, defaults included and secrets shown only as (set) or (unset).
Warnings go to stderr. Every problem is reported, each with its key path;
the exit status is 0 when the file is valid and 78 when it is not.`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		cfg, err := loadConfigWithSecrets(cmd)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		if cfg.Path == "" {
			fmt.Fprintln(w, "# no config file found: defaults")
		} else {
			fmt.Fprintf(w, "# %s\n", cfg.Path)
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(cfg); err != nil {
			return fmt.Errorf("config: print: %w", err)
		}
		return enc.Close()
	},
}

func init() {
	configCmd.AddCommand(configCheckCmd)
	rootCmd.AddCommand(configCmd)
}

// MarshalYAML prints the URL with any password replaced by "xxxxx".
func (d DatabaseConfig) MarshalYAML() (any, error) {
	type plain DatabaseConfig
	out := plain(d)
	out.URL = redactURL(d.URL)
	return out, nil
}

// redactURL hides the password of a postgres:// URL; other strings are
// returned as they are.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// String prints the section with the URL's password hidden.
func (d DatabaseConfig) String() string {
	return fmt.Sprintf("{URL:%s CaseSensitiveLocalPart:%t}", redactURL(d.URL), d.CaseSensitiveLocalPart)
}

// GoString keeps %#v from printing the URL's password.
func (d DatabaseConfig) GoString() string { return d.String() }

// LogValue makes slog print the URL with its password hidden.
func (d DatabaseConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", redactURL(d.URL)), slog.Bool("case_sensitive_local_part", d.CaseSensitiveLocalPart))
}
