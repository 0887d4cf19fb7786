package dsn

import (
	"strings"
	"time"
)

// dsnFieldNames are the fields deliveryStatus reads, in lower case: the
// per-recipient fields of RFC 3464 section 2.3 (the first
// numRecipientFields), then the per-message fields it uses.
var dsnFieldNames = [...]string{
	"original-recipient", "final-recipient", "action", "status", "remote-mta", "diagnostic-code",
	"last-attempt-date", "final-log-id", "will-retry-until", "x-actual-recipient",
	"reporting-mta", "arrival-date",
}

const (
	numRecipientFields = 10
	fieldAction        = 2
	fieldStatus        = 3
	fieldDiagnostic    = 5
)

// dsnField returns the index in dsnFieldNames of a field name (ASCII, as
// fieldName accepts it), or -1.
func dsnField(name string) int {
	for i, n := range dsnFieldNames {
		if len(n) == len(name) && strings.EqualFold(name, n) {
			return i
		}
	}
	return -1
}

// dsnGroup accumulates the fields of one per-recipient group.
type dsnGroup struct {
	seen uint16 // bit i: field dsnFieldNames[i] was read
	rc   Recipient
}

// deliveryStatus parses a message/delivery-status body. The parse is
// lenient: unknown fields are ignored, groups are also split where a
// recipient field repeats (QUIRK: some MTAs omit the blank line between
// groups), and a Status without a comment or with odd text is fine.
func (p *parser) deliveryStatus(body string, global bool) {
	var g dsnGroup
	open := false
	flush := func() {
		// A group without an address but with an Action or Status is kept:
		// the caller may know the recipient from a signed return path.
		if open && (g.rc.FinalRecipient != "" || g.rc.OriginalRecipient != "" || g.seen&(1<<fieldAction|1<<fieldStatus) != 0) {
			p.addDSNRecipient(g.rc)
		}
		open = false
	}
	for _, grp := range parseGroups(body) {
		flush()
		for _, f := range grp {
			i := dsnField(f.name)
			if i < 0 || i >= numRecipientFields {
				if i >= 0 {
					p.messageField(dsnFieldNames[i], f.value)
				}
				continue
			}
			if open && g.seen&(1<<i) != 0 && i != fieldDiagnostic {
				flush()
			}
			if !open {
				g, open = dsnGroup{}, true
			}
			g.seen |= 1 << i
			p.recipientField(&g.rc, dsnFieldNames[i], f.value, global)
		}
	}
	flush()
}

// messageField handles a per-message field of a delivery-status body.
func (p *parser) messageField(name, v string) {
	switch name {
	case "reporting-mta":
		if p.rep.ReportingMTA == "" {
			p.rep.ReportingMTA = stripType(v)
		}
	case "arrival-date":
		if t, ok := p.date(name, v); ok && p.rep.ArrivalDate.IsZero() {
			p.rep.ArrivalDate = t
		}
	}
}

// recipientField sets one per-recipient field on rc.
func (p *parser) recipientField(rc *Recipient, name, v string, global bool) {
	switch name {
	case "final-recipient":
		rc.FinalRecipient = p.dsnAddr(v, global)
	case "original-recipient":
		rc.OriginalRecipient = p.dsnAddr(v, global)
	case "action":
		a, _, _ := strings.Cut(v, " ")
		rc.Action = strings.ToLower(strings.TrimSpace(a))
	case "status":
		rc.ReportedStatus = strings.TrimSpace(v)
		rc.Status = parseStatus(v)
		if rc.Status == "" && v != "" {
			p.problem("status: cannot read %q", v)
		}
	case "remote-mta":
		rc.RemoteMTA = stripType(v)
	case "diagnostic-code":
		if len(rc.Diagnostic) < maxFieldBytes {
			rc.Diagnostic = appendFolded(rc.Diagnostic, stripType(v))
		}
		if rc.DiagnosticType == "" {
			rc.DiagnosticType = diagType(v)
		}
	case "last-attempt-date":
		if t, ok := p.date(name, v); ok {
			rc.LastAttempt = t
		}
	}
}

// dsnAddr reads an address-type field ("rfc822; a@b", "utf-8; a\x{..}@b").
func (p *parser) dsnAddr(v string, global bool) string {
	a := cleanAddr(v)
	if global || strings.Contains(a, `\x{`) {
		a = decodeXtext(a)
	}
	return a
}

