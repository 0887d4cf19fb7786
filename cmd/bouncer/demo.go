package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

// demoMessages is a realistic bounce mailbox: real bounces from Sendmail,
// Gmail, Office 365, Postfix, Amazon SES, Exim and Outlook.com, a
// feedback-loop complaint, an auto-reply and a message that is no report.
//
//go:embed demodata/*.eml
var demoMessages embed.FS

const (
	demoUser     = "bounces"
	demoPassword = "demo" // the throwaway in-process server's only user
)

func newDemoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the main job once against a built-in sample mailbox, with nothing configured",
		Long: `Demo starts an in-process IMAP server holding a mixed bounce mailbox (hard,
soft and block bounces, a complaint, an auto-reply, junk), opens an embedded
SQLite database in a temporary directory, runs the real poller once with the
real parser and store, then prints the suppression table and the daily report.
Nothing is written to the working directory; --keep leaves the temporary
directory (database and all) for you to query with bouncer suppression.`,
		Args: cobra.NoArgs,
		RunE: runDemo,
	}
	cmd.Flags().Bool("keep", false, "keep the temporary directory and print its path")
	return cmd
}

func runDemo(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	// The passes' own log lines would repeat what the demo prints.
	slog.SetDefault(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	dir, err := os.MkdirTemp("", "bouncer-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if keep, _ := cmd.Flags().GetBool("keep"); !keep {
		defer os.RemoveAll(dir)
	}
	now := time.Now()
	addr, stop, err := startDemoServer(now)
	if err != nil {
		return err
	}
	defer stop()
	cfg := demoConfig(dir, addr)
	fmt.Fprintf(out, "== bouncer demo: an IMAP mailbox at %s with %d messages; database %s\n\n",
		addr, demoCount(), filepath.Join(dir, "bouncer.db"))

	store, opts, err := openPolling(ctx, cfg, ctx, true)
	if err != nil {
		return err
	}
	defer store.Close()
	opts.Logger = slog.New(slog.DiscardHandler)
	runner := &poller.Runner{Store: store, Options: opts}
	fmt.Fprintln(out, "== one poll (what `bouncer poll --once` prints)")
	if pollAll(ctx, cmd, runner, store, cfg, cfg.Mailboxes) {
		return withExit(1, nil)
	}
	if err := demoFolders(out, addr); err != nil {
		return err
	}
	if err := demoTable(ctx, out, store, now); err != nil {
		return err
	}
	day, err := demoReport(ctx, out, cfg, store, now)
	if err != nil {
		return err
	}
	demoNext(out, cmd, dir, day)
	return nil
}

// demoConfig is the configuration a newcomer would write for this mailbox,
// with the database in dir.
func demoConfig(dir, addr string) *Config {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	cfg := defaultConfig()
	cfg.StateDir = dir
	cfg.Report.Location, _ = reportLocation(cfg.Report.Timezone) // as a config file's would be
	cfg.Database.URL = "sqlite:" + filepath.Join(dir, "bouncer.db")
	cfg.Mailboxes = []MailboxConfig{{
		Name: "demo", Protocol: "imap", Host: host, Port: p, TLS: "none",
		Username: demoUser, Password: NewSecret(demoPassword),
		Folder: "INBOX", After: "move", ProcessedFolder: "Processed", FailedFolder: "Unprocessed",
		Address: "bounces@example.com",
	}}
	return cfg
}

func demoCount() int {
	names, _ := demoMessages.ReadDir("demodata")
	return len(names)
}

// startDemoServer serves go-imap's in-memory backend on a loopback port with
// the sample messages in INBOX, received over the last hour.
func startDemoServer(now time.Time) (addr string, stop func(), err error) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(demoUser, demoPassword)
	if err := user.Create("INBOX", nil); err != nil {
		return "", nil, fmt.Errorf("demo: %w", err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true, // loopback only, and only this throwaway user
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("demo: listen: %w", err)
	}
	go srv.Serve(ln)
	stop = func() { srv.Close() }
	if err := fillDemoInbox(user, now); err != nil {
		stop()
		return "", nil, err
	}
	return ln.Addr().String(), stop, nil
}

func fillDemoInbox(user *imapmemserver.User, now time.Time) error {
	names, err := demoMessages.ReadDir("demodata")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for i, e := range names {
		raw, err := demoMessages.ReadFile(path.Join("demodata", e.Name()))
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		raw = []byte(strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n", "\r\n"))
		at := demoArrival(now, len(names)-i)
		if _, err := user.Append("INBOX", &demoLiteral{strings.NewReader(string(raw)), int64(len(raw))}, &imap.AppendOptions{Time: at}); err != nil {
			return fmt.Errorf("demo: append %s: %w", e.Name(), err)
		}
	}
	return nil
}

// demoArrival is when the demo's message n minutes before the last
// arrived: n minutes before now, but never before midnight (UTC or local)
// of now's day, so the demo's mail is all on the day its report shows,
// even when the demo runs just after midnight.
func demoArrival(now time.Time, n int) time.Time {
	at := now.Add(-time.Duration(n) * time.Minute)
	for _, loc := range []*time.Location{time.UTC, time.Local} {
		y, m, d := now.In(loc).Date()
		if midnight := time.Date(y, m, d, 0, 0, 0, 0, loc); at.Before(midnight) {
			at = midnight
		}
	}
	return at
}

// demoLiteral is an imap.LiteralReader over an in-memory message.
type demoLiteral struct {
	*strings.Reader
	n int64
}

func (l *demoLiteral) Size() int64 { return l.n }

// demoFolders prints how many messages each folder holds after the pass,
// read over IMAP like any client would.
func demoFolders(out io.Writer, addr string) error {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer c.Close()
	if err := c.Login(demoUser, demoPassword).Wait(); err != nil {
		return fmt.Errorf("demo: login: %w", err)
	}
	fmt.Fprint(out, "   folders after the pass:")
	for _, f := range []string{"INBOX", "Processed", "Unprocessed"} {
		st, err := c.Status(f, &imap.StatusOptions{NumMessages: true}).Wait()
		n := uint32(0)
		if err == nil && st.NumMessages != nil {
			n = *st.NumMessages
		}
		fmt.Fprintf(out, " %s %d", f, n)
	}
	fmt.Fprintln(out)
	return nil
}

// demoTable prints every address with a failure, as bouncer suppression
// list --all does.
func demoTable(ctx context.Context, out io.Writer, store *suppression.Store, now time.Time) error {
	p, err := store.List(ctx, suppression.Filter{All: true}, now)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n== the suppression table (`bouncer suppression list --all`)")
	return printEntries(out, "table", p.Entries, now)
}

// demoReport prints today's report as bouncer report preview does, and
// returns its day.
func demoReport(ctx context.Context, out io.Writer, cfg *Config, store *suppression.Store, now time.Time) (time.Time, error) {
	n, tmpl, err := newNotifier(cfg, store, nil)
	if err != nil {
		return time.Time{}, err
	}
	day := notify.DayOf(now, n.Location())
	r, err := n.Build(ctx, day, now)
	if err != nil {
		return time.Time{}, err
	}
	text, err := tmpl.Text(r)
	if err != nil {
		return time.Time{}, err
	}
	fmt.Fprintf(out, "\n== the daily report (`bouncer report preview --date %s`; emailed each morning by `bouncer run`)\n", day.Format(time.DateOnly))
	fmt.Fprint(out, text)
	return day, nil
}

func demoNext(out io.Writer, cmd *cobra.Command, dir string, day time.Time) {
	fmt.Fprintln(out, `
== next steps
 1. Write bouncer.yaml starting from configs/bouncer.postgres.yaml (configs/bouncer.example.yaml
    documents every key): your bounce mailbox (host, username, password_env) and database.url.
 2. bouncer config check --connect   # every problem at once, then tries each connection
 3. bouncer migrate                  # creates the schema; bouncer poll --once for one pass
 4. bouncer run as a service (configs/bouncer.service); ask the list before each send:
    bouncer suppression check EMAIL, the HTTP API, or SQL against active_suppressions
    (docs/suppression.md). README.md walks through the same steps.`)
	if keep, _ := cmd.Flags().GetBool("keep"); keep {
		fmt.Fprint(out, demoKept(dir, day))
		return
	}
	fmt.Fprintln(out, `
The demo's database is gone; bouncer demo --keep keeps it and prints commands to query it.`)
}

// demoKept tells how to go on with the kept database: commands to paste,
// the report for the day the demo's mail arrived.
func demoKept(dir string, day time.Time) string {
	env := databaseURLEnv + "=sqlite:" + filepath.Join(dir, "bouncer.db")
	return fmt.Sprintf(`
The demo database is kept in %s; try:
  %s bouncer suppression list --all
  %s bouncer suppression show kijitora@example.jp
  %s bouncer report preview --date %s
`, dir, env, env, env, day.Format(time.DateOnly))
}
