package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/bouncer-mail/bouncer/internal/netaddr"
	"github.com/bouncer-mail/bouncer/suppression"
)

// Formats of an endpoint.
const (
	FormatStandard = "standard" // the event's JSON body, signed (Standard Webhooks)
	FormatSlack    = "slack"    // {"text": …}, unsigned (Slack, Mattermost incoming webhooks)
)

// Endpoint is one receiver of events.
type Endpoint struct {
	Name string
	URL  string
	// Key is the HMAC key (ParseSecret of the whsec_ secret); required for
	// FormatStandard.
	Key    []byte
	Format string // FormatStandard (default) or FormatSlack
	// AllowPrivate lets the endpoint resolve to private, link-local and
	// loopback addresses. A URL whose host is a loopback name or address
	// may reach loopback addresses without it.
	AllowPrivate bool
	Timeout      time.Duration // one attempt, connection to response headers; default 10s
	MaxAge       time.Duration // retried until this long after it was queued, then dead; default 24h
}

// Outbox is what the dispatcher needs of the store (suppression.Store).
type Outbox interface {
	ClaimDeliveries(ctx context.Context, endpoint string, limit int, now time.Time, lease time.Duration) (*suppression.Claim, error)
	FinishDeliveries(ctx context.Context, c *suppression.Claim, results []suppression.DeliveryResult, now time.Time) error
	ReleaseClaim(ctx context.Context, c *suppression.Claim) error
}

// Options tune the dispatcher. The zero value is usable.
type Options struct {
	Concurrency int           // attempts in flight per endpoint (keep-alive connections); default 16
	Batch       int           // deliveries claimed at once per endpoint; default 100
	Idle        time.Duration // how long Run waits when nothing is due (or Wake is called); default 1s
	RetryMin    time.Duration // first retry delay; default 5s, doubled per attempt ...
	RetryMax    time.Duration // ... up to this; default 1h. Each delay is jittered to 50-100%.
	Logger      *slog.Logger  // default slog.Default()
	Now         func() time.Time
}

func (o Options) withDefaults() Options {
	o.Concurrency = cmpOr(o.Concurrency, 16)
	o.Batch = cmpOr(o.Batch, 100)
	o.Idle = cmpOr(o.Idle, time.Second)
	o.RetryMin = cmpOr(o.RetryMin, 5*time.Second)
	o.RetryMax = cmpOr(o.RetryMax, time.Hour)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Dispatcher sends the outbox's deliveries. It is safe for concurrent
// use; several dispatchers (replicas) may share one Postgres store.
type Dispatcher struct {
	store Outbox
	eps   []*endpoint
	opts  Options
	wake  chan struct{}
}

// endpoint is an Endpoint with its client.
type endpoint struct {
	Endpoint
	client *http.Client
	lease  time.Duration
}

// New returns a dispatcher for the endpoints, checking each.
func New(store Outbox, eps []Endpoint, o Options) (*Dispatcher, error) {
	o = o.withDefaults()
	d := &Dispatcher{store: store, opts: o, wake: make(chan struct{}, 1)}
	for _, e := range eps {
		e.Timeout, e.MaxAge = cmpOr(e.Timeout, 10*time.Second), cmpOr(e.MaxAge, 24*time.Hour)
		if e.Format == "" {
			e.Format = FormatStandard
		}
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("webhook %s: url must be http(s)://host/…", e.Name)
		}
		if e.Format == FormatStandard && len(e.Key) == 0 {
			return nil, fmt.Errorf("webhook %s: no signing key", e.Name)
		}
		r := reach{private: e.AllowPrivate, loopback: netaddr.Loopback(u.Hostname())}
		rounds := (o.Batch + o.Concurrency - 1) / o.Concurrency
		d.eps = append(d.eps, &endpoint{Endpoint: e, client: newClient(r, e.Timeout, o.Concurrency),
			lease: time.Duration(rounds)*e.Timeout + leaseMargin})
	}
	return d, nil
}

// leaseMargin is how much longer a claim's lease is than its attempts may
// take.
const leaseMargin = 5 * time.Second

