// Package suppression owns the suppression list: schema access, the policy
// that turns bounce events into suppressions, batch ingest, queries,
// import/export and the HTTP handlers of the query API.
//
// It knows nothing of mailboxes or SMTP; it uses package dsn for types only.
package suppression

import (
	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// Message is one mailbox message handed to Store.Record (defined in
// internal/ingest, shared with the poller).
type Message = inbound.Message

// Result summarises one Record call.
type Result = inbound.Result

// DefaultStream is the stream of events nothing attributes to another.
const DefaultStream = inbound.DefaultStream
