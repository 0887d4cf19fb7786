package dsn

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// decodeISO2022 decodes text written in ISO-2022-JP escape sequences that
// reached a field undecoded (QUIRK: Lotus Domino writes X-Notes
// diagnostics in raw ISO-2022-JP inside message/delivery-status).
func decodeISO2022(s string) string {
	if !strings.Contains(s, "\x1b$B") && !strings.Contains(s, "\x1b$@") {
		return s
	}
	r, err := charset.Reader("iso-2022-jp", strings.NewReader(s))
	if err != nil {
		return s
	}
	b, err := io.ReadAll(io.LimitReader(r, maxFieldBytes*2))
	if err != nil {
		return s
	}
	return string(b)
}

// cleanField makes an outside string safe to store and print: valid UTF-8,
// no control characters (tab, CR and LF become spaces; the rest, NUL and
// ESC included, are dropped) and no bidirectional overrides.
func cleanField(s string) string {
	if isCleanASCII(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}

// isCleanASCII reports whether s is printable ASCII (the common case, kept
// without copying).
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// cleanAll applies cleanField to every string of a slice in place.
func cleanAll(v []string) {
	for i := range v {
		v[i] = cleanField(v[i])
	}
}

// sanitize cleans every string of a Report (see cleanField): the fields
// reach SQL, logs, terminals, report mails and web pages.
func sanitize(rep *Report) {
	rep.ReportingMTA = strings.Clone(cleanField(rep.ReportingMTA))
	for i := range rep.Recipients {
		r := &rep.Recipients[i]
		detach(&r.FinalRecipient, &r.OriginalRecipient, &r.Action, &r.Status, &r.ReportedStatus,
			&r.ReplyCode, &r.Diagnostic, &r.DiagnosticType, &r.Command, &r.RemoteMTA, &r.FeedbackType)
	}
	if fb := rep.Feedback; fb != nil {
		detach(&fb.Type, &fb.UserAgent, &fb.Version, &fb.SourceIP, &fb.OriginalMailFrom,
			&fb.OriginalEnvelopeID, &fb.SourcePort, &fb.AuthFailure, &fb.DeliveryResult, &fb.DKIMDomain,
			&fb.DKIMIdentity, &fb.DKIMSelector, &fb.SPFDNS, &fb.IdentityAlignment)
		for _, v := range [][]string{fb.OriginalRcptTo, fb.ReportedDomains, fb.ReportedURIs, fb.AuthenticationResults} {
			cleanAll(v)
			for i := range v {
				v[i] = strings.Clone(v[i])
			}
		}
	}
	m := &rep.Message
	m.MessageID, m.From, m.Subject = cleanField(m.MessageID), cleanField(m.From), cleanField(m.Subject)
	cleanAll(m.To)
	cleanAll(m.DeliveredTo)
	o := &rep.Original
	for _, f := range []*string{&o.MessageID, &o.From, &o.To, &o.Subject, &o.ReturnPath} {
		*f = cleanField(*f)
	}
	for k, v := range o.Headers {
		o.Headers[k] = cleanField(v)
	}
	cleanAll(rep.Problems)
}

// detach cleans the strings (see cleanField) and copies them into one new
// allocation: the fields of a record are slices of the report part they
// were read from (up to 1 MiB), which must not stay alive with the Report.
func detach(fields ...*string) {
	n := 0
	for _, f := range fields {
		*f = cleanField(*f)
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fields {
		*f, all = all[:len(*f)], all[len(*f):]
	}
}
