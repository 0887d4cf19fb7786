package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/internal/storemetrics"
	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

// Exit statuses of suppression check.
const (
	exitCheckSuppressed = 1 // at least one address is suppressed
	exitCheckError      = 2 // the check could not be made
)

// suppFlags holds the flags of one suppression command tree.
type suppFlags struct {
	reason, class, domain, since, note, expires, output string
	all, skipInvalid, dryRun, verbose, overwrite        bool
	checkFile                                           string
	// one per command: their defaults differ
	listFormat, showFormat, importFormat, exportFormat, allowFormat, checkFormat string
}

func newSuppressionCmd() *cobra.Command {
	f := &suppFlags{}
	suppressionCmd := &cobra.Command{
		Use:     "suppression",
		Aliases: []string{"suppressions", "s"},
		Short:   "Query and edit the suppression list",
	}
	list := &cobra.Command{Use: "list", Short: "List suppressed addresses (--all: every address with failures)", Args: cobra.NoArgs, RunE: f.runList}
	list.Flags().StringVar(&f.reason, "reason", "", "only this reason (userunknown, mailboxfull, feedback, …)")
	list.Flags().StringVar(&f.class, "class", "", "only suppressions caused by this class (hard, soft, block, complaint); with --all, also entries counting it")
	list.Flags().StringVar(&f.domain, "domain", "", "only this domain")
	list.Flags().StringVar(&f.since, "since", "", "only addresses seen since: RFC 3339 time, date, or age (72h, 7d)")
	list.Flags().BoolVar(&f.all, "all", false, "include addresses with failures that are not suppressed")
	list.Flags().StringVar(&f.listFormat, "format", "table", "table, json or csv")

	check := &cobra.Command{Use: "check EMAIL...|-", Short: "Say whether each address may be mailed (- reads them from stdin); exit 1 when any is suppressed, 2 on error",
		Args: cobra.ArbitraryArgs, RunE: f.runCheck}
	// A bad flag is an error of the check (2), not a usage error (64): its
	// callers read 0, 1 and 2 only.
	check.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withExit(exitCheckError, err) })
	check.Flags().StringVarP(&f.checkFile, "file", "f", "", "read addresses from this file too, one per line (# starts a comment)")
	check.Flags().StringVar(&f.checkFormat, "format", "table", "table or json (json names the database read)")
	check.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "say on stderr which config and database were read")
	show := &cobra.Command{Use: "show EMAIL", Short: "Show an address's entry and the evidence behind it", Args: cobra.ExactArgs(1), RunE: f.runShow}
	show.Flags().StringVar(&f.showFormat, "format", "table", "table or json")

	add := &cobra.Command{Use: "add EMAIL --reason TEXT", Short: "Suppress an address by hand (events never change it)", Args: cobra.ExactArgs(1), RunE: f.runAdd}
	add.Flags().StringVar(&f.reason, "reason", "", "why (required)")
	add.Flags().StringVar(&f.note, "note", "", "free text kept with the entry")
	add.Flags().StringVar(&f.expires, "expires", "", "lift it at this RFC 3339 time or after this long (720h, 30d); default never")
	_ = add.MarkFlagRequired("reason")

	remove := &cobra.Command{Use: "remove EMAIL", Short: "Lift an address's suppression and clear its counts", Args: cobra.ExactArgs(1), RunE: f.runRemove}
	remove.Flags().StringVar(&f.note, "note", "", "why, for the audit log")

	imp := &cobra.Command{Use: "import FILE", Short: "Import a suppression list (ours, Amazon SES, SendGrid, Mailgun, Postmark; FILE - is stdin)",
		Args: cobra.ExactArgs(1), RunE: f.runImport}
	imp.Flags().StringVar(&f.importFormat, "format", "", "bouncer, ses, sendgrid, mailgun or postmark (default: detected from the header row)")
	imp.Flags().BoolVar(&f.skipInvalid, "skip-invalid", false, "import the good lines when some are bad")
	imp.Flags().BoolVar(&f.overwrite, "overwrite", false, "replace suppressions made by bounces or complaints (kept by default)")
	imp.Flags().StringVar(&f.note, "note", "", "why, for the audit log")

	exp := &cobra.Command{Use: "export", Short: "Write the suppression list as CSV", Args: cobra.NoArgs, RunE: f.runExport}
	exp.Flags().StringVar(&f.exportFormat, "format", suppression.FormatBouncer, "bouncer, ses, sendgrid, mailgun or postmark")
	exp.Flags().BoolVar(&f.all, "all", false, "include addresses with failures that are not suppressed")
	exp.Flags().StringVarP(&f.output, "output", "o", "", "write to this file instead of stdout")

	recompute := &cobra.Command{Use: "recompute", Short: "Re-apply the configured policy to the stored events and print what changes",
		Args: cobra.NoArgs, RunE: f.runRecompute}
	recompute.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the changes without writing them")
	recompute.Flags().StringVar(&f.note, "note", "", "why, for the audit log")

	suppressionCmd.AddCommand(list, check, show, add, remove, imp, exp, recompute, f.allowCommand())
	return suppressionCmd
}

