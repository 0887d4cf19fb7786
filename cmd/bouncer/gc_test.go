package main

import "testing"

// The soft memory limit leaves room for every mailbox's parse buffers, so
// the collector of a daemon polling several mailboxes at once never runs
// with the limit below what is alive.
func TestMemoryLimitPerMailbox(t *testing.T) {
	for _, tt := range []struct {
		mailboxes int
		want      int64
	}{{0, 64 << 20}, {1, 64 << 20}, {2, 96 << 20}, {4, 160 << 20}} {
		if got := memoryLimit(tt.mailboxes); got != tt.want {
			t.Errorf("memoryLimit(%d) = %d MiB, want %d MiB", tt.mailboxes, got>>20, tt.want>>20)
		}
	}
}
