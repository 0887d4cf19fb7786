// Package suppression owns the suppression list: schema access, the policy
// that turns bounce events into suppressions, batch ingest, queries,
// import/export and the HTTP handlers of the query API.
//
// It knows nothing of mailboxes or SMTP; it uses package dsn for types only.
package suppression

import (
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Message is one mailbox message handed to Store.Record.
type Message struct {
	Key string // hex SHA-256 of the message's raw bytes: the idempotency key
	// LegacyKey is the key the message had before bare CRs were
	// normalised to CRLF (bare LFs only), set only when it differs from
	// Key: a message whose LegacyKey is in the ledger was recorded by an
	// older bouncer and is a duplicate.
	LegacyKey  string
	Mailbox    string    // configured mailbox name
	ReceivedAt time.Time // when it reached the mailbox (IMAP INTERNALDATE), else when fetched

	// Report is the parsed message; nil when it could not be parsed, in
	// which case ParseError says why and the message is only ledgered
	// (quarantined) with Subject and From for the report.
	Report     *dsn.Report
	ParseError string
	Subject    string // used only when Report is nil
	From       string // used only when Report is nil

	// Verified is true when the message arrived on a valid signed return
	// path (see the trust issue); VerifiedRecipient is the recipient that
	// token names, used when the report names none.
	Verified          bool
	VerifiedRecipient string

	// Stream is the kind of mail the report is about (see verp streams);
	// empty means DefaultStream.
	Stream string
}

// DefaultStream is the stream of events nothing attributes to another.
const DefaultStream = "default"

// Result summarises one Record call.
type Result struct {
	Messages        int               // messages given
	Duplicates      int               // messages already in the ledger: changed nothing
	Unparsed        int               // messages ledgered without a report
	Events          int               // recipient events written
	NoRecipient     int               // records without a usable recipient (noted in the ledger)
	ByClass         map[dsn.Class]int // events written, by class
	NewlySuppressed []string          // addresses suppressed by this call
}