// Wake makes Run look for due deliveries now instead of after Idle.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends: one loop per endpoint, each claiming the
// due deliveries, sending them and recording the outcomes, and waiting
// Idle (or Wake) when none was due. A pass that sent some claims again at
// once, even when it took fewer than Batch: the next event about an
// address just delivered is due now. Deliveries in flight when ctx ends
// are abandoned to their lease (another pass sends them again).
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, e := range d.eps {
		wg.Go(func() {
			for ctx.Err() == nil {
				n, err := d.pass(ctx, e)
				if err != nil && ctx.Err() == nil {
					d.opts.Logger.Error("webhook dispatch", slog.String("endpoint", e.Name), slog.String("err", err.Error()))
				}
				if n == 0 || err != nil {
					d.idle(ctx)
				}
			}
		})
	}
	wg.Wait()
}

// idle waits Idle, Wake or the end of ctx.
func (d *Dispatcher) idle(ctx context.Context) {
	t := time.NewTimer(d.opts.Idle)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-d.wake:
	}
}

// Pass sends what is due for every endpoint once (one claim each) and
// returns how many deliveries it attempted.
func (d *Dispatcher) Pass(ctx context.Context) (int, error) {
	total := 0
	var errs error
	for _, e := range d.eps {
		n, err := d.pass(ctx, e)
		total += n
		errs = errors.Join(errs, err)
	}
	return total, errs
}

