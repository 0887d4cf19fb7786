package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// exitConfig is the exit status for an unusable configuration (sysexits'
// EX_CONFIG), so a service manager can tell it from a crash and stop
// restarting (systemd: RestartPreventExitStatus=78).
const exitConfig = 78

// databaseURLEnv, when set, replaces database.url (of the file or the
// defaults): BOUNCER_DATABASE_URL=sqlite:/tmp/x.db bouncer suppression list.
const databaseURLEnv = "BOUNCER_DATABASE_URL"

// defaultConfigPaths are tried in order when neither --config nor
// $BOUNCER_CONFIG names a file.
var defaultConfigPaths = []string{"bouncer.yaml", "/etc/bouncer/bouncer.yaml"}

// addConfigFlag adds --config, which every command reads.
func addConfigFlag(root *cobra.Command) {
	root.PersistentFlags().String("config", "",
		"config file (default $BOUNCER_CONFIG, else ./bouncer.yaml, else /etc/bouncer/bouncer.yaml)")
}

// loadConfig finds, reads and validates the configuration for cmd, makes the
// logger it describes the default, and logs the config's warnings. With no
// file anywhere it returns the defaults. An invalid file gives an error
// listing every problem by key path, with exit status 78. It is for a
// command that uses none of the secrets: an unset *_env secret is not its
// concern and is not mentioned (config check reports them all).
func loadConfig(cmd *cobra.Command) (*Config, error) {
	return loadConfigFor(cmd, false)
}

// loadConfigUsing is loadConfig for a command that uses the secrets of the
// given config sections (such as "verp") but runs without them: an unset
// one of those is logged as a warning, naming its key and variable.
func loadConfigUsing(cmd *cobra.Command, sections ...string) (*Config, error) {
	return loadConfigFor(cmd, false, sections...)
}

// loadConfigFor is loadConfig, warning about the missing secrets of the
// sections warn names; with secrets every missing secret is left to the
// caller's error instead (see loadConfigWithSecrets).
func loadConfigFor(cmd *cobra.Command, secrets bool, warn ...string) (*Config, error) {
	flag := ""
	if f := cmd.Flag("config"); f != nil {
		flag = f.Value.String()
	}
	path, err := findConfig(flag, os.Getenv("BOUNCER_CONFIG"))
	if err != nil {
		return nil, withExit(exitConfig, err)
	}
	cfg, err := readConfig(path)
	var invalid *configError
	if secrets && errors.As(err, &invalid) {
		// One report: the missing secrets with the other problems, not
		// only once those are fixed.
		invalid.problems = append(invalid.problems, cfg.MissingSecrets...)
	}
	if cfg != nil { // also when invalid: its warnings are part of the story
		slog.SetDefault(newLoggerTo(cmd.ErrOrStderr(), cfg.Log))
		for _, w := range cfg.Warnings {
			slog.Warn("config: " + w)
		}
		for _, m := range cfg.MissingSecrets {
			if !secrets && inSections(m, warn) {
				slog.Warn("config: " + m.Error())
			}
		}
	}
	if err != nil {
		return nil, withExit(exitConfig, err)
	}
	return cfg, nil
}

// inSections reports whether the key of the missing secret err is in one
// of sections: "verp" holds verp.secret_env, "mailboxes" holds
// mailboxes[0].password_env.
func inSections(err error, sections []string) bool {
	var ke *keyError
	if !errors.As(err, &ke) {
		return false
	}
	for _, s := range sections {
		if rest, ok := strings.CutPrefix(ke.Path, s); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			return true
		}
	}
	return false
}

// loadConfigWithSecrets is loadConfig for the commands that use the
// mailbox, SMTP and API secrets (run, poll, config check, report send):
// a secret whose environment variable is unset stops them with exit 78,
// naming the variable, instead of starting with an empty password that
// fails on every schedule.
func loadConfigWithSecrets(cmd *cobra.Command) (*Config, error) {
	cfg, err := loadConfigFor(cmd, true)
	if err != nil {
		return nil, err
	}
	if err := requireSecrets(cfg); err != nil {
		return nil, withExit(exitConfig, err)
	}
	return cfg, nil
}

// requireSecrets returns an error listing cfg's missing secrets, or nil.
func requireSecrets(cfg *Config) error {
	if len(cfg.MissingSecrets) == 0 {
		return nil
	}
	name := cfg.Path
	if name == "" {
		name = "(defaults)"
	}
	return fmt.Errorf("config %s: %s missing:\n%w", name, plural(len(cfg.MissingSecrets), "%d secret", "%d secrets"), errors.Join(cfg.MissingSecrets...))
}

// findConfig returns the file to read: flag, else env, else the first of
// defaultConfigPaths that exists, else "" (use the defaults). A file named
// by flag or env must exist.
func findConfig(flag, env string) (string, error) {
	for _, p := range []string{flag, env} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		return p, nil
	}
	for _, p := range defaultConfigPaths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config: %w", err)
		}
	}
	return "", nil
}

// readConfig decodes the file at path (or nothing, when path is empty) over
// the defaults and validates the result. On a validation error it returns
// the partly checked config as well, for callers that want to show it.
func readConfig(path string) (*Config, error) {
	cfg := defaultConfig()
	p := &configProblems{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, relocateYAMLError(data, err))
		}
		if root.Kind != 0 {
			p.decodeNode("", &root, reflect.ValueOf(cfg).Elem())
		}
		cfg.Path = path
	}
	if u := os.Getenv(databaseURLEnv); u != "" {
		cfg.Database.URL = u // the environment wins over the file
	}
	cfg.validate(p)
	cfg.Warnings = p.warnings
	cfg.MissingSecrets = p.missing
	if len(p.errs) > 0 {
		return cfg, &configError{path: path, problems: p.errs}
	}
	return cfg, nil
}

// configError is an invalid configuration: every problem found, each
// naming its key.
type configError struct {
	path     string // "" for the defaults
	problems []error
}

func (e *configError) Error() string {
	name := e.path
	if name == "" {
		name = "(defaults)"
	}
	return fmt.Sprintf("config %s: %s:\n%v", name, plural(len(e.problems), "%d problem", "%d problems"), errors.Join(e.problems...))
}

func (e *configError) Unwrap() []error { return e.problems }

// defaultStateDir is $XDG_STATE_HOME/bouncer, else /var/lib/bouncer for
// root (a system service), else ~/.local/state/bouncer (XDG's default, so
// an ordinary user needs no setup).
func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "bouncer")
	}
	if os.Geteuid() == 0 {
		return "/var/lib/bouncer"
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "bouncer")
	}
	return "/var/lib/bouncer"
}
