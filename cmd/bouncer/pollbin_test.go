package main

import "os"

// bouncerBinDir is where the test binary of bouncer is built.
func bouncerBinDir() (string, error) { return os.MkdirTemp("", "bouncer-bin-") }