// addDSNRecipient completes a record from its diagnostic and appends it.
func (p *parser) addDSNRecipient(rc Recipient) {
	if rc.FinalRecipient == "" || !plausibleAddr(rc.FinalRecipient) && plausibleAddr(rc.OriginalRecipient) {
		// QUIRK: Sun/Oracle Messaging Server and Sendmail write source
		// routes or bare domains ("@mx.example.org") as Final-Recipient.
		rc.FinalRecipient = rc.OriginalRecipient
	}
	if rc.Diagnostic == "" {
		// The comment of "Status: 4.0.0 (host name lookup failure)" is the
		// only explanation some MTAs give.
		if i := strings.IndexByte(rc.ReportedStatus, '('); i > 0 {
			rc.Diagnostic = strings.Trim(strings.TrimSpace(rc.ReportedStatus[i:]), "()")
		}
	}
	rc.Diagnostic = sesRemoteFirst(rc.Diagnostic)
	completeCodes(&rc)
	p.addRecord(rc)
}

// sesRemoteFirst puts the remote server's reply first in an Amazon SES
// diagnostic: "5.1.0 - Unknown address error 550-'5.7.1 ... Access
// denied' (delivery attempts: 0)" becomes "550 5.7.1 ... Access denied
// (5.1.0 - Unknown address error; delivery attempts: 0)". QUIRK: Amazon
// SES labels the remote reply with its own guess.
func sesRemoteFirst(d string) string {
	if statusAt(d, 0) == "" || !strings.Contains(d, " - ") {
		return d
	}
	q := strings.Index(d, "-'")
	if q < 3 || replyCodeAt(d, q-3) == "" {
		return d
	}
	end := strings.LastIndexByte(d, '\'')
	if end <= q+2 {
		return d
	}
	label := strings.TrimSpace(d[:q-3])
	tail := strings.Trim(strings.TrimSpace(d[end+1:]), "()")
	if tail != "" {
		label += "; " + tail
	}
	return d[q-3:q] + " " + d[q+2:end] + " (" + label + ")"
}

// addRecord appends a record unless the report already has
// Options.MaxRecipients of them.
func (p *parser) addRecord(rc Recipient) {
	if len(p.rep.Recipients) >= p.opts.MaxRecipients {
		p.dropped++
		return
	}
	p.rep.Recipients = append(p.rep.Recipients, rc)
}

// completeCodes fills the reply code from the diagnostic, and the status
// from the diagnostic when Status is missing or says nothing ("X.0.0",
// QUIRK: Exchange and Office 365 write 5.0.0 and put the real code in the
// diagnostic).
func completeCodes(rc *Recipient) {
	if rc.Command == "" {
		rc.Command = findCommand(rc.Diagnostic)
		if rc.Command == "DATA" && pipelinedRCPT(rc.Diagnostic) {
			rc.Command = "RCPT"
		}
	}
	if rc.ReplyCode == "" && !isExitCode(rc) {
		rc.ReplyCode = innerReplyCode(rc.Diagnostic)
		if rc.ReplyCode == "" {
			rc.ReplyCode = findReplyCode(rc.Diagnostic)
		}
	}
	if rc.Status == "" || strings.HasSuffix(rc.Status, ".0.0") {
		st := statusAfterReply(rc.Diagnostic)
		if st == "" {
			st = findStatus(rc.Diagnostic)
		}
		if st != "" && st != rc.Status && (rc.Status == "" || st[0] == rc.Status[0]) {
			rc.Status = st
		}
	}
}

// isExitCode reports whether a diagnostic is a bare program exit code
// ("Diagnostic-Code: X-Unix; 77"), not an SMTP reply.
func isExitCode(rc *Recipient) bool {
	d := strings.TrimSpace(rc.Diagnostic)
	return rc.DiagnosticType != "smtp" && len(d) <= 3 && digitsAt(d, 0, 3) == len(d)
}

// date parses an RFC 5322 date leniently (weekday, comments, missing
// seconds); an unreadable date is a problem, not an error.
func (p *parser) date(name, v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if t, ok := parseDate(v); ok {
		return t.UTC(), true
	}
	p.problem("%s: cannot read date %q", name, v)
	return time.Time{}, false
}
