package verp

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseKeyRing(t *testing.T) {
	const file = "# bouncer VERP keys: the first signs\n\n  new-key-0123456789abcdef  \n# retired 2026-01\nold-key-0123456789abcdef\r\n"
	k, err := ParseKeyRing(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() != 2 || string(k.keys[0]) != "new-key-0123456789abcdef" || string(k.keys[1]) != "old-key-0123456789abcdef" {
		t.Errorf("ParseKeyRing = %q, want the two trimmed keys in order", k.keys)
	}
	for _, bad := range []string{"", "# only a comment\n\n", "short\n"} {
		if _, err := ParseKeyRing(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseKeyRing(%q) = nil error", bad)
		}
	}
}

func TestKeysNeverPrinted(t *testing.T) {
	const secret = "super-secret-key-material-42"
	path := filepath.Join(t.TempDir(), "verp.keys")
	if err := os.WriteFile(path, []byte(secret+"\nshort-"+secret[:3]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKeyRing(path)
	if !errors.Is(err, ErrShortKey) || strings.Contains(err.Error(), secret[:6]) {
		t.Errorf("LoadKeyRing error = %v, want ErrShortKey without key material", err)
	}
	k := ring(t, []byte(secret))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "keys", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%#v %+v %x %q %d", k, k, k, k, k), buf.String()} {
		if strings.Contains(s, secret) || strings.Contains(s, fmt.Sprintf("%x", secret)) {
			t.Errorf("key material printed: %s", s)
		}
	}
}
