package main

import (
	"os"
	"runtime/debug"
)

// The garbage collector of a polling process (poll, run). A pass keeps
// little alive (a few MB: the batches in flight and the buffered bodies)
// but allocates tens of KB per message, so with Go's default (GOGC=100)
// it collects every few MB: about a third of bouncer's CPU per message.
// Letting the heap grow to nine times what is alive, within a soft limit
// on all of Go's memory, cuts bouncer's CPU per message by 35-40%
// (20,000-message pass: 38-42 -> 24-26 µs) for a peak RSS near the limit
// instead of ~40 MB, still well under the 150 MB target. Each mailbox
// polled at the same time may hold up to 32 MB of bodies waiting for a
// parser (poller's buffer budget), so the limit grows by that much per
// mailbox beyond the first: below what is alive, the collector would run
// without pause.
const (
	pollGCPercent        = 800
	pollMemoryLimit      = 64 << 20
	pollMemoryPerMailbox = 32 << 20
)

// memoryLimit is the soft limit for a process polling mailboxes mailboxes.
func memoryLimit(mailboxes int) int64 {
	return pollMemoryLimit + int64(max(mailboxes-1, 0))*pollMemoryPerMailbox
}

// tuneGC applies the settings above unless the environment sets GOGC or
// GOMEMLIMIT, which then keep their usual meaning.
func tuneGC(mailboxes int) {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(pollGCPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit(mailboxes))
	}
}
