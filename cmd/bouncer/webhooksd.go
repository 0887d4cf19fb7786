package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bouncer-mail/bouncer/internal/webhook"
	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/suppression"
)

// alertKinds are the alerts a webhook may subscribe to as alert.KIND.
var alertKinds = []string{notify.AlertPollFailures, notify.AlertBlockCluster, notify.AlertMailboxSilent,
	notify.AlertBounceRate, notify.AlertComplaintRate}

// webhookHousekeeping is how often run announces expiries and refreshes
// the queue gauges.
const webhookHousekeeping = 30 * time.Second

func init() {
	registerDaemonService(func(d *daemon) (func(context.Context) error, error) {
		return startWebhooks(d.ctx, d.cfg, d.store, time.Now)
	})
}

// startWebhooks runs the dispatcher of `bouncer run` when webhooks are
// configured: it sends the outbox (written by every bouncer process that
// changes a suppression: run, poll, serve's API, the CLI), and every
// webhookHousekeeping announces the expiries due (suppression.expired),
// sets the queue gauges and, every alertEvery, announces the alerts an
// endpoint subscribes to. Replicas on one Postgres may all run it.
func startWebhooks(ctx context.Context, cfg *Config, store *suppression.Store, clock func() time.Time) (func(context.Context) error, error) {
	if len(cfg.Webhooks) == 0 {
		return nil, nil
	}
	eps, err := webhookEndpoints(cfg)
	if err != nil {
		return nil, withExit(exitConfig, err)
	}
	d, err := webhook.New(store, eps, webhook.Options{Now: clock})
	if err != nil {
		return nil, withExit(exitConfig, err)
	}
	names := make([]string, len(eps))
	for i, e := range eps {
		names[i] = e.Name
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { d.Run(ctx) })
	wg.Go(func() { webhookChores(ctx, cfg, store, names, clock) })
	slog.Info("webhooks dispatching", slog.Any("endpoints", names))
	return stopLoops(cancel, &wg, "webhooks: still sending at shutdown"), nil
}

// webhookChores runs the periodic work of the dispatcher until ctx ends.
func webhookChores(ctx context.Context, cfg *Config, store *suppression.Store, names []string, clock func() time.Time) {
	var lastAlerts time.Time
	for {
		now := clock()
		if _, err := store.SweepExpired(ctx, now); err != nil && ctx.Err() == nil {
			slog.Error("webhooks: expiries", slog.String("err", err.Error()))
		}
		if stats, err := store.OutboxStats(ctx); err == nil {
			webhook.ObserveQueue(names, stats, now)
		} else if ctx.Err() == nil {
			slog.Error("webhooks: queue", slog.String("err", err.Error()))
		}
		if now.Sub(lastAlerts) >= alertEvery {
			lastAlerts = now
			if err := announceAlerts(ctx, cfg, store, now); err != nil && ctx.Err() == nil {
				slog.Error("webhooks: alerts", slog.String("err", err.Error()))
			}
		}
		if !sleep(ctx, webhookHousekeeping) {
			return
		}
	}
}

// alertEveryWebhook rate-limits each alert sent by webhook, apart from the
// same alert by mail (notify.AlertOptions.Every).
const alertEveryWebhook = 6 * time.Hour

