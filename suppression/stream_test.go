package suppression

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

// withReturned adds the returned message's headers (Message-ID and, when
// stream is set, X-Bouncer-Stream) to a rawBounce.
func withReturned(raw, msgID, stream string) string {
	hdr := "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + msgID + "\r\nFrom: app@example.com\r\n"
	if stream != "" {
		hdr += "X-Bouncer-Stream: " + stream + "\r\n"
	}
	return strings.Replace(raw, "--B--\r\n", hdr+"\r\n--B--\r\n", 1)
}

// recordStream parses raw as the poller does (asking for the stream
// header), attributes it to its stream and records it.
func recordStream(t *testing.T, s *Store, v *verp.Verifier, raw string) {
	t.Helper()
	rep, err := dsn.ParseWithOptions(strings.NewReader(raw), &dsn.Options{Headers: []string{verp.DefaultStreamHeader}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(raw))
	m := Message{Key: hex.EncodeToString(sum[:]), Mailbox: "main", ReceivedAt: t0, Report: rep}
	m.Verified, m.VerifiedRecipient = v.PollerFunc()(context.Background(), rep, nil)
	m.Stream = v.Stream(context.Background(), rep, verp.DefaultStreamHeader)
	if _, err := s.Record(context.Background(), []Message{m}, t0); err != nil {
		t.Fatal(err)
	}
}

// Each event is stored with its stream: the signed one first, then the
// returned message's header, else "default"; History returns it.
func TestRecordStream(t *testing.T) {
	keys := ringOf(t, trustNewKey)
	codec := verp.Codec{Keys: keys}
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		v := &verp.Verifier{Codec: codec, Mailboxes: []string{"bounces@example.com"}, Refs: s}
		signed, err := codec.SignStream("bounces@example.com", "al@example.com", "receipts")
		if err != nil {
			t.Fatal(err)
		}
		recordStream(t, s, v, withReturned(rawBounce(signed.Address, "al@example.com"), "<1@app>", "newsletter"))
		recordStream(t, s, v, withReturned(rawBounce("bounces@example.com", "bo@example.com"), "<2@app>", "newsletter"))
		recordStream(t, s, v, withReturned(rawBounce("bounces@example.com", "cy@example.com"), "<3@app>", ""))
		want := map[string]string{"al@example.com": "receipts", "bo@example.com": "newsletter", "cy@example.com": "default"}
		for rcpt, stream := range want {
			var got []string
			if err := s.rdb.SelectContext(context.Background(), &got, s.q(`SELECT stream FROM bounce_events WHERE recipient = ?`), rcpt); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != stream {
				t.Errorf("%s: streams %q, want [%q]", rcpt, got, stream)
			}
		}
	})
}
