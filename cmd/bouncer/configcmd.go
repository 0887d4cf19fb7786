package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/bouncer-mail/bouncer/internal/duration"
)

// newConfigCmd builds "config" and its subcommand "check".
func newConfigCmd() *cobra.Command {
	configCmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the configuration",
	}
	check := newConfigCheckCmd()
	check.Flags().Bool("connect", false, "also try the database, each mailbox (log in, open the folder) and SMTP (log in); exit 1 if any fails")
	configCmd.AddCommand(check)
	return configCmd
}

func newConfigCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and print it with defaults filled in",
		Long: `Validate the configuration file and print the effective configuration as
YAML, defaults included and secrets shown only as (set) or (unset).
Warnings go to stderr, and so does a last "config OK" line when the file is
valid. Every problem is reported, each with its key path (a YAML syntax
error with the line to fix); the exit status is 0 when the file is valid
and 78 when it is not. With --connect it then tries the database, each
mailbox (log in, open the folder read-only) and the SMTP server (log in,
send nothing), a line each, and exits 1 if any failed.`,
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
			doc, err := configYAML(cfg)
			if err != nil {
				return err
			}
			enc := yaml.NewEncoder(w)
			enc.SetIndent(2)
			if err := enc.Encode(doc); err != nil {
				return fmt.Errorf("config: print: %w", err)
			}
			if err := enc.Close(); err != nil {
				return fmt.Errorf("config: print: %w", err)
			}
			warnings := ""
			if n := len(cfg.Warnings) + warnUnverifiedTLS(cfg, cfg.Mailboxes); n > 0 {
				warnings = " (" + plural(n, "%d warning", "%d warnings") + " above)"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "config OK: %s%s\n", configName(cfg), warnings)
			if connect, _ := cmd.Flags().GetBool("connect"); connect {
				if err := checkConnections(cmd.Context(), cmd.ErrOrStderr(), cfg); err != nil {
					return withExit(1, err)
				}
			}
			return nil
		},
	}
}

// configYAML is cfg as the YAML config check prints, with every duration
// written as the file accepts it (90d, 7d, 30s), not as Go prints it
// (2160h0m0s).
func configYAML(cfg *Config) (*yaml.Node, error) {
	var doc yaml.Node
	if err := doc.Encode(cfg); err != nil {
		return nil, fmt.Errorf("config: print: %w", err)
	}
	formatDurations(&doc, reflect.ValueOf(cfg), "")
	if cfg.Database.URL == "" {
		markDefaultDatabase(&doc, storeURL(cfg))
	}
	return &doc, nil
}

// markDefaultDatabase writes into database.url of doc the database used
// when the file names none (SQLite in state_dir), marked as the default,
// instead of an empty string.
func markDefaultDatabase(doc *yaml.Node, url string) {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	db := mappingValue(doc, "database")
	if u := mappingValue(db, "url"); u != nil {
		u.Value, u.Style, u.LineComment = url, 0, "# the default: SQLite in state_dir"
	}
}

// mappingValue returns the value of key in the mapping node m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// formatDurations rewrites the scalars of n that encode a time.Duration of
// v (the value n was encoded from) with duration.Format. A zero duration
// whose field has a tag zero:"…" (what 0 means: "keep for ever") prints as
// 0 with that meaning as a comment; zero is the tag of v's field.
func formatDurations(n *yaml.Node, v reflect.Value, zero string) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	switch {
	case v.Type() == durationType && n.Kind == yaml.ScalarNode && v.Int() == 0 && zero != "":
		n.Value, n.Tag, n.Style, n.LineComment = "0", "!!int", 0, "# "+zero
	case v.Type() == durationType && n.Kind == yaml.ScalarNode:
		n.Value = duration.Format(time.Duration(v.Int()))
	case v.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if f, sf, ok := yamlField(v, n.Content[i].Value); ok {
				formatDurations(n.Content[i+1], f, sf.Tag.Get("zero"))
			}
		}
	case v.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode && v.Len() == len(n.Content):
		for i, item := range n.Content {
			formatDurations(item, v.Index(i), "")
		}
	}
}

// yamlField is the field of struct v that YAML encodes under key.
func yamlField(v reflect.Value, key string) (reflect.Value, reflect.StructField, bool) {
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" {
			name = strings.ToLower(t.Field(i).Name)
		}
		if name == key && t.Field(i).IsExported() {
			return v.Field(i), t.Field(i), true
		}
	}
	return reflect.Value{}, reflect.StructField{}, false
}

// configName names the file cfg came from, or says there was none.
func configName(cfg *Config) string {
	if cfg.Path == "" {
		return "no file, defaults"
	}
	return cfg.Path
}

// MarshalYAML prints the URL with any password replaced by "xxxxx".
func (d DatabaseConfig) MarshalYAML() (any, error) {
	type plain DatabaseConfig
	out := plain(d)
	out.URL = redactURL(d.URL)
	return out, nil
}

// secretURLParams are the query parameters lib/pq reads a credential from.
var secretURLParams = []string{"password", "sslpassword"}

// redactURL hides every credential of a postgres:// URL: the password in
// its user part and password or sslpassword given as query parameters. A
// URL that does not parse is hidden whole; sqlite: names are returned as
// they are.
func redactURL(s string) string {
	if strings.HasPrefix(s, "sqlite:") || s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL, hidden)"
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "(unparseable URL, hidden)"
	}
	hidden := false
	for k := range q {
		if slices.Contains(secretURLParams, strings.ToLower(k)) {
			q[k], hidden = []string{"xxxxx"}, true
		}
	}
	if hidden {
		u.RawQuery = q.Encode()
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
