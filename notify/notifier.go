package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Sender delivers one composed message; *Mailer is the real one.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Config is what the Notifier sends, to whom and when. The zero value plus
// From and To is usable.
type Config struct {
	Schedule   string        // cron spec in Report.Location (default "0 8 * * *")
	From       string        // the From of reports and alerts
	To         []string      // report recipients
	AlertTo    []string      // alert recipients; empty means To
	Report     ReportOptions // what the report shows and its time zone
	Alerts     AlertOptions  // when alerts fire
	LateAfter  time.Duration // a report sent more than this after its time says it is late (default 15m)
	StaleAfter time.Duration // a claimed run not finished after this is taken over (default 15m)
}

// Clock says what time it is; tests pass a fixed one.
type Clock func() time.Time

// Notifier builds, sends and records reports and alerts.
type Notifier struct {
	cfg    Config
	store  Store
	sender Sender
	tmpl   *Templates
	log    *slog.Logger
	sched  schedule

	// NewID returns a Message-ID for a message of kind ("report",
	// "alert") from domain; tests replace it for fixed output.
	NewID func(kind, domain string) string
}

// New returns a Notifier; it fails on an invalid schedule.
func New(cfg Config, store Store, sender Sender, tmpl *Templates, logger *slog.Logger) (*Notifier, error) {
	cfg.Report = cfg.Report.withDefaults()
	cfg.Alerts = cfg.Alerts.withDefaults()
	if cfg.Schedule == "" {
		cfg.Schedule = "0 8 * * *"
	}
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = 15 * time.Minute
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = 15 * time.Minute
	}
	if len(cfg.AlertTo) == 0 {
		cfg.AlertTo = cfg.To
	}
	sched, err := parseSchedule(cfg.Schedule, cfg.Report.Location)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{cfg: cfg, store: store, sender: sender, tmpl: tmpl, log: logger, sched: sched, NewID: NewMessageID}, nil
}

// Location is the report's time zone.
func (n *Notifier) Location() *time.Location { return n.cfg.Report.Location }

// Build reads the report for the local day containing day, as Build does
// with the Notifier's options.
func (n *Notifier) Build(ctx context.Context, day, now time.Time) (*Report, error) {
	return Build(ctx, n.store, day, now, n.cfg.Report)
}

// Compose builds the report for the local day containing day and returns it
// as a MIME message with its Message-ID. late and scheduled are shown in the
// report; pass false and the zero time for a report asked for by hand.
func (n *Notifier) Compose(ctx context.Context, day, now time.Time, late bool, scheduled time.Time) ([]byte, *Report, string, error) {
	r, err := Build(ctx, n.store, day, now, n.cfg.Report)
	if err != nil {
		return nil, nil, "", err
	}
	r.Late, r.Scheduled = late, scheduled
	env := Envelope{From: n.cfg.From, To: n.cfg.To, MessageID: n.NewID("report", domainOf(n.cfg.From)), Date: now.In(n.Location())}
	var b bytes.Buffer
	if err := n.tmpl.ComposeReport(&b, r, env); err != nil {
		return nil, nil, "", err
	}
	return b.Bytes(), r, env.MessageID, nil
}

// ErrNoSender is returned when a message should go out but the Notifier
// was built without a Sender (no SMTP server configured).
var ErrNoSender = errors.New("notify: no SMTP server configured")

// CanSendReports reports whether the Notifier has a Sender and report
// recipients.
func (n *Notifier) CanSendReports() bool { return n.sender != nil && len(n.cfg.To) > 0 }

// deliver sends msg from the configured From to to.
func (n *Notifier) deliver(ctx context.Context, to []string, msg []byte) error {
	if n.sender == nil {
		return ErrNoSender
	}
	env := Envelope{From: n.cfg.From, To: to}
	from, err := env.Sender()
	if err != nil {
		return err
	}
	rcpts, err := env.Recipients()
	if err != nil {
		return err
	}
	return n.sender.Send(ctx, from, rcpts, msg)
}