func (f *suppFlags) allowCommand() *cobra.Command {
	allow := &cobra.Command{Use: "allow", Short: "Manage the allowlist: addresses and domains never suppressed"}
	add := &cobra.Command{Use: "add ADDRESS|DOMAIN", Short: "Never suppress this address or domain", Args: cobra.ExactArgs(1), RunE: f.runAllowAdd}
	add.Flags().StringVar(&f.note, "note", "", "free text kept with the entry")
	remove := &cobra.Command{Use: "remove ADDRESS|DOMAIN", Short: "Take an entry off the allowlist", Args: cobra.ExactArgs(1), RunE: f.runAllowRemove}
	remove.Flags().StringVar(&f.note, "note", "", "why, for the audit log")
	list := &cobra.Command{Use: "list", Short: "List the allowlist", Args: cobra.NoArgs, RunE: f.runAllowList}
	list.Flags().StringVar(&f.allowFormat, "format", "table", "table or json")
	allow.AddCommand(add, remove, list)
	return allow
}

// storeOptions maps the configuration onto the store's options.
func storeOptions(cfg *Config) suppression.Options {
	p := cfg.Policy
	return suppression.Options{
		Policy: &suppression.Policy{HardThreshold: p.HardThreshold, SoftThreshold: p.SoftThreshold, SoftWindow: p.SoftWindow,
			ComplaintThreshold: p.ComplaintThreshold, SoftExpiry: p.SoftExpiry, RequireVerified: p.RequireVerified},
		CaseSensitive: cfg.Database.CaseSensitiveLocalPart,
		Observer:      storemetrics.Observer{},
		Webhooks:      webhookSubscriptions(cfg),
		Retention:     cfg.Retention.retention(),
	}
}

// openStore opens the configured database (applying pending migrations)
// as a suppression store with the configured policy. Unless create is set
// the database must already hold bouncer's schema (requireDatabase): only
// demo, migrate, and run, poll and ingest with a config file may create one.
func openStore(ctx context.Context, cfg *Config, create bool) (*suppression.Store, error) {
	if !create {
		if err := requireDatabase(ctx, cfg); err != nil {
			return nil, err
		}
	}
	u, err := databaseURL(cfg)
	if err != nil {
		return nil, err
	}
	return suppression.Open(ctx, u, storeOptions(cfg))
}

// withStore loads the configuration, opens the existing store and runs fn.
func withStore(cmd *cobra.Command, fn func(ctx context.Context, s *suppression.Store) error) error {
	return withConfigStore(cmd, func(ctx context.Context, _ *Config, s *suppression.Store) error { return fn(ctx, s) })
}

// withConfigStore is withStore for a command that reads the configuration too.
func withConfigStore(cmd *cobra.Command, fn func(ctx context.Context, cfg *Config, s *suppression.Store) error) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	return withLoadedStore(cmd, cfg, func(ctx context.Context, s *suppression.Store) error { return fn(ctx, cfg, s) })
}

// withLoadedStore is withStore for a command that has loaded cfg already
// (loading it again would log its warnings twice).
func withLoadedStore(cmd *cobra.Command, cfg *Config, fn func(ctx context.Context, s *suppression.Store) error) error {
	s, err := openStore(cmd.Context(), cfg, false)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(suppression.WithActor(cmd.Context(), cliActor(cmd)), s)
}

// cliActor is who the audit log names for a change made from the command
// line: the user running it, with cmd's --note.
func cliActor(cmd *cobra.Command) suppression.Actor {
	note, _ := cmd.Flags().GetString("note") // "" when cmd has no --note
	who := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	return suppression.Actor{Who: "cli:" + who, Via: suppression.ViaCLI, Note: note}
}

