package poller

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
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
