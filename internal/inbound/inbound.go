// Package inbound holds the types that cross the seam between a mailbox
// reader (package poller) and the store that records what it read (package
// suppression), so that the reader links no database driver. It does no
// I/O.
package inbound

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Message is one mailbox message handed to a store's Record.
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
	Messages        int // messages given
	Duplicates      int // messages already in the ledger: changed nothing
	Unparsed        int // messages ledgered without a report
	Events          int // recipient events written
	NoRecipient     int // records without a usable recipient (noted in the ledger)
	NotReports      int // new messages ledgered as not_report: not a bounce or complaint
	NoRecipientMsgs int // new messages ledgered as no_recipient: a bounce, nothing recorded
	// RedactedComplaints counts new messages ledgered as
	// redacted_complaint: a complaint whose recipient the feedback loop
	// redacted, counted per provider and disposed of as recorded.
	RedactedComplaints int
	// Repeated counts new messages ledgered as repeated: each of their
	// records repeats a notice already counted (the same notice delivered
	// again with other bytes), so they changed nothing.
	Repeated int
	// HeldKeys are the keys of the batch's messages that nothing was
	// recorded for and that a person should read (unparsed, not a report,
	// no usable recipient), duplicates included: their mailbox sends them
	// to the failed folder. Nil when there are none.
	HeldKeys        map[string]bool
	ByClass         map[dsn.Class]int // events written, by class
	NewlySuppressed []string          // addresses suppressed by this call
}

// ErrTransient marks an error from a store that says the database could
// not take the work now (see Transient); a store wraps such errors with
// MarkTransient.
var ErrTransient = errors.New("transient store error")

type transientError struct{ error }

func (e transientError) Unwrap() error        { return e.error }
func (e transientError) Is(target error) bool { return target == ErrTransient }

// MarkTransient returns err marked as transient: its text is unchanged and
// errors.Is(err, ErrTransient) holds. A nil err stays nil.
func MarkTransient(err error) error {
	if err == nil {
		return nil
	}
	return transientError{err}
}

// Transient reports whether err says the store could not be reached or
// could not take the work now, rather than that it refused the data: an
// error marked by MarkTransient, a lost or refused connection, or a
// cancelled context. The same call may succeed later unchanged.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{ErrTransient, driver.ErrBadConn, sql.ErrConnDone, io.EOF, io.ErrUnexpectedEOF,
		context.Canceled, context.DeadlineExceeded, syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
