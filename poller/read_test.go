package poller

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

func TestCRLFReader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\r\nb\r\n", "a\r\nb\r\n"},
		{"\n\n", "\r\n\r\n"},
		{"a\rb", "a\r\nb"},
		{"a\rb\r", "a\r\nb\r\n"},
		{"\r\r\n\n\r", "\r\n\r\n\r\n\r\n"},
		{"", ""},
	}
	for _, tt := range tests {
		for _, name := range []string{"whole", "one byte"} {
			var c crlfReader
			c.reset(strings.NewReader(tt.in), nil)
			var got []byte
			var err error
			if name == "whole" {
				got, err = io.ReadAll(&c)
			} else {
				got, err = io.ReadAll(iotest.OneByteReader(&c))
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("crlf(%q) %s = %q, %v; want %q", tt.in, name, got, err, tt.want)
			}
		}
	}
}

func TestHeaderSummary(t *testing.T) {
	prefix := []byte("From: =?UTF-8?B?w4lsaWU=?= <e@example.com>\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\n\r\nbody")
	subject, from := headerSummary(prefix)
	if subject != "café" || from != "Élie <e@example.com>" {
		t.Errorf("headerSummary = %q, %q; want %q, %q", subject, from, "café", "Élie <e@example.com>")
	}
	if got := string(headerBlock([]byte("A: b\n\nbody"))); got != "A: b\n\n" {
		t.Errorf("headerBlock = %q, want %q", got, "A: b\n\n")
	}
}

