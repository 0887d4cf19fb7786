package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

// daemon is what `bouncer run` hands to its services.
type daemon struct {
	cfg   *Config
	store *suppression.Store
	cron  *cron.Cron // shared scheduler; jobs added before it starts
	// ctx is cancelled once the grace period after SIGTERM is over.
	ctx   context.Context
	skips lockSkips
}

// lockSkips logs, at info, when a mailbox starts being skipped because
// another process holds its lock and when it is polled here again: once
// per change, not once per schedule tick.
type lockSkips struct {
	mu       sync.Mutex
	skipping map[string]bool
}

// note records whether mailbox's pass was skipped for the lock and logs a
// change.
func (l *lockSkips) note(mailbox string, skipped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.skipping[mailbox] == skipped {
		return
	}
	if l.skipping == nil {
		l.skipping = map[string]bool{}
	}
	l.skipping[mailbox] = skipped
	if skipped {
		slog.Info("poll skipped: another process holds the lock on this account; logged again when it polls here", slog.String("mailbox", mailbox))
	} else {
		slog.Info("polling again: the lock on this account is free", slog.String("mailbox", mailbox))
	}
}

// daemonService starts one part of the daemon (the HTTP API, the daily
// report, the webhooks, pruning, …; newRunCmd's help lists them) and returns how to stop it; stop gets a context with a deadline.
// Other files register theirs from init with registerDaemonService.
type daemonService func(d *daemon) (stop func(context.Context) error, err error)

var daemonServices []daemonService

// registerDaemonService adds a service `bouncer run` starts after the store
// is open and stops, in reverse order, at shutdown.
func registerDaemonService(s daemonService) { daemonServices = append(daemonServices, s) }

func init() {
	registerDaemonService(func(d *daemon) (func(context.Context) error, error) {
		return startHTTP(d.ctx, d.cfg, d.store)
	})
}

func newRunCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: poll the mailboxes, send the webhooks, reports and alerts, serve the API, prune",
		Long: `Run is bouncer's daemon. It creates or upgrades the database schema (with a
config file; as "bouncer migrate" does), then, until SIGTERM or SIGINT:

  - polls each configured mailbox at start and then on its own cron schedule
    (one pass at a time per mailbox, several mailboxes in parallel, a lock per
    mailbox so replicas sharing one Postgres never poll it at once), backing
    off after failures;
  - sends the webhooks (webhooks:): the events every bouncer process queues
    when the suppression list changes, retried until accepted or max_age;
    it also announces the suppressions that expire and, to endpoints that
    take alert.*, the alerts;
  - sends the daily report (report.to) and the alerts by mail (alerts.to);
  - serves the HTTP API, the dashboard (/ui/) and /metrics on http.listen,
    refreshing the metrics every http.metrics_interval;
  - prunes the history past retention.* at start and daily.

Replicas sharing one Postgres share the work: a mailbox is polled, a
webhook delivery sent and the history pruned by one of them at a time, and
a day's report goes out once. SIGTERM or SIGINT: no new pass starts, the
batches in hand finish (or are rolled back after 5 s), and run exits 0.`,
		Args: cobra.NoArgs,
		RunE: runDaemon,
	}
}

func runDaemon(cmd *cobra.Command, _ []string) error {
	cfg, err := loadConfigWithSecrets(cmd)
	if err != nil {
		return err
	}
	warnUnverifiedTLS(cfg, cfg.Mailboxes)
	soft := cmd.Context()
	hard, cancel := twoStep(soft, shutdownGrace)
	defer cancel()
	store, opts, err := openPolling(hard, cfg, soft, cfg.Path != "")
	if err != nil {
		return err
	}
	defer store.Close()
	opts.Progress = logProgress(30*time.Second, time.Now)
	d := &daemon{cfg: cfg, store: store, ctx: hard,
		cron: cron.New(cron.WithChain(cron.Recover(cronLogger{}), cron.SkipIfStillRunning(cronLogger{})))}
	runner := &poller.Runner{Store: store, Locker: store, Options: opts}
	jobs, err := schedulePolls(d, runner)
	if err != nil {
		return withExit(exitConfig, err)
	}
	stops, err := startServices(d)
	if err != nil {
		stopServices(stops)
		return err
	}
	d.cron.Start()
	var first sync.WaitGroup
	for _, j := range jobs {
		first.Go(j.Run) // the first pass now, through the same skip-if-running wrapper
	}
	slog.Info("bouncer running", slog.Int("mailboxes", len(jobs)))
	<-soft.Done()
	slog.Info("shutting down: no new passes, finishing the batches in hand")
	cronDone := d.cron.Stop()
	select {
	case <-waitAll(cronDone.Done(), &first):
	case <-hard.Done():
	}
	stopServices(stops)
	return nil
}

// waitAll is closed once done is closed and wg is done.
func waitAll(done <-chan struct{}, wg *sync.WaitGroup) <-chan struct{} {
	all := make(chan struct{})
	go func() {
		<-done
		wg.Wait()
		close(all)
	}()
	return all
}

// schedulePolls adds one cron entry per mailbox and returns the wrapped jobs.
func schedulePolls(d *daemon, runner *poller.Runner) ([]cron.Job, error) {
	var jobs []cron.Job
	for _, m := range d.cfg.Mailboxes {
		id, err := d.cron.AddFunc(m.Schedule, func() { pollScheduled(d, runner, m) })
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, d.cron.Entry(id).WrappedJob)
	}
	return jobs, nil
}

// pollScheduled runs one guarded pass for the scheduler and records it.
func pollScheduled(d *daemon, runner *poller.Runner, m MailboxConfig) {
	start := time.Now()
	sum, err := runner.Run(d.ctx, pollerMailbox(m))
	err = withTLSHint(err, mailboxKey(d.cfg, m.Name)+".tls_ca_file")
	switch {
	case errors.Is(err, poller.ErrLocked):
		d.skips.note(m.Name, true)
	case errors.Is(err, poller.ErrBackoff):
		slog.Debug("poll skipped: backing off", slog.String("mailbox", m.Name), slog.String("reason", err.Error()))
	case d.ctx.Err() != nil:
		slog.Info("poll cancelled by shutdown", slog.String("mailbox", m.Name))
	default:
		d.skips.note(m.Name, false)
		recordPoll(d.ctx, d.store, start, sum, err)
	}
}

func startServices(d *daemon) ([]func(context.Context) error, error) {
	var stops []func(context.Context) error
	for _, s := range daemonServices {
		stop, err := s(d)
		if err != nil {
			return stops, err
		}
		if stop != nil {
			stops = append(stops, stop)
		}
	}
	return stops, nil
}

func stopServices(stops []func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for i := len(stops) - 1; i >= 0; i-- {
		if err := stops[i](ctx); err != nil {
			slog.Error("stop service", slog.String("err", err.Error()))
		}
	}
}

// cronLogger sends robfig/cron's messages to slog.
type cronLogger struct{}

func (cronLogger) Info(msg string, kv ...any) { slog.Debug("cron: "+msg, kv...) }

func (cronLogger) Error(err error, msg string, kv ...any) {
	slog.Error("cron: "+msg, append(kv, slog.String("err", err.Error()))...)
}
