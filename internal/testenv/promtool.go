package testenv

import (
	"os/exec"
	"testing"
)

// Promtool returns the path of promtool (Prometheus's metrics and rules
// checker, which scripts/test-servers installs from Debian's prometheus
// package). Missing fails the test on CI and skips it elsewhere.
func Promtool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		unavailable(t, "promtool not found in PATH")
	}
	return p
}
