package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

// sqliteStoreConfig writes a config whose state_dir is a new directory, extra
// YAML appended, and opens (creating) its SQLite store, closed when the
// test ends.
func sqliteStoreConfig(t *testing.T, extra string) (cfg string, s *suppression.Store) {
	t.Helper()
	dir := t.TempDir()
	cfg = writeFile(t, "bouncer.yaml", fmt.Sprintf("state_dir: %s\n%s", dir, extra))
	s, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(dir, "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return cfg, s
}