func TestReadKeyIgnoresLineEndings(t *testing.T) {
	raw := readCorpus(t, "hard")
	lf := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	rd := &reader{mailbox: "m"}
	a, err := rd.read(bytes.NewReader(raw), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rd.read(bytes.NewReader(lf), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Key != b.Key || a.Report == nil || len(a.Report.Recipients) != 1 {
		t.Errorf("keys %s (CRLF) and %s (LF), report %v; want equal keys and one recipient", a.Key, b.Key, a.Report)
	}
}

// TestReadBrokenStream: a connection that fails mid-message is an error,
// never a message recorded as unparseable.
func TestReadBrokenStream(t *testing.T) {
	raw := readCorpus(t, "hard")
	cut := io.MultiReader(bytes.NewReader(raw[:200]), iotest.ErrReader(io.ErrUnexpectedEOF))
	rd := &reader{mailbox: "m"}
	if _, err := rd.read(cut, time.Time{}); !errors.Is(err, ErrRead) {
		t.Errorf("read of a cut stream = %v, want ErrRead", err)
	}
}

// TestReadLargeMessage: a message over the parser's cap keeps its report,
// and its key covers every byte.
func TestReadLargeMessage(t *testing.T) {
	raw := readCorpus(t, "hard")
	big := append(append([]byte{}, raw...), bytes.Repeat([]byte("x"), 1<<20)...)
	rd := &reader{mailbox: "m", parse: &dsn.Options{MaxSize: int64(len(raw) + 10)}}
	msg, err := rd.read(bytes.NewReader(big), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	small, _ := (&reader{mailbox: "m"}).read(bytes.NewReader(raw), time.Time{})
	if msg.Report == nil || msg.ParseError != "" || msg.Key == small.Key {
		t.Errorf("large message: report %v, parse error %q, key equal to the prefix's %v; want a report, no error, a distinct key",
			msg.Report != nil, msg.ParseError, msg.Key == small.Key)
	}
}

func TestReadUnparseableKeepsSubject(t *testing.T) {
	long := "Subject: huge\r\nFrom: x@example.com\r\n" + strings.Repeat("X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 50000) + "\r\nbody\r\n"
	rd := &reader{mailbox: "m"}
	msg, err := rd.read(strings.NewReader(long), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Report != nil || msg.ParseError == "" || msg.Subject != "huge" || msg.From != "x@example.com" {
		t.Errorf("unparseable: report %v, error %q, subject %q, from %q; want nil, an error, huge, x@example.com",
			msg.Report, msg.ParseError, msg.Subject, msg.From)
	}
}

func TestXOAUTH2(t *testing.T) {
	c := newXOAUTH2Client("u@example.com", "tok")
	mech, ir, err := c.Start()
	if mech != "XOAUTH2" || string(ir) != "user=u@example.com\x01auth=Bearer tok\x01\x01" || err != nil {
		t.Errorf("Start = %q, %q, %v", mech, ir, err)
	}
	// 0x01, not an empty response: go-imap and our POP3 client send an empty
	// one as "=", which Dovecot refuses as invalid base64 (TestDovecotXOAUTH2).
	if resp, err := c.Next([]byte(`{"status":"401"}`)); err != nil || string(resp) != "\x01" {
		t.Errorf("Next(error challenge) = %q, %v; want \"\\x01\"", resp, err)
	}
	if _, err := c.Next([]byte("again")); !errors.Is(err, ErrXOAUTH2) {
		t.Errorf("second Next = %v, want ErrXOAUTH2", err)
	}
}

func TestValidate(t *testing.T) {
	mb := Mailbox{Name: "x", Protocol: "smtp", After: "archive", Auth: AuthXOAUTH2}.withDefaults()
	err := mb.validate()
	for _, want := range []string{"protocol", "host", "after", "xoauth2 needs"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validate() = %v, want it to name %q", err, want)
		}
	}
	// A password in clear text only to this machine.
	for host, ok := range map[string]bool{"mail.example.com": false, "192.0.2.1": false, "127.0.0.1": true, "::1": true, "localhost": true} {
		mb := Mailbox{Name: "x", Protocol: ProtocolIMAP, Host: host, TLS: TLSNone}.withDefaults()
		if err := mb.validate(); (err == nil) != ok {
			t.Errorf("tls none to %s: validate() = %v, want accepted %v", host, err, ok)
		}
	}
}

// TestReadBytesMatchesRead: a message held whole gives the Message its
// stream gives, whatever its line endings.
func TestReadBytesMatchesRead(t *testing.T) {
	verifier := func(_ context.Context, _ *dsn.Report, header []byte) (bool, string) {
		return len(header) > 0, string(header[:4])
	}
	for _, name := range corpus {
		crlf := readCorpus(t, name)
		lf := bytes.ReplaceAll(crlf, []byte("\r\n"), []byte("\n"))
		mixed := append(slices.Clone(crlf), "bare\nend\r\n"...)
		for form, raw := range map[string][]byte{"crlf": crlf, "lf": lf, "mixed": mixed} {
			rd := &reader{mailbox: "m", verifier: verifier}
			want, err := rd.read(bytes.NewReader(raw), arrival)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rd.readBytes(raw, arrival)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: readBytes = %+v, %v; want %+v", name, form, got, err, want)
			}
		}
	}
}

func TestHasBareLF(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false}, {"a\r\nb\r\n", false}, {"a\r\nb", false}, {"\n", true},
		{"a\nb", true}, {"a\r\nb\n", true}, {"a\r\r\n", false}, {"\r\n\n", true},
	}
	for _, tt := range tests {
		if got := hasBareLF([]byte(tt.in)); got != tt.want {
			t.Errorf("hasBareLF(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// BenchmarkRead: hashing and parsing one corpus bounce, streamed (a
// message too large to buffer, POP3, the pipe) or held whole (IMAP).
func BenchmarkRead(b *testing.B) {
	raw := readCorpus(b, "hard")
	rd := &reader{mailbox: "m"}
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := rd.read(bytes.NewReader(raw), arrival); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := rd.readBytes(raw, arrival); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A message delivered with CR-only line endings and the same message
// with CRLF have one key, so the second copy is a duplicate; and a copy
// recorded by an older bouncer, whose key kept the bare CRs, is still
// known: its LegacyKey matches, so nothing counts twice after an upgrade.
func TestReadBareCRKey(t *testing.T) {
	crlf := readCorpus(t, "soft")
	cr := bytes.ReplaceAll(crlf, []byte("\r\n"), []byte("\r"))
	rd := &reader{mailbox: "m"}
	a, err := rd.readBytes(crlf, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rd.readBytes(cr, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Key != b.Key || a.LegacyKey != "" {
		t.Fatalf("keys of the CRLF and CR-only copies: %s and %s (legacy %q); want one key, no legacy key for CRLF", a.Key, b.Key, a.LegacyKey)
	}
	old := sha256.Sum256(cr) // what bouncer keyed a CR-only message by before
	if b.LegacyKey != hex.EncodeToString(old[:]) {
		t.Errorf("LegacyKey = %s, want the SHA-256 of the bytes as they came", b.LegacyKey)
	}
	store := sqliteStore(t)
	ctx := context.Background()
	now := time.Now()
	older := b
	older.Key, older.LegacyKey = b.LegacyKey, ""
	if res, err := store.Record(ctx, []suppression.Message{older}, now); err != nil || res.Events != 1 {
		t.Fatalf("Record(as an older bouncer did) = %+v, %v; want 1 event", res, err)
	}
	res, err := store.Record(ctx, []suppression.Message{b, a}, now)
	if err != nil || res.Events != 0 || res.Duplicates != 2 {
		t.Errorf("Record(CR-only and CRLF copies after the upgrade) = events %d, duplicates %d, %v; want 0, 2", res.Events, res.Duplicates, err)
	}
}
