package mbox

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

// readMbox returns every message of an mbox file, each cut at max+1 bytes.
func readMbox(t testing.TB, data string, max int) ([]string, error) {
	t.Helper()
	mr := NewReader(strings.NewReader(data))
	var out []string
	for {
		msg, err := mr.Next(max)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(msg))
	}
}

func TestMboxReader(t *testing.T) {
	const pm = "From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n"
	for _, c := range []struct {
		name string
		in   string
		want []string
	}{
		{"one message", pm + "Subject: a\n\nbody\n", []string{"Subject: a\n\nbody\n"}},
		{"two messages, the empty line before the postmark dropped",
			pm + "Subject: a\n\nbody a\n\n" + pm + "Subject: b\n\nbody b\n",
			[]string{"Subject: a\n\nbody a\n", "Subject: b\n\nbody b\n"}},
		{"CRLF", strings.ReplaceAll(pm+"Subject: a\n\nx\n\n"+pm+"Subject: b\n\ny\n", "\n", "\r\n"),
			[]string{"Subject: a\r\n\r\nx\r\n", "Subject: b\r\n\r\ny\r\n"}},
		{"quoted From lines unquoted once",
			pm + "Subject: a\n\n>From here\n>>From there\n",
			[]string{"Subject: a\n\nFrom here\n>From there\n"}},
		{"a body line starting with From after an empty line, followed by prose, is no postmark",
			pm + "Subject: a\n\nFrom me 2 you\nwith love\n",
			[]string{"Subject: a\n\nFrom me 2 you\nwith love\n"}},
		{"From without a date is no postmark",
			pm + "Subject: a\n\nFrom the team\nSubject: not a header here\n",
			[]string{"Subject: a\n\nFrom the team\nSubject: not a header here\n"}},
		{"a postmark without an empty line before it is body",
			pm + "Subject: a\n\nx\n" + pm + "Subject: b\n",
			[]string{"Subject: a\n\nx\n" + pm + "Subject: b\n"}},
		{"a dated body line before a URL is no postmark",
			pm + "Subject: a\n\nbody\n\nFrom 1 July 2024 our terms change\nhttps://example.com/terms\n",
			[]string{"Subject: a\n\nbody\n\nFrom 1 July 2024 our terms change\nhttps://example.com/terms\n"}},
		{"a body line with a year but no time is no postmark",
			pm + "Subject: a\n\nbody\n\nFrom the desk of 2024 Ltd\nRe: your order\n",
			[]string{"Subject: a\n\nbody\n\nFrom the desk of 2024 Ltd\nRe: your order\n"}},
		{"a postmark quoted inside an open multipart body is the message's",
			pm + "Content-Type: multipart/report;\n boundary=\"R\"\n\n--R\n\nfailed\n--R\nContent-Type: message/rfc822\n\n" +
				pm + "Subject: original\n\nhi\n--R--\n\n" + pm + "Subject: b\n\ny\n",
			[]string{"Content-Type: multipart/report;\n boundary=\"R\"\n\n--R\n\nfailed\n--R\nContent-Type: message/rfc822\n\n" +
				pm + "Subject: original\n\nhi\n--R--\n", "Subject: b\n\ny\n"}},
		{"a line of spaces counts as empty", pm + "Subject: a\n\nx\n \n" + pm + "Subject: b\n\ny\n",
			[]string{"Subject: a\n\nx\n", "Subject: b\n\ny\n"}},
		{"no final newline", pm + "Subject: a\n\nx", []string{"Subject: a\n\nx"}},
		{"postmark only", pm, []string{""}},
		{"empty file", "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readMbox(t, c.in, dsn.DefaultMaxSize)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Errorf("messages = %q, want %q", got, c.want)
			}
		})
	}
}

func TestMboxReaderNotMbox(t *testing.T) {
	_, err := readMbox(t, "Subject: a\n\nbody\n", dsn.DefaultMaxSize)
	if err == nil || !strings.Contains(err.Error(), `does not open with a "From " line`) {
		t.Errorf("err = %v, want one naming the missing postmark", err)
	}
}

func TestMboxReaderCapsMessage(t *testing.T) {
	const pm = "From a@example.org Thu Apr 29 23:34:45 2015\n"
	big := "Subject: big\n\n" + strings.Repeat("x", 5000) + "\n"
	got, err := readMbox(t, pm+big+"\n"+pm+"Subject: small\n\ny\n", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != 101 || got[1] != "Subject: small\n\ny\n" {
		t.Fatalf("got %d messages, first %d bytes, second %q; want the first cut at 101 bytes and the second whole", len(got), len(got[0]), got[1])
	}
	// Parse with the same limit reports the first as too large.
	if _, err := dsn.ParseWithOptions(strings.NewReader(got[0]), &dsn.Options{MaxSize: 100}); !errors.Is(err, dsn.ErrTooLarge) {
		t.Errorf("Parse of the cut message: err = %v, want ErrTooLarge", err)
	}
}

func TestMboxReaderLongLine(t *testing.T) {
	const pm = "From a@example.org Thu Apr 29 23:34:45 2015\n"
	long := strings.Repeat("y", 200<<10)
	got, err := readMbox(t, pm+"Subject: a\n\n"+long+"\n\n"+pm+"Subject: b\n\nz\n", dsn.DefaultMaxSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "Subject: a\n\n"+long+"\n" {
		t.Fatalf("got %d messages, want 2 with the long line whole", len(got))
	}
}

func TestIsMbox(t *testing.T) {
	for in, want := range map[string]bool{
		"From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\nReceived: x\n": true,
		"From a@b Sat Jan  3 01:05:34 1996\r\nSubject: x\r\n":         true,
		"From: a@b\nSubject: x\n":                                     false,
		"From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\rSubject: x\r":  false, // CR line ends: read as one message
		"From nobody\n": false,
		"Received: x\n": false,
	} {
		if got := Is([]byte(in)); got != want {
			t.Errorf("Is(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzReader: any input ends in io.EOF or an error, never a panic or a
// message longer than the cap, and the messages never hold more bytes
// than the input.
func FuzzReader(f *testing.F) {
	f.Add([]byte("From a@b Thu Apr 29 23:34:45 2015\nSubject: a\n\n>From x\n\nFrom b@c Thu Apr 29 23:34:45 2015\nSubject: b\n"))
	f.Add([]byte("From a@b 1\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mr := NewReader(bytes.NewReader(data))
		total := 0
		for range len(data) + 2 {
			msg, err := mr.Next(64)
			if len(msg) > 65 {
				t.Fatalf("message of %d bytes, cap 65", len(msg))
			}
			total += len(msg)
			if err != nil {
				if total > len(data) {
					t.Fatalf("%d message bytes from %d input bytes", total, len(data))
				}
				return
			}
		}
		t.Fatalf("no io.EOF after %d messages from %d bytes", len(data)+2, len(data))
	})
}