func (f *suppFlags) runList(cmd *cobra.Command, _ []string) error {
	filter := suppression.Filter{Reason: f.reason, Class: f.class, Domain: f.domain, All: f.all}
	now := time.Now()
	if f.since != "" {
		var err error
		if filter.Since, err = suppression.ParseSince(f.since, now); err != nil {
			return withExit(exitUsage, fmt.Errorf("--since %w", err))
		}
	}
	if f.listFormat == "csv" {
		return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
			_, err := s.Export(ctx, cmd.OutOrStdout(), suppression.FormatBouncer, filter, now)
			return err
		})
	}
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		p, err := s.List(ctx, filter, now)
		if err != nil {
			return err
		}
		return printEntries(cmd.OutOrStdout(), f.listFormat, p.Entries, now)
	})
}

func (f *suppFlags) runCheck(cmd *cobra.Command, args []string) error {
	if format := f.checkFormat; format != "table" && format != "json" {
		return withExit(exitCheckError, fmt.Errorf("--format %q: want table or json", format))
	}
	args, err := checkAddresses(cmd.InOrStdin(), args, f.checkFile)
	if err != nil {
		return withExit(exitCheckError, err)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return withExit(exitCheckError, err)
	}
	source := checkSource{Config: cfg.Path, Database: redactURL(storeURL(cfg))}
	if f.verbose {
		config := source.Config
		if config == "" {
			config = "(none found: defaults)"
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "config: %s\ndatabase: %s\n", config, source.Database)
	}
	s, err := openStore(cmd.Context(), cfg, false)
	if err != nil {
		return withExit(exitCheckError, err)
	}
	defer s.Close()
	res, err := s.Check(cmd.Context(), args, time.Now())
	if err != nil {
		return withExit(exitCheckError, err)
	}
	if f.checkFormat == "json" {
		err = writeJSONTo(cmd.OutOrStdout(), checkOutput{checkSource: source, Results: res})
	} else {
		err = printChecks(cmd.OutOrStdout(), res)
	}
	if err != nil {
		return withExit(exitCheckError, err)
	}
	if code := checkExit(res); code != 0 {
		return withExit(code, nil)
	}
	return nil
}

// checkExit is suppression check's exit status: 1 when any address is
// suppressed, else 0; an invalid address is answered on its line and
// changes nothing, unless no address at all could be read (2).
func checkExit(res []suppression.CheckResult) int {
	invalid := 0
	for _, r := range res {
		if r.Suppressed {
			return exitCheckSuppressed
		}
		if r.State == suppression.StateInvalid {
			invalid++
		}
	}
	if invalid == len(res) {
		return exitCheckError
	}
	return 0
}

// checkAddresses expands check's arguments: "-" is the addresses on stdin
// and file (when set) those in that file, one per line, blank lines and
// "#" comments skipped. At least one address is required.
func checkAddresses(stdin io.Reader, args []string, file string) ([]string, error) {
	var out []string
	read := func(r io.Reader, name string) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("check: reading %s: %w", name, err)
		}
		return nil
	}
	for _, a := range args {
		if a != "-" {
			out = append(out, a)
		} else if err := read(stdin, "stdin"); err != nil {
			return nil, err
		}
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
		defer f.Close()
		if err := read(f, file); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, errors.New("check: no address given (as arguments, - for stdin, or --file)")
	}
	return out, nil
}

// checkSource names what suppression check read.
type checkSource struct {
	Config   string `json:"config"`   // the config file; empty when none was found
	Database string `json:"database"` // the database URL, password hidden
}

// checkOutput is suppression check --format json.
type checkOutput struct {
	checkSource
	Results []suppression.CheckResult `json:"results"`
}

func (f *suppFlags) runShow(cmd *cobra.Command, args []string) error {
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		d, err := s.Get(ctx, args[0])
		if err != nil {
			return err
		}
		if err := printDetail(cmd.OutOrStdout(), f.showFormat, d, time.Now()); err != nil || f.showFormat == "json" {
			return err
		}
		return printPruned(ctx, cmd.OutOrStdout(), s, d.Entry)
	})
}

