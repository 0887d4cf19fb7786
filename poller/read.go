package poller

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// HeaderPrefix is how many leading bytes of each message are kept while it
// streams: enough for the header block handed to the Verifier and for the
// Subject and From of a message that cannot be parsed.
const HeaderPrefix = 64 << 10

// ErrRead reports that a message could not be read from the server; it is
// never mistaken for a message that could not be parsed.
var ErrRead = errors.New("poller: read message")

// fetched is one message read from the server, with what disposing of it needs.
type fetched struct {
	uid  uint32    // IMAP UID
	uidl string    // POP3 UIDL
	num  int       // POP3 message number
	date time.Time // IMAP INTERNALDATE; zero when unknown
	msg  inbound.Message
	err  error // a read error met by a parse-pool worker
	held bool  // the store recorded nothing for it (inbound.Result.HeldKeys)
}

// failed reports whether the message goes to the failed folder (IMAP) or
// stays on the server (POP3), left for a person: it could not be parsed,
// is not a report, or the store recorded nothing for it (no record named
// a usable recipient). Before the store answers, only the parse decides.
func (f *fetched) failed() bool {
	return f.held || f.msg.Report == nil || f.msg.Report.Type == dsn.TypeOther
}

// reader turns a message stream into a inbound.Message.
type reader struct {
	ctx      context.Context // the pass's: the Verifier may look up the store
	mailbox  string
	parse    *dsn.Options
	verifier Verifier
	stream   func(context.Context, *dsn.Report) string
	prefix   []byte     // reused between messages
	crlf     crlfReader // reused between messages
	legacy   hash.Hash  // the LegacyKey's hash, reused between messages
}

// read hashes and parses r as it streams, holding no more than the parser
// keeps plus HeaderPrefix bytes. Bare LFs and bare CRs become CRLF first,
// so the key is that of the message's wire form; a message that had bare
// CRs also gets the key it had before they were normalised (LegacyKey). It consumes r to its end, so the key covers
// every byte even when the parser stops early. A read error from r is
// returned wrapped in ErrRead; a parse error is kept in the Message.
func (rd *reader) read(r io.Reader, receivedAt time.Time) (inbound.Message, error) {
	src := &errTrap{r: r}
	h := sha256.New()
	rd.prefix = rd.prefix[:0]
	pw := &prefixWriter{buf: &rd.prefix, limit: HeaderPrefix}
	if rd.legacy == nil {
		rd.legacy = sha256.New()
	}
	rd.legacy.Reset()
	rd.crlf.reset(src, rd.legacy)
	tee := io.TeeReader(&rd.crlf, io.MultiWriter(h, pw))

	report, perr := parse(tee, rd.parse)
	if _, err := io.Copy(io.Discard, tee); err != nil && src.err == nil {
		src.err = err
	}
	if src.err != nil {
		return inbound.Message{}, fmt.Errorf("%w: %w", ErrRead, src.err)
	}
	m := rd.message(h.Sum(nil), receivedAt, report, perr, rd.prefix)
	if rd.crlf.sawCR {
		m.LegacyKey = hex.EncodeToString(rd.legacy.Sum(nil))
	}
	return m, nil
}

// readBytes is read for a message held whole. One with CRLF line endings
// only (what IMAP sends) is hashed and parsed where it lies: no line-ending
// pass, no copy of its first HeaderPrefix bytes, and the parser sizes its
// input from the reader's length instead of growing a buffer.
func (rd *reader) readBytes(raw []byte, receivedAt time.Time) (inbound.Message, error) {
	// Without bare LFs every LF ends a CRLF, so a bare CR is a CR more.
	if hasBareLF(raw) || bytes.Count(raw, []byte{'\r'}) != bytes.Count(raw, []byte{'\n'}) {
		return rd.read(bytes.NewReader(raw), receivedAt)
	}
	sum := sha256.Sum256(raw)
	report, perr := parse(bytes.NewReader(raw), rd.parse)
	return rd.message(sum[:], receivedAt, report, perr, raw[:min(len(raw), HeaderPrefix)]), nil
}

// hasBareLF reports whether b holds an LF not preceded by CR.
func hasBareLF(b []byte) bool {
	for i := bytes.IndexByte(b, '\n'); i >= 0; {
		if i == 0 || b[i-1] != '\r' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\n')
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

// message builds the Message of a read with content hash sum, from the
// parser's outcome and the message's first bytes (prefix).
func (rd *reader) message(sum []byte, receivedAt time.Time, report *dsn.Report, perr error, prefix []byte) inbound.Message {
	msg := inbound.Message{
		Key:        hex.EncodeToString(sum),
		Mailbox:    rd.mailbox,
		ReceivedAt: receivedAt,
		Report:     report,
	}
	if errors.Is(perr, dsn.ErrTooLarge) && report != nil {
		perr = nil // the report of the first MaxSize bytes stands; dsn notes the cut in Problems
	}
	if perr != nil || report == nil {
		msg.Report = nil
		msg.ParseError = parseErrorText(perr)
		msg.Subject, msg.From = headerSummary(prefix)
	}
	if rd.verifier != nil && msg.Report != nil {
		msg.Verified, msg.VerifiedRecipient = rd.verifier(cmp.Or(rd.ctx, context.Background()), msg.Report, headerBlock(prefix))
	}
	if rd.stream != nil && msg.Report != nil {
		msg.Stream = rd.stream(cmp.Or(rd.ctx, context.Background()), msg.Report)
	}
	return msg
}

func parseErrorText(err error) string {
	if err == nil {
		return "no report"
	}
	return err.Error()
}

// errTrap remembers the first error of its reader other than io.EOF, so a
// broken connection is told apart from a malformed message.
type errTrap struct {
	r   io.Reader
	err error
}

func (t *errTrap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// prefixWriter keeps the first limit bytes written to it.
type prefixWriter struct {
	buf   *[]byte
	limit int
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	if room := w.limit - len(*w.buf); room > 0 {
		*w.buf = append(*w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// headerBlock returns the header block at the start of prefix, up to and
// including the blank line, or all of prefix when it holds no blank line.
func headerBlock(prefix []byte) []byte {
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(prefix, sep); i >= 0 {
			return prefix[:i+len(sep)]
		}
	}
	return prefix
}

// headerSummary returns the decoded Subject and From of a header block, or
// empty strings where they cannot be read.
func headerSummary(prefix []byte) (subject, from string) {
	block := headerBlock(prefix)
	if !bytes.HasSuffix(block, []byte("\n\n")) && !bytes.HasSuffix(block, []byte("\r\n\r\n")) {
		block = append(append([]byte(nil), block...), "\r\n\r\n"...)
	}
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(block)))
	if err != nil {
		return "", ""
	}
	h := mail.Header{Header: message.Header{Header: th}}
	return decodedField(h, "Subject"), decodedField(h, "From")
}

// decodedField is the field's value with encoded words decoded, else raw.
func decodedField(h mail.Header, key string) string {
	v, err := h.Text(key)
	if err != nil {
		return h.Get(key)
	}
	return v
}
