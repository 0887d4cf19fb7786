package verp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// MinKeyLen is the shortest key accepted, in bytes.
const MinKeyLen = 16

// ErrNoKeys is returned when a key file holds no key.
var ErrNoKeys = errors.New("verp: no key in secret file")

// ErrShortKey is returned for a key shorter than MinKeyLen bytes.
var ErrShortKey = errors.New("verp: key too short")

// KeyRing holds the HMAC keys: the first signs, every one verifies, so a key
// can be rotated by adding a new first line and removing the old key once no
// bounce can still arrive for it. Formatting a KeyRing (fmt or slog) shows only
// how many keys it holds.
type KeyRing struct {
	keys [][]byte
}

// NewKeyRing returns a ring of copies of keys; keys[0] signs.
func NewKeyRing(keys ...[]byte) (*KeyRing, error) {
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	k := &KeyRing{keys: make([][]byte, 0, len(keys))}
	for i, key := range keys {
		if len(key) < MinKeyLen {
			return nil, fmt.Errorf("%w: key %d has %d bytes, want at least %d", ErrShortKey, i+1, len(key), MinKeyLen)
		}
		k.keys = append(k.keys, append([]byte(nil), key...))
	}
	return k, nil
}

// LoadKeyRing reads the key file at path (see ParseKeyRing).
func LoadKeyRing(path string) (*KeyRing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("verp: secret file: %w", err)
	}
	defer f.Close()
	k, err := ParseKeyRing(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ParseKeyRing reads one key per line: each line is trimmed of surrounding
// white space and its bytes are the key; blank lines and lines starting with
// '#' are skipped. The first key signs. Errors name line numbers, never key
// material.
func ParseKeyRing(r io.Reader) (*KeyRing, error) {
	sc := bufio.NewScanner(r)
	var keys [][]byte
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < MinKeyLen {
			return nil, fmt.Errorf("%w: line %d has %d bytes, want at least %d", ErrShortKey, n, len(line), MinKeyLen)
		}
		keys = append(keys, []byte(line))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("verp: read secret file: %w", err)
	}
	return NewKeyRing(keys...)
}

// Len returns the number of keys.
func (k *KeyRing) Len() int {
	if k == nil {
		return 0
	}
	return len(k.keys)
}

// String describes the ring without its keys.
func (k *KeyRing) String() string { return fmt.Sprintf("verp.KeyRing(%d keys)", k.Len()) }

// Format prints the same as String for every verb, so %#v or %x cannot leak keys.
func (k *KeyRing) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// LogValue keeps keys out of structured logs.
func (k *KeyRing) LogValue() slog.Value { return slog.IntValue(k.Len()) }
