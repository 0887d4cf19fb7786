package main

import (
	"context"
	"time"
)

// shutdownGrace is how long the batch in hand may take to finish after
// SIGTERM before it is cancelled (rolled back, nothing disposed of).
const shutdownGrace = 5 * time.Second

// twoStep splits a signal context into the two steps of a shutdown: soft
// (the signal context itself) says "take no more work", and the returned
// hard context is cancelled grace after it, aborting what is in flight.
func twoStep(soft context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	hard, abort := context.WithCancel(context.WithoutCancel(soft))
	stop := context.AfterFunc(soft, func() {
		t := time.AfterFunc(grace, abort)
		context.AfterFunc(hard, func() { t.Stop() })
	})
	return hard, func() { stop(); abort() }
}
