package suppression

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Import and export formats.
const (
	FormatBouncer  = "bouncer"  // ours: the suppressions columns
	FormatSES      = "ses"      // Amazon SES: EmailAddress, Reason, LastUpdateTime
	FormatSendGrid = "sendgrid" // SendGrid: email, reason, status, created
	FormatMailgun  = "mailgun"  // Mailgun: address, code, error, created_at
	FormatPostmark = "postmark" // Postmark: EmailAddress, SuppressionReason, Origin, CreatedAt
)

// Formats lists the formats Import reads and Export writes.
var Formats = []string{FormatBouncer, FormatSES, FormatSendGrid, FormatMailgun, FormatPostmark}

// format is one file layout: how it is recognised, read and written.
type format struct {
	name   string
	header []string
	// detect reports whether a header row (names folded by fold) is this
	// layout.
	detect func(cols map[string]int) bool
	// read turns a row into an address and its suppression.
	read func(r row) (string, Manual, string, error)
	// write turns an entry into a row in header order.
	write func(e Entry) []string
}

// row is one data line with its columns found by folded header name.
type row struct {
	cols   map[string]int
	fields []string
}

func (r row) get(name string) string {
	if i, ok := r.cols[name]; ok && i < len(r.fields) {
		return strings.TrimSpace(undefuseCSV(r.fields[i]))
	}
	return ""
}

// fold normalises a header name: lower case, letters and digits only
// ("Email Address" and "email_address" are both "emailaddress").
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// formats is checked in order: the first that recognises the header wins.
var formats = []format{
	{name: FormatPostmark, header: []string{"EmailAddress", "SuppressionReason", "Origin", "CreatedAt"},
		detect: has("emailaddress", "suppressionreason"), read: readPostmark, write: writePostmark},
	{name: FormatSES, header: []string{"EmailAddress", "Reason", "LastUpdateTime"},
		detect: has("emailaddress"), read: readSES, write: writeSES},
	{name: FormatMailgun, header: []string{"address", "code", "error", "created_at"},
		detect: has("address"), read: readMailgun, write: writeMailgun},
	{name: FormatBouncer, header: strings.Fields(strings.ReplaceAll(entryCols, ",", " ")),
		detect: has("email", "suppressedreason"), read: readBouncer, write: writeBouncer},
	{name: FormatSendGrid, header: []string{"email", "reason", "status", "created"},
		detect: has("email"), read: readSendGrid, write: writeSendGrid},
}

func has(names ...string) func(map[string]int) bool {
	return func(cols map[string]int) bool {
		for _, n := range names {
			if _, ok := cols[n]; !ok {
				return false
			}
		}
		return true
	}
}

func formatNamed(name string) (format, error) {
	for _, f := range formats {
		if f.name == name {
			return f, nil
		}
	}
	return format{}, fmt.Errorf("suppression: unknown format %q (want one of %s)", name, strings.Join(Formats, ", "))
}

// parseTime reads the time formats the vendors use: RFC 3339, RFC 2822
// (Mailgun), Unix seconds (SendGrid), a plain date. Empty is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

func at(s string) (Manual, error) {
	t, err := parseTime(s)
	return Manual{At: t}, err
}

func readPostmark(r row) (string, Manual, string, error) {
	m, err := at(r.get("createdat"))
	m.Reason = strings.ToLower(r.get("suppressionreason"))
	if o := r.get("origin"); o != "" {
		m.Note = "postmark origin: " + o
	}
	return r.get("emailaddress"), m, SourceImport, err
}

// Kinds of suppression in the vendors' vocabularies.
const (
	kindBounce    = "bounce"
	kindComplaint = "complaint"
	kindManual    = "manual"
)

// kind tells a bounce from a complaint from a manual suppression, by source
// and, for imported entries, by the reason the file gave.
func kind(e Entry) string {
	switch e.Source {
	case SourceBounce:
		return kindBounce
	case SourceComplaint:
		return kindComplaint
	}
	switch strings.ToLower(e.SuppressedReason) {
	case "bounce", "hardbounce":
		return kindBounce
	case "complaint", "spamcomplaint", "spamreport":
		return kindComplaint
	}
	return kindManual
}