// announceAlerts evaluates the alert conditions and announces each alert
// some endpoint subscribes to, at most once per alertEveryWebhook across
// replicas (the alert ledger, under a key of its own).
func announceAlerts(ctx context.Context, cfg *Config, store *suppression.Store, now time.Time) error {
	wanted := false
	for _, k := range alertKinds {
		wanted = wanted || store.Wants(suppression.EventAlertPrefix+k)
	}
	if !wanted {
		return nil
	}
	alerts, err := notify.EvaluateAlerts(ctx, store, now, cfg.Report.Location, alertOptions(cfg))
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range alerts {
		typ := suppression.EventAlertPrefix + a.Kind
		if !store.Wants(typ) {
			continue
		}
		ok, err := store.ClaimAlert(ctx, "webhook:"+a.Key(), now, alertEveryWebhook)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		if _, err := store.Announce(ctx, typ, "alert:"+a.Key(), "", alertData(a), now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// AlertData is the data of an alert.* event.
type AlertData struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"` // the mailbox, receiver domain or stream
	// Count is the failed polls, blocks, silent days, or (rate alerts)
	// the hard bounces or complaints.
	Count int `json:"count"`
	Total int `json:"total,omitempty"` // bounces from the receiver, or messages sent
	// Share is Count ÷ Total: a receiver's share of blocks, or a stream's
	// bounce or complaint rate.
	Share  float64    `json:"share,omitempty"`
	Since  *time.Time `json:"since"` // last successful poll, or last message received
	Detail string     `json:"detail,omitempty"`
	Rate   *AlertRate `json:"rate,omitempty"` // rate alerts only
	Text   string     `json:"text"`           // one line for a person (format slack shows it)
}

// AlertRate is what a rate alert (alert.bounce_rate, alert.complaint_rate)
// tells beyond AlertData's common fields.
type AlertRate struct {
	Level      string       `json:"level"`     // warning or critical
	Rate       float64      `json:"rate"`      // over the trailing days, 0.05 is 5%
	Threshold  float64      `json:"threshold"` // the rates.* level it reached
	Days       int          `json:"days"`      // rates.alert_days, today included
	Sent       int64        `json:"sent"`
	Events     int64        `json:"events"` // hard bounces or complaints
	TopReasons []AlertCount `json:"top_reasons"`
	TopDomains []AlertCount `json:"top_domains"`
}

// AlertCount is one row of a top list.
type AlertCount struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

func alertData(a notify.Alert) AlertData {
	d := AlertData{Kind: a.Kind, Subject: a.Subject, Count: a.Count, Total: a.Total, Share: a.Share, Detail: a.Detail}
	if !a.Since.IsZero() {
		d.Since = &a.Since
	}
	switch a.Kind {
	case notify.AlertPollFailures:
		d.Text = fmt.Sprintf("mailbox %s failed %d polls in a row: %s", a.Subject, a.Count, a.Detail)
	case notify.AlertBlockCluster:
		d.Text = fmt.Sprintf("%s is refusing our mail: %d of %d bounces in the last hour are blocks", a.Subject, a.Count, a.Total)
	case notify.AlertMailboxSilent:
		d.Text = fmt.Sprintf("mailbox %s received no bounce for %d days: is the return path broken?", a.Subject, a.Count)
	case notify.AlertBounceRate, notify.AlertComplaintRate:
		if a.Rate != nil {
			rateData(&d, a)
			break
		}
		fallthrough
	default:
		d.Text = a.Kind + " " + a.Subject
	}
	return d
}

// rateData fills d with a rate alert's figures and its line of text.
func rateData(d *AlertData, a notify.Alert) {
	r := a.Rate
	d.Count, d.Total, d.Share = int(r.Events), int(r.Sent), r.Rate
	d.Rate = &AlertRate{Level: r.Level, Rate: r.Rate, Threshold: r.Threshold, Days: r.Days, Sent: r.Sent, Events: r.Events,
		TopReasons: alertCounts(r.TopReasons), TopDomains: alertCounts(r.TopDomains)}
	what, events := "bounce", "hard bounces"
	if a.Kind == notify.AlertComplaintRate {
		what, events = "complaint", "complaints"
	}
	d.Text = fmt.Sprintf("%s: stream %s %s rate %s over %d days, at or over %s: %d %s for %d sent",
		strings.ToUpper(r.Level), a.Subject, what, suppression.FormatRate(&r.Rate), r.Days, suppression.FormatRate(&r.Threshold), r.Events, events, r.Sent)
}

func alertCounts(cs []suppression.Count) []AlertCount {
	out := make([]AlertCount, len(cs))
	for i, c := range cs {
		out[i] = AlertCount{Key: c.Key, N: c.N}
	}
	return out
}
