package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/internal/calday"
	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/suppression"
)

// reportFlags holds the flags of one report command tree.
type reportFlags struct {
	date, format string
	force        bool
}

func newReportCmd() *cobra.Command {
	f := &reportFlags{}
	reportCmd := &cobra.Command{Use: "report", Short: "Preview or send the daily failure report"}
	preview := &cobra.Command{Use: "preview", Short: "Print the report for a day (default yesterday in report.timezone)",
		Args: cobra.NoArgs, RunE: f.runPreview}
	preview.Flags().StringVar(&f.date, "date", "", "the day to report on, YYYY-MM-DD (default yesterday)")
	preview.Flags().StringVar(&f.format, "format", "text", "text, html, or mime (the whole message as it would be sent)")
	send := &cobra.Command{Use: "send", Short: "Send the report for a day now to report.to (default yesterday)",
		Long: `Send builds the report for the day and sends it at once through the configured
SMTP server, even when the schedule already sent it, and records the day as
sent so the schedule does not send it again. It prints the Message-ID.

A day that is not over yet in report.timezone (today) is refused (exit 64),
naming when it ends: its figures are not final. With --force the figures so
far are sent, and the day is not recorded as sent, so the scheduled report
still goes out complete. A day that has not begun is always refused.`,
		Args: cobra.NoArgs, RunE: f.runSend}
	send.Flags().StringVar(&f.date, "date", "", "the day to report on, YYYY-MM-DD (default yesterday)")
	send.Flags().BoolVar(&f.force, "force", false, "send a day that is not over yet (the figures so far), without recording it as sent")
	reportCmd.AddCommand(preview, send)
	return reportCmd
}

// reportClock is the time report preview and send take as now; tests fix it.
var reportClock = time.Now

// reportDay returns the start of the day --date names in loc (the first
// instant of that date, 01:00 where the clocks skip midnight); empty means
// yesterday.
func reportDay(date string, now time.Time, loc *time.Location) (time.Time, error) {
	if date == "" {
		return calday.AddDays(now, -1, loc), nil
	}
	d, err := calday.Parse(date)
	if err != nil {
		return time.Time{}, withExit(2, fmt.Errorf("--date %q: want YYYY-MM-DD", date))
	}
	return d.Start(loc), nil
}