// pass claims one batch of e's due deliveries, sends them and records the
// outcomes. The deliveries about one subject are sent one after another, in
// the claim's order, and after one fails (to be retried) the rest are not
// tried; different subjects go Concurrency at a time. No attempt starts
// that could outlast the claim's lease (a subject's deliveries in a row
// can take longer than the rounds the lease allows for): those left are
// not tried, and the next claim takes them.
func (d *Dispatcher) pass(ctx context.Context, e *endpoint) (int, error) {
	began, now := time.Now(), d.opts.Now()
	c, err := d.store.ClaimDeliveries(ctx, e.Name, d.opts.Batch, now, e.lease)
	if err != nil {
		return 0, err
	}
	for _, why := range c.Gone {
		delivered.WithLabelValues(e.Name, "dead").Inc()
		d.opts.Logger.Warn("webhook event not sent: gone", slog.String("endpoint", e.Name), slog.String("why", why))
	}
	ds := c.Deliveries
	if len(ds) == 0 {
		return 0, nil
	}
	results := make([]suppression.DeliveryResult, len(ds))
	sem := make(chan struct{}, d.opts.Concurrency)
	var wg sync.WaitGroup
	for _, g := range bySubject(ds) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			failed := false
			for _, i := range g {
				failed = failed || time.Since(began)+e.Timeout > e.lease-leaseMargin
				if failed {
					results[i] = suppression.DeliveryResult{ID: ds[i].ID, Skipped: true}
					continue
				}
				results[i] = d.attempt(ctx, e, &ds[i])
				failed = !results[i].OK && !results[i].Dead
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil { // shutting down, nothing in flight: the next claim (of any replica) sends them again
		return len(ds), errors.Join(ctx.Err(), d.store.ReleaseClaim(context.WithoutCancel(ctx), c))
	}
	if err := d.store.FinishDeliveries(context.WithoutCancel(ctx), c, results, d.opts.Now()); err != nil {
		return len(ds), err
	}
	d.logFailures(e, ds, results)
	return len(ds), nil
}

// logFailures logs the failed attempts of a pass once they are recorded,
// with the id each delivery has in `bouncer webhooks deliveries` (an event
// of the stream gets it when its first try fails).
func (d *Dispatcher) logFailures(e *endpoint, ds []suppression.Delivery, results []suppression.DeliveryResult) {
	for i, r := range results {
		if r.OK || r.Skipped {
			continue
		}
		attrs := []any{slog.String("endpoint", e.Name), slog.Int64("delivery", r.ID), slog.String("event_id", ds[i].EventID),
			slog.String("subject", ds[i].Subject), slog.Int("attempts", ds[i].Attempts+1), slog.String("err", r.Error)}
		if r.Dead {
			d.opts.Logger.Warn("webhook delivery dead: no more retries", attrs...)
			continue
		}
		d.opts.Logger.Info("webhook delivery failed; will retry", append(attrs, slog.Time("next", r.NextAt))...)
	}
}

// bySubject groups the indexes of ds by subject, each group in ds's order,
// the groups in the order of their first delivery.
func bySubject(ds []suppression.Delivery) [][]int {
	at := map[string]int{}
	var out [][]int
	for i, dl := range ds {
		g, ok := at[dl.Subject]
		if !ok {
			g = len(out)
			at[dl.Subject] = g
			out = append(out, nil)
		}
		out[g] = append(out[g], i)
	}
	return out
}

// attempt sends one delivery and says what became of it.
func (d *Dispatcher) attempt(ctx context.Context, e *endpoint, dl *suppression.Delivery) suppression.DeliveryResult {
	began := time.Now()
	status, err := e.send(ctx, dl, d.opts.Now())
	sendSeconds.WithLabelValues(e.Name).Observe(time.Since(began).Seconds())
	r := suppression.DeliveryResult{ID: dl.ID, Status: status}
	if err == nil {
		r.OK = true
		delivered.WithLabelValues(e.Name, "sent").Inc()
		return r
	}
	now := d.opts.Now()
	r.Error, r.Cause, r.NextAt = err.Error(), cause(status, err), now.Add(d.backoff(dl.Attempts+1))
	if r.NextAt.Sub(dl.QueuedAt) > e.MaxAge {
		r.Dead = true
		delivered.WithLabelValues(e.Name, "dead").Inc()
		return r
	}
	if ctx.Err() == nil { // else shutting down: not recorded (see pass)
		delivered.WithLabelValues(e.Name, "failed").Inc()
	}
	return r
}

// backoff returns the delay before attempt n+1 (n ≥ 1 attempts made):
// RetryMin·2^(n-1), at most RetryMax, jittered to 50-100%.
func (d *Dispatcher) backoff(n int) time.Duration {
	base := d.opts.RetryMax
	if n < 40 {
		base = min(d.opts.RetryMin<<(n-1), d.opts.RetryMax)
	}
	return base/2 + rand.N(base/2+1)
}

// maxResponse caps the response body read (to reuse the connection);
// errorText caps what of it is kept in the delivery's last error.
const (
	maxResponse = 64 << 10
	errorText   = 256
)

// send makes one attempt at now and returns the HTTP status (0 when none)
// and why it failed, nil for a 2xx answer.
func (e *endpoint) send(ctx context.Context, dl *suppression.Delivery, now time.Time) (int, error) {
	body := dl.Body
	if e.Format == FormatSlack {
		body = slackBody(dl.Body)
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, redactError(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bouncer-webhooks")
	if e.Format != FormatSlack {
		req.Header.Set(HeaderID, dl.EventID)
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(HeaderSignature, Sign(e.Key, dl.EventID, now, body))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, redactError(err) // every error of send is logged and stored: never the URL's secret path
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, errorText))
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse-errorText)) //nolint:errcheck // only to reuse the connection
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, nil
	}
	if resp.StatusCode/100 == 3 {
		return resp.StatusCode, fmt.Errorf("%w (HTTP %d to %s)", ErrRedirect, resp.StatusCode, RedactURL(resp.Header.Get("Location")))
	}
	return resp.StatusCode, answerError(resp.StatusCode, head)
}

// answerError says why an answer is a failure: its status, and the start
// of its body when it has one ("HTTP 500: not now"), else the status's
// name ("HTTP 503 Service Unavailable").
func answerError(status int, head []byte) error {
	text := bytes.ToValidUTF8(bytes.TrimSpace(head), nil)
	if len(text) == 0 {
		return fmt.Errorf("HTTP %d %s", status, http.StatusText(status))
	}
	return fmt.Errorf("HTTP %d: %s", status, text)
}

// Ping sends one webhook.ping event to the endpoint named, now and
// outside the queue (`bouncer webhooks test`), and returns the HTTP status
// (0 when none) and why it failed, nil for a 2xx answer.
func (d *Dispatcher) Ping(ctx context.Context, name string) (int, error) {
	for _, e := range d.eps {
		if e.Name != name {
			continue
		}
		now := d.opts.Now()
		body := fmt.Sprintf(`{"type":%q,"timestamp":%q,"data":{"endpoint":%q}}`, suppression.EventPing, now.UTC().Format(time.RFC3339Nano), name)
		return e.send(ctx, &suppression.Delivery{EventID: suppression.NewEventID(), Body: []byte(body)}, now)
	}
	return 0, fmt.Errorf("webhook: no endpoint named %q", name)
}
