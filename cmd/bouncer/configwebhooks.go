package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/internal/netaddr"
	"github.com/bouncer-mail/bouncer/internal/webhook"
	"github.com/bouncer-mail/bouncer/suppression"
)

// WebhookConfig is one endpoint changes are announced to (docs/webhooks.md).
type WebhookConfig struct {
	Name string `yaml:"name"` // unique label, stored with its deliveries; required
	// URL receives a POST per event: https, or http only to a loopback
	// host (or with AllowPrivate).
	URL string `yaml:"url"`
	// Events are the types sent: suppression.added, suppression.removed,
	// suppression.expired, complaint.received, bounce.recorded, alert.*
	// (alert.poll_failures, alert.block_cluster, alert.mailbox_silent,
	// alert.bounce_rate, alert.complaint_rate), or
	// a prefix such as suppression.*. Default: every type but
	// bounce.recorded (format slack: alert.*).
	Events []string `yaml:"events"`
	// SecretFile holds the signing secret (whsec_ + base64, e.g.
	// "whsec_$(openssl rand -base64 32)"), or SecretEnv names an
	// environment variable holding it; one is required for format standard.
	SecretFile string `yaml:"secret_file"`
	SecretEnv  string `yaml:"secret_env,omitempty"`
	// Format is "standard" (default: the Standard Webhooks JSON body,
	// signed) or "slack" ({"text": …} for Slack or Mattermost, unsigned).
	Format string `yaml:"format"`
	// AllowPrivate lets the URL's host resolve to private, link-local,
	// loopback or other non-public addresses (and allows http to them).
	AllowPrivate bool          `yaml:"allow_private"`
	Timeout      time.Duration `yaml:"timeout"` // one attempt; default 10s
	// MaxAge is how long a delivery is retried (exponential back-off with
	// jitter) before it is marked dead; default 24h.
	MaxAge time.Duration `yaml:"max_age"`

	// Secret is read from SecretFile or SecretEnv at load.
	Secret Secret `yaml:"secret" config:"derived"`
}

// MarshalYAML prints the endpoint with its URL's path and query hidden, as
// `bouncer webhooks list` does: a Slack or Mattermost URL's path is its
// secret.
func (w WebhookConfig) MarshalYAML() (any, error) {
	type plain WebhookConfig
	out := plain(w)
	out.URL = webhook.RedactURL(w.URL)
	return out, nil
}

// String prints the endpoint with its URL's path and query hidden.
func (w WebhookConfig) String() string {
	return fmt.Sprintf("{Name:%s URL:%s Format:%s Events:%v}", w.Name, webhook.RedactURL(w.URL), w.Format, w.Events)
}

// GoString keeps %#v from printing the URL's path.
func (w WebhookConfig) GoString() string { return w.String() }

// defaultWebhookEvents are the types an endpoint without events gets.
func defaultWebhookEvents(format string) []string {
	if format == webhook.FormatSlack {
		return []string{"alert.*"}
	}
	return []string{suppression.EventSuppressionAdded, suppression.EventSuppressionRemoved,
		suppression.EventSuppressionExpired, suppression.EventComplaintReceived, "alert.*"}
}

// validateWebhooks checks every endpoint and reads its secret.
func (c *Config) validateWebhooks(p *configProblems) {
	for i := range c.Webhooks {
		c.Webhooks[i].validate(fmt.Sprintf("webhooks[%d]", i), p)
	}
	uniqueNames(p, "webhooks", len(c.Webhooks), func(i int) string { return c.Webhooks[i].Name })
}

func (w *WebhookConfig) validate(path string, p *configProblems) {
	if w.Name == "" || strings.ContainsFunc(w.Name, func(r rune) bool { return r <= ' ' || r > '~' }) {
		p.errorf(path+".name", "required: a label without spaces")
	}
	if w.Format == "" {
		w.Format = webhook.FormatStandard
	}
	oneOf(p, path+".format", w.Format, webhook.FormatStandard, webhook.FormatSlack)
	w.validateURL(path, p)
	if len(w.Events) == 0 {
		w.Events = defaultWebhookEvents(w.Format)
	}
	for j, e := range w.Events {
		if !knownEvent(e) {
			p.errorf(fmt.Sprintf("%s.events[%d]", path, j), "unknown event type %q (want one of %s, alert.*, or a prefix such as suppression.*)",
				e, strings.Join(suppression.EventTypes, ", "))
		}
	}
	if w.Timeout == 0 {
		w.Timeout = 10 * time.Second
	}
	if w.MaxAge == 0 {
		w.MaxAge = 24 * time.Hour
	}
	positive(p, path+".timeout", w.Timeout)
	positive(p, path+".max_age", w.MaxAge)
	parse := func(v string) error {
		_, err := webhook.ParseSecret(v)
		return err
	}
	if w.Format == webhook.FormatSlack {
		parse = nil // unsigned
	} else if w.SecretFile == "" && w.SecretEnv == "" {
		p.errorf(path+".secret_file", "required for format standard (or set secret_env): whsec_ followed by base64, e.g. whsec_$(openssl rand -base64 32)")
	}
	w.Secret = parsedSecret(p, path, "secret_file", w.SecretFile, "secret_env", w.SecretEnv, parse)
}

// validateURL requires https, or http to a loopback host or with
// allow_private.
func (w *WebhookConfig) validateURL(path string, p *configProblems) {
	u, err := url.Parse(w.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.errorf(path+".url", "must be an https:// URL")
	case u.User != nil:
		p.errorf(path+".url", "must not hold a user or password")
	case u.Scheme == "http" && !netaddr.Loopback(u.Hostname()) && !w.AllowPrivate:
		p.errorf(path+".url", "must be https (http only to a loopback host, or with allow_private)")
	}
}

// knownEvent reports whether a subscription names a type bouncer sends.
func knownEvent(e string) bool {
	if slices.Contains(suppression.EventTypes, e) || e == "*" || e == "alert.*" {
		return true
	}
	if strings.HasPrefix(e, suppression.EventAlertPrefix) {
		return slices.Contains(alertKinds, strings.TrimPrefix(e, suppression.EventAlertPrefix))
	}
	if prefix, ok := strings.CutSuffix(e, "*"); ok && strings.HasSuffix(prefix, ".") {
		for _, t := range suppression.EventTypes {
			if strings.HasPrefix(t, prefix) {
				return true
			}
		}
	}
	return false
}

// webhookSubscriptions are the store's outbox subscriptions of cfg.
func webhookSubscriptions(cfg *Config) []suppression.Subscription {
	var out []suppression.Subscription
	for _, w := range cfg.Webhooks {
		out = append(out, suppression.Subscription{Endpoint: w.Name, Events: w.Events})
	}
	return out
}

// webhookEndpoints are the dispatcher's endpoints of cfg.
func webhookEndpoints(cfg *Config) ([]webhook.Endpoint, error) {
	var out []webhook.Endpoint
	for _, w := range cfg.Webhooks {
		e := webhook.Endpoint{Name: w.Name, URL: w.URL, Format: w.Format, AllowPrivate: w.AllowPrivate, Timeout: w.Timeout, MaxAge: w.MaxAge}
		if w.Format != webhook.FormatSlack {
			key, err := webhook.ParseSecret(w.Secret.Value())
			if err != nil {
				return nil, fmt.Errorf("webhooks %s: %w", w.Name, err)
			}
			e.Key = key
		}
		out = append(out, e)
	}
	return out, nil
}
