package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/bouncer-mail/bouncer/internal/storemetrics"
	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

func init() {
	registerDaemonService(func(d *daemon) (func(context.Context) error, error) {
		return startMetricsRefresh(d.ctx, d.cfg, d.store, time.Now), nil
	})
}

// startMetricsRefresh declares the configured mailboxes' series and, when
// the HTTP server (and so /metrics) is on, refreshes the gauges that need
// the database now and every http.metrics_interval: a scrape only
// reads memory, however many scrapers there are. stop ends the loop.
func startMetricsRefresh(ctx context.Context, cfg *Config, store *suppression.Store, now func() time.Time) func(context.Context) error {
	names := make([]string, len(cfg.Mailboxes))
	for i, m := range cfg.Mailboxes {
		names[i] = m.Name
	}
	poller.DeclareMailboxes(names, now(), now)
	if cfg.HTTP.Listen == "" {
		return nil
	}
	rq := suppression.RatesQuery{Location: cfg.Report.Location, MinVolume: cfg.Rates.MinVolume}
	// The first refresh runs before the first pass, so its events already
	// count under the receivers chosen from the database.
	refreshMetrics(ctx, store, now(), rq)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(cfg.HTTP.MetricsInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				refreshMetrics(ctx, store, now(), rq)
			}
		}
	}()
	return func(context.Context) error {
		cancel()
		<-done
		return nil
	}
}

// refreshMetrics runs the refresh queries: active suppressions by source
// (one query), the rates per stream (two, at most every 5 minutes), and
// the last successful poll of every mailbox, which another replica may
// have made (one query). A failure is logged and the gauges keep their
// last values.
func refreshMetrics(ctx context.Context, store *suppression.Store, now time.Time, rq suppression.RatesQuery) {
	if err := storemetrics.Refresh(ctx, store, now); err != nil && ctx.Err() == nil {
		slog.Warn("refresh metrics", slog.String("err", err.Error()))
	}
	if err := storemetrics.RefreshRates(ctx, store, now, rq); err != nil && ctx.Err() == nil {
		slog.Warn("refresh metrics: rates", slog.String("err", err.Error()))
	}
	statuses, err := store.MailboxStatuses(ctx)
	if err != nil {
		if ctx.Err() == nil {
			slog.Warn("refresh metrics: mailbox status", slog.String("err", err.Error()))
		}
		return
	}
	for _, st := range statuses {
		if st.LastSuccessAt != nil {
			poller.NoteSuccess(st.Mailbox, *st.LastSuccessAt)
		}
	}
}