func (f *reportFlags) runPreview(cmd *cobra.Command, _ []string) error {
	if format := f.format; format != "text" && format != "html" && format != "mime" {
		return withExit(2, fmt.Errorf("--format %q: want text, html or mime", format))
	}
	return withReporter(cmd, loadConfig, func(ctx context.Context, n *notify.Notifier, tmpl *notify.Templates) error {
		now := reportClock()
		day, err := reportDay(f.date, now, n.Location())
		if err != nil {
			return err
		}
		var dno *notify.DayNotOverError
		if err := notify.CheckDayOver(day, now, n.Location()); errors.As(err, &dno) {
			note := "the figures are those so far"
			if dno.Future() {
				note = "the report below is empty"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "bouncer: note: %s; %s\n", dno.Describe(), note)
		}
		var out string
		switch f.format {
		case "mime":
			var msg []byte
			msg, _, _, err = n.Compose(ctx, day, now, false, time.Time{})
			out = string(msg)
		default:
			var r *notify.Report
			if r, err = n.Build(ctx, day, now); err != nil {
				return err
			}
			render := tmpl.Text
			if f.format == "html" {
				render = tmpl.HTML
			}
			out, err = render(r)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(cmd.OutOrStdout(), out)
		return err
	})
}

func (f *reportFlags) runSend(cmd *cobra.Command, _ []string) error {
	return withReporter(cmd, loadConfigWithSecrets, func(ctx context.Context, n *notify.Notifier, _ *notify.Templates) error {
		now := reportClock()
		day, err := reportDay(f.date, now, n.Location())
		if err != nil {
			return err
		}
		if !n.CanSendReports() {
			return withExit(exitConfig, errors.New("report.to and smtp.host must be set to send the report"))
		}
		var dno *notify.DayNotOverError
		if err := notify.CheckDayOver(day, now, n.Location()); errors.As(err, &dno) {
			return f.sendPartial(ctx, cmd, n, dno)
		}
		id, err := n.SendReport(ctx, day, now)
		if err != nil {
			return withTLSHint(err, "smtp.tls_ca_file")
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "sent the report for %s as <%s>\n", day.Format(time.DateOnly), id)
		return err
	})
}

// sendPartial handles report send for a day that is not over: refused
// unless --force, and then sent without being recorded; a day that has not
// begun is refused either way.
func (f *reportFlags) sendPartial(ctx context.Context, cmd *cobra.Command, n *notify.Notifier, dno *notify.DayNotOverError) error {
	day := dno.Day.Format(time.DateOnly)
	if dno.Future() {
		return withExit(exitUsage, fmt.Errorf("report send --date %s: %s", day, dno.Describe()))
	}
	if !f.force {
		return withExit(exitUsage, fmt.Errorf("report send --date %s: %s; its report goes out on the schedule once it is over "+
			"(--force sends the figures so far now, without recording the day as sent)", day, dno.Describe()))
	}
	id, err := n.SendPartialReport(ctx, dno.Day, dno.Now)
	if err != nil {
		return withTLSHint(err, "smtp.tls_ca_file")
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "sent the report for %s so far as <%s>: %s; not recorded as sent, "+
		"so the scheduled report for %s still goes out complete\n", day, id, dno.Describe(), day)
	return err
}

// withReporter loads the configuration with load, opens the store and runs
// fn with a Notifier built from them.
func withReporter(cmd *cobra.Command, load func(*cobra.Command) (*Config, error), fn func(context.Context, *notify.Notifier, *notify.Templates) error) error {
	cfg, err := load(cmd)
	if err != nil {
		return err
	}
	store, err := openStore(cmd.Context(), cfg, false)
	if err != nil {
		return err
	}
	defer store.Close()
	n, tmpl, err := newNotifier(cfg, store, nil)
	if err != nil {
		return err
	}
	return fn(cmd.Context(), n, tmpl)
}

// newNotifier maps the report, alerts and smtp sections onto notify's
// options; the notifier logs to logger (nil: nowhere). A broken template or
// CA file is a configuration error.
func newNotifier(cfg *Config, store *suppression.Store, logger *slog.Logger) (*notify.Notifier, *notify.Templates, error) {
	tmpl, err := notify.LoadTemplates(cfg.Report.TemplateDir)
	if err != nil {
		return nil, nil, withExit(exitConfig, err)
	}
	smtpOpts, err := smtpOptions(cfg.SMTP)
	if err != nil {
		return nil, nil, withExit(exitConfig, err)
	}
	from := cfg.Report.From
	if from == "" {
		from = "bouncer@localhost" // preview only: sending requires report.from
	}
	nc := notify.Config{
		Schedule: cfg.Report.Schedule, From: from, To: cfg.Report.To, AlertTo: cfg.Alerts.To,
		Report: notify.ReportOptions{Location: cfg.Report.Location, MinVolume: cfg.Rates.MinVolume},
		Alerts: alertOptions(cfg),
	}
	for _, w := range cfg.Webhooks {
		nc.Report.Webhooks = append(nc.Report.Webhooks, w.Name)
	}
	var sender notify.Sender
	if cfg.SMTP.Host != "" {
		sender = notify.NewMailer(smtpOpts)
	}
	n, err := notify.New(nc, store, sender, tmpl, logger)
	if err != nil {
		return nil, nil, withExit(exitConfig, err)
	}
	return n, tmpl, nil
}

// alertOptions maps the alerts section onto notify's options.
func alertOptions(cfg *Config) notify.AlertOptions {
	o := notify.AlertOptions{FailedPolls: offIfZero(cfg.Alerts.PollFailures), SilentDays: offIfZero(cfg.Alerts.SilentDays), BlockShare: cfg.Alerts.BlockShare,
		Rates: rateAlertOptions(cfg.Rates)}
	if cfg.Alerts.BlockShare == 0 {
		o.BlockShare = -1
	}
	return o
}

// offIfZero maps the config's "0 turns it off" onto notify's negative.
func offIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// smtpOptions maps the smtp section; tls_ca_file replaces the system roots.
func smtpOptions(c SMTPConfig) (notify.SMTPOptions, error) {
	o := notify.SMTPOptions{Host: c.Host, Port: c.Port, TLS: notify.TLSMode(c.TLS), Username: c.Username, Password: c.Password.Value()}
	if c.TLSCAFile == "" {
		return o, nil
	}
	pem, err := os.ReadFile(c.TLSCAFile)
	if err != nil {
		return o, fmt.Errorf("smtp.tls_ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return o, fmt.Errorf("smtp.tls_ca_file: no PEM certificate in %s", c.TLSCAFile)
	}
	o.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return o, nil
}
