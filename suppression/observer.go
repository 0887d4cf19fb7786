package suppression

import "time"

// Observer is told what the store did, for the process's metrics: the
// store keeps no metrics of its own (internal/storemetrics implements
// Observer for Prometheus). Its methods must be quick and must not call
// the store. Options.Observer nil observes nothing.
type Observer interface {
	// Recorded follows every Record call that ran its transaction.
	Recorded(RecordObservation)
	// Suppressed follows an address suppressed by hand (API, CLI), with
	// its source.
	Suppressed(source string)
	// Lifted follows a suppression lifted by hand, with the source it had.
	Lifted(source string)
}

// RecordObservation is what one Record call did.
type RecordObservation struct {
	Messages  int           // the batch handed to Record
	Took      time.Duration // its transaction, committed or not
	Committed bool
	// Result, Events and NewlyBySource are set when Committed: the
	// call's result, the recipient events written, and the addresses
	// newly suppressed by source.
	Result        Result
	Events        []Event
	NewlyBySource map[string]int
}

// noObserver is the Observer of a store opened without one.
type noObserver struct{}

func (noObserver) Recorded(RecordObservation) {}
func (noObserver) Suppressed(string)          {}
func (noObserver) Lifted(string)              {}

// observer returns the store's Observer, never nil.
func (s *Store) observer() Observer {
	if s.opts.Observer == nil {
		return noObserver{}
	}
	return s.opts.Observer
}