func writePostmark(e Entry) []string {
	reason, origin := "HardBounce", "Recipient"
	switch kind(e) {
	case kindComplaint:
		reason = "SpamComplaint"
	case kindManual:
		reason, origin = "ManualSuppression", "Customer"
	}
	return []string{e.Email, reason, origin, timeText(e.SuppressedAt)}
}

func readSES(r row) (string, Manual, string, error) {
	m, err := at(r.get("lastupdatetime"))
	m.Reason = strings.ToLower(r.get("reason"))
	return r.get("emailaddress"), m, SourceImport, err
}

func writeSES(e Entry) []string {
	reason := "BOUNCE"
	if kind(e) == kindComplaint {
		reason = "COMPLAINT"
	}
	return []string{e.Email, reason, timeText(e.SuppressedAt)}
}

func readMailgun(r row) (string, Manual, string, error) {
	m, err := at(r.get("createdat"))
	m.Reason = "bounce"
	if _, ok := r.cols["error"]; !ok {
		m.Reason = "mailgun" // complaints and unsubscribes lists have no error column
	}
	m.Note = strings.TrimSpace(r.get("code") + " " + r.get("error"))
	return r.get("address"), m, SourceImport, err
}

func writeMailgun(e Entry) []string {
	code := "550"
	if e.LastStatus != "" && e.LastStatus[0] == '4' {
		code = "450"
	}
	msg := e.LastDiagnostic
	if msg == "" {
		msg = e.SuppressedReason
	}
	created := ""
	if e.SuppressedAt != nil {
		created = e.SuppressedAt.UTC().Format(time.RFC1123Z)
	}
	return []string{e.Email, code, msg, created}
}

func readSendGrid(r row) (string, Manual, string, error) {
	m, err := at(r.get("created"))
	_, hasIP := r.cols["ip"]
	_, hasReason := r.cols["reason"]
	switch {
	case hasReason:
		m.Reason, m.Note = "bounce", strings.TrimSpace(r.get("status")+" "+r.get("reason"))
	case hasIP:
		m.Reason = "spamreport"
	default:
		m.Reason = "unsubscribe"
	}
	return r.get("email"), m, SourceImport, err
}

func writeSendGrid(e Entry) []string {
	created := ""
	if e.SuppressedAt != nil {
		created = strconv.FormatInt(e.SuppressedAt.Unix(), 10)
	}
	return []string{e.Email, e.SuppressedReason, e.LastStatus, created}
}

func readBouncer(r row) (string, Manual, string, error) {
	m, err := at(r.get("suppressedat"))
	if err != nil {
		return "", m, "", err
	}
	exp, err := parseTime(r.get("expiresat"))
	if !exp.IsZero() {
		m.ExpiresAt = &exp
	}
	m.Reason, m.Note = r.get("suppressedreason"), r.get("note")
	src := SourceImport
	if r.get("source") == SourceManual {
		src = SourceManual
	}
	if s := r.get("suppressed"); s == "false" || s == "0" {
		return r.get("email"), m, "", err // not suppressed: nothing to import
	}
	return r.get("email"), m, src, err
}

func writeBouncer(e Entry) []string {
	return []string{e.Email, e.Domain, strconv.Itoa(e.HardCount), strconv.Itoa(e.SoftCount), strconv.Itoa(e.BlockCount),
		strconv.Itoa(e.ComplaintCount), e.FirstSeen.UTC().Format(time.RFC3339), e.LastSeen.UTC().Format(time.RFC3339),
		e.LastClass, e.LastReason, e.LastStatus, e.LastDiagnostic, strconv.FormatBool(e.Suppressed), timeText(e.SuppressedAt),
		e.SuppressedReason, timeText(e.ExpiresAt), e.Source, e.Note, timeText(e.ClearedAt)}
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