// printPruned says, under the evidence of an entry first seen before
// retention.events pruned events, that its counts rest on events no longer
// listed: an empty evidence is then no sign of a baseless suppression.
func printPruned(ctx context.Context, w io.Writer, s *suppression.Store, e suppression.Entry) error {
	horizon, err := s.Horizon(ctx, "bounce_events")
	if err != nil || horizon == nil || !e.FirstSeen.Before(*horizon) {
		return err
	}
	_, err = fmt.Fprintf(w, "Events are kept from %s (retention.events); older ones were pruned, and the counts above include them.\n", zoned(horizon))
	return err
}

func (f *suppFlags) runAdd(cmd *cobra.Command, args []string) error {
	now := time.Now()
	m := suppression.Manual{Reason: f.reason, Note: f.note}
	if f.expires != "" {
		t, err := parseExpiry(f.expires, now)
		if err != nil {
			return err
		}
		if !t.After(now) {
			return fmt.Errorf("--expires %q is in the past (%s): the entry would never be in force", f.expires, localTime(t))
		}
		m.ExpiresAt = &t
	}
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		e, err := s.Add(ctx, args[0], m, now)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s suppressed (%s)\n", e.Email, e.SuppressedReason)
		return err
	})
}

// parseExpiry reads --expires: an RFC 3339 time, or a duration from now
// (720h, 30d).
func parseExpiry(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	since, err := suppression.ParseSince(v, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("--expires %q: want an RFC 3339 time or a duration (720h, 30d)", v)
	}
	return now.Add(now.Sub(since)), nil
}

func (f *suppFlags) runRemove(cmd *cobra.Command, args []string) error {
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		now := time.Now()
		e, err := s.Remove(ctx, args[0], now)
		if err != nil {
			return err
		}
		if e.ClearedAt == nil || !e.ClearedAt.Equal(now) { // Remove changed nothing
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s is not suppressed and counts no failures: nothing to remove\n", e.Email)
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s removed: no longer suppressed, counts cleared\n", e.Email)
		return err
	})
}

func (f *suppFlags) runImport(cmd *cobra.Command, args []string) error {
	var r io.Reader = cmd.InOrStdin()
	if args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		res, err := s.Import(ctx, r, suppression.ImportOptions{Format: f.importFormat, SkipInvalid: f.skipInvalid, Overwrite: f.overwrite}, time.Now())
		if err != nil {
			return err
		}
		return printImport(cmd.OutOrStdout(), res)
	})
}

func (f *suppFlags) runExport(cmd *cobra.Command, _ []string) error {
	export := func(w io.Writer) error {
		return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
			_, err := s.Export(ctx, w, f.exportFormat, suppression.Filter{All: f.all}, time.Now())
			return err
		})
	}
	if f.output == "" {
		return export(cmd.OutOrStdout())
	}
	return writeFileAtomic(f.output, export)
}

// writeFileAtomic writes name through fn into a temporary file beside it and
// renames it into place only when fn and the close succeed, so a failed
// export leaves no empty or partial file (and an existing one untouched).
// The file is created 0600: it lists people's addresses.
func writeFileAtomic(name string, fn func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	err = fn(f)
	if err == nil {
		err = f.Sync()
	}
	err = errors.Join(err, f.Close())
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func (f *suppFlags) runRecompute(cmd *cobra.Command, _ []string) error {
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		now := time.Now()
		report := newProgress(cmd.ErrOrStderr(), 5*time.Second)
		progress := func(done, total int) { report(poller.ProgressInfo{Mailbox: "recompute", Done: done, Total: total}) }
		if err := printHorizon(ctx, cmd.ErrOrStderr(), s); err != nil {
			return err
		}
		changes, err := s.RecomputeProgress(ctx, s.Policy(), now, f.dryRun, progress)
		if err != nil {
			return err
		}
		return printChanges(cmd.OutOrStdout(), changes, now, f.dryRun)
	})
}

func (f *suppFlags) runAllowAdd(cmd *cobra.Command, args []string) error {
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		e, err := s.AllowAdd(ctx, args[0], f.note, time.Now())
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s allowlisted: never suppressed\n", e)
		return err
	})
}

func (f *suppFlags) runAllowRemove(cmd *cobra.Command, args []string) error {
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		return s.AllowRemove(ctx, args[0], time.Now())
	})
}

func (f *suppFlags) runAllowList(cmd *cobra.Command, _ []string) error {
	return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
		l, err := s.AllowList(ctx)
		if err != nil {
			return err
		}
		return printAllowlist(cmd.OutOrStdout(), f.allowFormat, l)
	})
}