// SendReport builds and sends the report for the local day containing day
// at once, whether or not it was sent before (bouncer report send), and
// records it as sent so the schedule does not send it again. A day that is
// not over at now (in the report's time zone) is refused with a
// *DayNotOverError and nothing is sent (see SendPartialReport).
func (n *Notifier) SendReport(ctx context.Context, day, now time.Time) (string, error) {
	if err := CheckDayOver(day, now, n.Location()); err != nil {
		return "", err
	}
	id, r, err := n.sendNow(ctx, day, now)
	if err != nil {
		return "", err
	}
	run := suppression.ReportRun{Day: r.Date(), Status: suppression.RunSent, StartedAt: now, SentAt: now, MessageID: id}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := n.store.FinishReportRun(rctx, run); err != nil {
		return id, fmt.Errorf("notify: report %s sent as %s but not recorded: %w", r.Date(), id, err)
	}
	return id, nil
}

// SendPartialReport sends the report for the local day containing day as
// it stands at now, for a day that has begun and may not be over, and
// records nothing: the day's scheduled report still goes out, complete. A
// day that has not begun is refused with a *DayNotOverError (Future).
func (n *Notifier) SendPartialReport(ctx context.Context, day, now time.Time) (string, error) {
	var dno *DayNotOverError
	if err := CheckDayOver(day, now, n.Location()); errors.As(err, &dno) && dno.Future() {
		return "", err
	}
	id, _, err := n.sendNow(ctx, day, now)
	return id, err
}

// sendNow composes the report for the day containing day and sends it.
func (n *Notifier) sendNow(ctx context.Context, day, now time.Time) (string, *Report, error) {
	msg, r, id, err := n.Compose(ctx, day, now, false, time.Time{})
	if err != nil {
		return "", nil, err
	}
	err = n.deliver(ctx, n.cfg.To, msg)
	observeReport(err)
	if err != nil {
		return "", nil, err
	}
	return id, r, nil
}

// CheckAlerts evaluates the alert conditions at now and sends each alert
// not sent within AlertOptions.Every. It returns the alerts sent.
func (n *Notifier) CheckAlerts(ctx context.Context, now time.Time) ([]Alert, error) {
	alerts, err := EvaluateAlerts(ctx, n.store, now, n.cfg.Report.Location, n.cfg.Alerts)
	if err != nil {
		return nil, err
	}
	var sent []Alert
	var errs []error
	for _, a := range alerts {
		ok, err := n.sendAlert(ctx, &a, now)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			sent = append(sent, a)
		}
	}
	return sent, errors.Join(errs...)
}

// sendAlert claims the alert's rate-limit slot, sends it, and gives the
// slot back when sending fails.
func (n *Notifier) sendAlert(ctx context.Context, a *Alert, now time.Time) (bool, error) {
	ok, err := n.store.ClaimAlert(ctx, a.Key(), now, n.cfg.Alerts.Every)
	if err != nil || !ok {
		return false, err
	}
	subject, body, err := n.tmpl.Alert(a)
	if err == nil {
		var b bytes.Buffer
		env := Envelope{From: n.cfg.From, To: n.cfg.AlertTo, MessageID: n.NewID("alert", domainOf(n.cfg.From)), Date: now.In(n.Location())}
		if err = composeText(&b, env, subject, body); err == nil {
			err = n.deliver(ctx, n.cfg.AlertTo, b.Bytes())
		}
	}
	if err != nil {
		alertsFailedTotal.WithLabelValues(a.Kind).Inc()
		err = fmt.Errorf("notify: alert %s: %w", a.Key(), err)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		defer cancel()
		if rerr := n.store.ReleaseAlert(rctx, a.Key(), now); rerr != nil {
			err = errors.Join(err, fmt.Errorf("notify: release alert %s: %w", a.Key(), rerr))
		}
		return false, err
	}
	alertsSentTotal.WithLabelValues(a.Kind).Inc()
	n.log.Info("alert sent", "alert", a.Key())
	return true, nil
}
