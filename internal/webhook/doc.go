// Package webhook delivers the store's outbox to HTTP endpoints: signed
// per the Standard Webhooks specification (webhook-id, webhook-timestamp,
// webhook-signature), or as a Slack/Mattermost {"text": …} message.
//
// The events themselves are written by suppression, in the transaction of
// the change they announce (the outbox); this package claims due
// deliveries through the small Outbox interface it declares, sends them,
// and records each outcome: at least once, the same webhook-id on every
// attempt, one delivery at a time per endpoint and subject (those of a
// claim about one address one after another, so events about one address
// arrive in order), retries with exponential back-off and jitter until the
// endpoint's max age, then dead.
//
// It owns the network side: the SSRF guard on the dialer, no redirects, a
// cap on the response body read, timeouts. It knows no SQL and logs no
// secret. It imports suppression for the delivery types only.
package webhook
