package poller

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// Summary is what one pass did.
type Summary struct {
	Mailbox    string
	Fetched    int               // messages read from the server
	ByClass    map[dsn.Class]int // recipient events recorded, by class
	Complaints int               // complaint events recorded
	// NotReports counts messages that were not reports at all (sent to the
	// failed folder); a report whose records are of class ignore (a delay
	// notice, an auto-reply) counts in ByClass, not here. It and Unparsed
	// come from the store's result: a message recorded before counts as a
	// duplicate only.
	NotReports  int
	Unparsed    int // messages that could not be parsed (sent to the failed folder)
	NoRecipient int // bounces that named no usable recipient: nothing recorded (sent to the failed folder)
	// RedactedComplaints counts complaints whose recipient the feedback
	// loop redacted: nothing recorded, counted per provider in the report,
	// disposed of like recorded messages.
	RedactedComplaints int
	Held               int  // messages left for a person: moved to the failed folder (IMAP) or kept on the server (POP3)
	NewlySuppressed    int  // addresses this pass suppressed
	Duplicates         int  // messages recorded before, or copies of a notice already counted: changed nothing
	Skipped            int  // POP3 messages skipped by UIDL (after: flag, or failed earlier)
	Waiting            int  // messages found but not handled (stopped early, or an error)
	Stopped            bool // the pass stopped early on request (Options.Stop)
	Seconds            float64
}

func (s *Summary) addResult(r inbound.Result) {
	if s.ByClass == nil {
		s.ByClass = make(map[dsn.Class]int)
	}
	for c, n := range r.ByClass {
		s.ByClass[c] += n
	}
	s.Complaints += r.ByClass[dsn.ClassComplaint]
	s.NewlySuppressed += len(r.NewlySuppressed)
	s.Duplicates += r.Duplicates + r.Repeated
	s.Unparsed += r.Unparsed
	s.NotReports += r.NotReports
	s.NoRecipient += r.NoRecipientMsgs
	s.RedactedComplaints += r.RedactedComplaints
}

// String is the one-line summary `bouncer poll` prints.
func (s Summary) String() string {
	classes := make([]string, 0, len(s.ByClass))
	for c, n := range s.ByClass {
		classes = append(classes, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(classes)
	complaints := fmt.Sprint(s.Complaints)
	if s.RedactedComplaints > 0 {
		complaints += fmt.Sprintf(" (and %d with the recipient redacted)", s.RedactedComplaints)
	}
	line := fmt.Sprintf("%s: fetched %d, events [%s], complaints %s, not reports %d, unparsed %d, no recipient %d, newly suppressed %d, duplicates %d, %.1fs",
		s.Mailbox, s.Fetched, strings.Join(classes, " "), complaints, s.NotReports, s.Unparsed, s.NoRecipient,
		s.NewlySuppressed, s.Duplicates, s.Seconds)
	if s.Stopped && s.Waiting > 0 {
		// A pass stopped by a signal must not read like an emptied mailbox.
		line += fmt.Sprintf(", stopped early: %d left for the next pass", s.Waiting)
	}
	return line
}
