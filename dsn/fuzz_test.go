package dsn

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse, seeded with the corpus: it
// must never panic, and must return a Report unless it returns an error.
func FuzzParse(f *testing.F) {
	for _, path := range corpusFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	opts := &Options{MaxSize: 1 << 20, Headers: []string{"X-Campaign"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ParseWithOptions(bytes.NewReader(data), opts)
		if err != nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrHeaderTooLong) {
			t.Fatalf("unexpected error %v", err)
		}
		if err == nil && rep == nil {
			t.Fatal("nil Report without an error")
		}
		if rep != nil {
			for _, r := range rep.Recipients {
				if r.Class == "" || r.Reason == "" {
					t.Fatalf("record %+v not classified", r)
				}
			}
		}
	})
}
