package poller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

func TestIngest(t *testing.T) {
	raw, err := os.ReadFile("testdata/hard.eml") // LF, as an MTA pipe gives it
	if err != nil {
		t.Fatal(err)
	}
	store := newFakeStore()
	sum, err := Ingest(context.Background(), bytes.NewReader(raw), "pipe", store, nil)
	if err != nil || sum.Fetched != 1 || sum.ByClass["hard"] != 1 {
		t.Fatalf("Ingest = %s, %v; want one hard event", sum, err)
	}
	// The same message over IMAP (CRLF) has the same key: recorded once.
	again, err := Ingest(context.Background(), bytes.NewReader(readCorpus(t, "hard")), "pipe", store, nil)
	if err != nil || again.Duplicates != 1 {
		t.Errorf("Ingest of the CRLF form = %s, %v; want a duplicate", again, err)
	}
	if _, err := Ingest(context.Background(), strings.NewReader(""), "pipe", store, nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("Ingest(empty) = %v, want ErrEmpty", err)
	}
	store.err = errors.New("database down")
	if _, err := Ingest(context.Background(), bytes.NewReader(raw), "pipe", store, nil); !errors.Is(err, store.err) {
		t.Errorf("Ingest with the store down = %v, want %v", err, store.err)
	}
}

// TestVerifierGetsThePassContext: the Verifier's look-ups (reference tokens
// resolved in the store) run under the pass's context, on every path a
// message is parsed: the parse pool (IMAP), inline (POP3-like streams) and
// the MTA pipe.
func TestVerifierGetsThePassContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "pass")
	var calls, wrong atomic.Int64
	opts := &Options{Verifier: func(c context.Context, _ *dsn.Report, _ []byte) (bool, string) {
		calls.Add(1)
		if c.Value(key{}) != "pass" {
			wrong.Add(1)
		}
		return false, ""
	}}
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	if _, err := Poll(ctx, s.mailbox("main"), newFakeStore(), opts); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	raw, err := os.ReadFile("testdata/hard.eml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ingest(ctx, bytes.NewReader(raw), "pipe", newFakeStore(), opts); err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if calls.Load() < 2 || wrong.Load() != 0 {
		t.Errorf("verifier called %d times, %d without the pass's context", calls.Load(), wrong.Load())
	}
}

// TestTransientStoreErrorQuarantinesNothing: when the database blips (a
// connection reset) on a batch and is back a moment later, no valid report
// is set aside as quarantined: the pass fails, nothing leaves the mailbox,
// and the next pass records every message as the report it is.
func TestTransientStoreErrorQuarantinesNothing(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	// The batch and then its first message alone fail; the quarantine of
	// that message would succeed.
	store.err, store.failFirst, store.recovers = fmt.Errorf("write tcp: %w", syscall.ECONNRESET), 2, true
	if _, err := Poll(context.Background(), s.mailbox("main"), store, nil); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("Poll error = %v, want the connection reset", err)
	}
	if len(store.ledger) != 0 || len(s.folder(t, "INBOX")) != len(corpus) {
		t.Fatalf("after the blip: ledger %d, INBOX %d; want 0 and %d untouched", len(store.ledger), len(s.folder(t, "INBOX")), len(corpus))
	}
	store.failFirst = 0 // the database is back
	sum, err := Poll(context.Background(), s.mailbox("main"), store, nil)
	if err != nil {
		t.Fatalf("second Poll: %v", err)
	}
	for key, m := range store.ledger {
		if strings.HasPrefix(m.ParseError, "refused by the store") {
			t.Errorf("message %s quarantined after a transient error: %s", key, m.ParseError)
		}
	}
	if sum.Fetched != len(corpus) || sum.Unparsed != 0 {
		t.Errorf("second pass: fetched %d, unparsed %d; want %d, 0", sum.Fetched, sum.Unparsed, len(corpus))
	}
}
