package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
	_ "time/tzdata" // report.timezone works on hosts and images without zoneinfo

	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/suppression"
)

// alertEvery is how often the daemon checks the alert conditions; each alert
// is rate-limited on its own (notify.AlertOptions.Every).
const alertEvery = 5 * time.Minute

// Report retries back off from reportRetryMin to reportRetryMax.
const (
	reportRetryMin = time.Minute
	reportRetryMax = 30 * time.Minute
)

func init() {
	registerDaemonService(func(d *daemon) (func(context.Context) error, error) {
		return startReports(d.ctx, d.cfg, d.store, slog.Default())
	})
}

// startReports runs the daily report (when report.to is set) and the alert
// checks (when alerts.to is set) until ctx ends or stop is called. At start
// it sends a report missed while no daemon was running, marked late.
// Replicas sharing one Postgres may all run it: each day goes out once.
func startReports(ctx context.Context, cfg *Config, store *suppression.Store, logger *slog.Logger) (stop func(context.Context) error, err error) {
	reports, alerts := len(cfg.Report.To) > 0, len(cfg.Alerts.To) > 0
	if !reports && !alerts {
		return nil, nil
	}
	n, _, err := newNotifier(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if reports {
		wg.Go(func() { reportLoop(ctx, n, time.Now, logger) })
	}
	if alerts {
		wg.Go(func() { alertLoop(ctx, n, time.Now, logger) })
	}
	logger.Info("daily report scheduled", slog.Bool("report", reports), slog.Bool("alerts", alerts),
		slog.String("schedule", cfg.Report.Schedule), slog.String("timezone", n.Location().String()))
	return stopLoops(cancel, &wg, "report: still sending at shutdown"), nil
}

// stopLoops returns the stop function of a service whose loops run in wg
// until cancel: it cancels them and waits until they end or its context
// does (then it reports busy).
func stopLoops(cancel context.CancelFunc, wg *sync.WaitGroup, busy string) func(context.Context) error {
	return func(stopCtx context.Context) error {
		cancel()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-stopCtx.Done():
			return errors.New(busy)
		}
	}
}

// reportLoop ticks at start (the late rule) and then at every schedule time,
// retrying failures with backoff until the next schedule time.
func reportLoop(ctx context.Context, n *notify.Notifier, clock notify.Clock, logger *slog.Logger) {
	retry := reportRetryMin
	for {
		now := clock()
		out, err := n.Tick(ctx, now)
		wait := n.Next(now).Sub(now)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Error("daily report failed", slog.String("err", err.Error()), slog.Duration("retry_in", retry))
			wait, retry = min(wait, retry), min(retry*2, reportRetryMax)
		case out == notify.Busy:
			wait = min(wait, reportRetryMin) // another replica is sending: check it finished
		case out == notify.Sent:
			logger.Info("daily report sent")
			retry = reportRetryMin
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// alertLoop checks the alert conditions every alertEvery.
func alertLoop(ctx context.Context, n *notify.Notifier, clock notify.Clock, logger *slog.Logger) {
	for {
		if _, err := n.CheckAlerts(ctx, clock()); err != nil && ctx.Err() == nil {
			logger.Error("alerts", slog.String("err", err.Error()))
		}
		if !sleep(ctx, alertEvery) {
			return
		}
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(max(d, time.Second))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
