package notify

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// Envelope addresses one outgoing message.
type Envelope struct {
	From      string    // "bouncer@example.com" or "Bouncer <bouncer@example.com>"
	To        []string  // same forms as From
	MessageID string    // without angle brackets; see NewMessageID
	Date      time.Time // the Date header
}

// NewMessageID returns a unique Message-ID (without angle brackets) under
// domain, the part of the From address after the "@" when empty.
func NewMessageID(kind, domain string) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return fmt.Sprintf("bouncer.%s.%s@%s", kind, hex.EncodeToString(b[:]), domain)
}

// domainOf returns the domain of the address in from, "localhost" when none.
func domainOf(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "localhost"
	}
	_, d, ok := strings.Cut(a.Address, "@")
	if !ok || d == "" {
		return "localhost"
	}
	return d
}

// header builds the top-level header shared by reports and alerts.
func (e Envelope) header(subject string) (gomail.Header, error) {
	var h gomail.Header
	from, err := mail.ParseAddress(e.From)
	if err != nil {
		return h, fmt.Errorf("notify: from %q: %w", e.From, err)
	}
	h.SetAddressList("From", []*gomail.Address{(*gomail.Address)(from)})
	if len(e.To) > 0 { // none in a preview
		to, err := mail.ParseAddressList(strings.Join(e.To, ", "))
		if err != nil {
			return h, fmt.Errorf("notify: to %q: %w", e.To, err)
		}
		rcpts := make([]*gomail.Address, 0, len(to))
		for _, a := range to {
			rcpts = append(rcpts, (*gomail.Address)(a))
		}
		h.SetAddressList("To", rcpts)
	}
	h.SetDate(e.Date)
	h.SetMessageID(e.MessageID)
	h.SetSubject(subject)
	// RFC 3834: an automatic message; autoresponders must not answer it.
	h.Set("Auto-Submitted", "auto-generated")
	return h, nil
}

// Recipients returns the bare addresses of e.To, for the SMTP envelope.
func (e Envelope) Recipients() ([]string, error) {
	list, err := mail.ParseAddressList(strings.Join(e.To, ", "))
	if err != nil {
		return nil, fmt.Errorf("notify: to %q: %w", e.To, err)
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Address)
	}
	return out, nil
}

// Sender returns the bare address of e.From, for the SMTP envelope.
func (e Envelope) Sender() (string, error) {
	a, err := mail.ParseAddress(e.From)
	if err != nil {
		return "", fmt.Errorf("notify: from %q: %w", e.From, err)
	}
	return a.Address, nil
}

// ComposeReport writes r as a MIME message to w: multipart/mixed holding a
// multipart/alternative (text/plain, text/html) and, when any address was
// newly suppressed, the full list as a CSV attachment.
func (t *Templates) ComposeReport(w io.Writer, r *Report, env Envelope) error {
	subject, err := t.Subject(r)
	if err != nil {
		return err
	}
	text, err := t.Text(r)
	if err != nil {
		return err
	}
	html, err := t.HTML(r)
	if err != nil {
		return err
	}
	h, err := env.header(subject)
	if err != nil {
		return err
	}
	h.Set("X-Bouncer-Report-Date", r.Date())
	mw, err := gomail.CreateWriter(w, h)
	if err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	if err := writeAlternative(mw, text, html); err != nil {
		return err
	}
	if len(r.NewlySuppressed) > 0 {
		if err := writeCSVPart(mw, r); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	return nil
}

func writeAlternative(mw *gomail.Writer, text, html string) error {
	aw, err := mw.CreateInline()
	if err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	for _, p := range []struct{ ctype, body string }{{"text/plain", text}, {"text/html", html}} {
		var ph gomail.InlineHeader
		ph.SetContentType(p.ctype, map[string]string{"charset": "utf-8"})
		if err := writePart(func() (io.WriteCloser, error) { return aw.CreatePart(ph) }, p.body); err != nil {
			return err
		}
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	return nil
}

func writeCSVPart(mw *gomail.Writer, r *Report) error {
	var ah gomail.AttachmentHeader
	ah.SetContentType("text/csv", map[string]string{"charset": "utf-8"})
	ah.SetFilename("newly-suppressed-" + r.Date() + ".csv")
	pw, err := mw.CreateAttachment(ah)
	if err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	if err := WriteCSV(pw, r.NewlySuppressed); err != nil {
		pw.Close()
		return err
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	return nil
}

// writePart opens a part, writes body to it and closes it.
func writePart(open func() (io.WriteCloser, error), body string) error {
	pw, err := open()
	if err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	if _, err := io.WriteString(pw, body); err != nil {
		pw.Close()
		return fmt.Errorf("notify: compose: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("notify: compose: %w", err)
	}
	return nil
}

// composeText writes a single text/plain message (alerts).
func composeText(w io.Writer, env Envelope, subject, body string) error {
	h, err := env.header(subject)
	if err != nil {
		return err
	}
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	return writePart(func() (io.WriteCloser, error) { return gomail.CreateSingleInlineWriter(w, h) }, body)
}
