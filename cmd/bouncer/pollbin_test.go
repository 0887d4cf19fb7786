package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// bouncerBinDir is where the test binary of bouncer is built: one fixed
// directory per checkout, so repeated runs replace the binary instead of
// leaving copies behind.
func bouncerBinDir() (string, error) {
	if d := os.Getenv("BOUNCER_TEST_BIN_DIR"); d != "" { // make test's, removed after the run
		return d, os.MkdirAll(d, 0o700)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(wd))
	dir := filepath.Join(os.TempDir(), "bouncer-test-bin-"+hex.EncodeToString(sum[:6]))
	return dir, os.MkdirAll(dir, 0o700)
}
