package main

import (
	"bytes"
	"testing"
)

// TestPollStreamHeaderOverIMAP: a bounce whose returned headers carry
// X-Bouncer-Stream, polled from Dovecot over IMAP (where small messages are
// parsed on the parse pool), is filed under that stream, as bouncer ingest
// and bouncer parse file it; it went to "default", so the stream's rates
// and alerts never saw its bounces.
func TestPollStreamHeaderOverIMAP(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	for i := range 3 {
		raw := bytes.Replace(syntheticBounce(i, 0), []byte("Subject: Newsletter\n"), []byte("Subject: Newsletter\nX-Bouncer-Stream: receipts\n"), 1)
		e.dovecot.DeliverMaildir(raw)
	}
	if out, err := runBouncer("poll", "--once", "--config", e.config); err != nil {
		t.Fatalf("poll --once: %v\n%s", err, out)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM bounce_events"); n != 3 {
		t.Fatalf("%d events recorded, want 3", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM bounce_events WHERE stream = 'receipts'"); n != 3 {
		t.Errorf("%d of 3 events under the stream receipts (the rest under default), want 3", n)
	}
}
