package storemetrics

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/metrics"
	"github.com/bouncer-mail/bouncer/suppression"
)

// Receiver labels are bounded: only the MaxReceivers recipient domains
// with the most failure events over ReceiverWindow get a label of their
// own; every other domain counts as OtherReceiver. The set is chosen from
// the database by Refresh (at most every receiverRefresh), so it is
// the same on every replica and survives restarts.
const (
	MaxReceivers   = 20
	ReceiverWindow = 24 * time.Hour
	OtherReceiver  = "other"

	receiverRefresh = 10 * time.Minute
)

// receiverBounces is bouncer_receiver_bounces_total.
var receiverBounces = metrics.NewCounterVec("bouncer_receiver_bounces_total",
	"Failure events (hard, soft, block) by recipient domain, for the top domains by failures over the last day (others: receiver=\"other\"), and class.",
	"receiver", "class")

// receiverClasses are the classes bouncer_receiver_bounces_total counts.
var receiverClasses = []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock}

// receivers is the set of domains with a label of their own.
var receivers = &receiverSet{top: map[string]bool{}}

type receiverSet struct {
	mu      sync.RWMutex
	top     map[string]bool
	checked time.Time // when the set was last chosen
}

// count adds the failure events of evs.
func (r *receiverSet) count(evs []suppression.Event) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, ev := range evs {
		if ev.Class != dsn.ClassHard && ev.Class != dsn.ClassSoft && ev.Class != dsn.ClassBlock {
			continue
		}
		label := OtherReceiver
		if r.top[ev.Domain] {
			label = ev.Domain
		}
		receiverBounces.WithLabelValues(label, string(ev.Class)).Inc()
	}
}

// due reports whether the set should be chosen again at now.
func (r *receiverSet) due(now time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.checked.IsZero() || now.Sub(r.checked) >= receiverRefresh || now.Before(r.checked)
}

// choose makes the MaxReceivers domains of rows with the most failures
// the labelled set, and drops the series of domains that left it (their
// counts go on under "other"; rate() treats a returning series as new).
func (r *receiverSet) choose(rows []suppression.ReceiverBounces, now time.Time) {
	slices.SortFunc(rows, func(a, b suppression.ReceiverBounces) int {
		return cmp.Or(cmp.Compare(b.Bounces, a.Bounces), cmp.Compare(a.Domain, b.Domain))
	})
	top := make(map[string]bool, MaxReceivers)
	for _, rb := range rows[:min(len(rows), MaxReceivers)] {
		if rb.Domain != OtherReceiver {
			top[rb.Domain] = true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for d := range r.top {
		if !top[d] {
			for _, c := range receiverClasses {
				receiverBounces.DeleteLabelValues(d, string(c))
			}
		}
	}
	r.top, r.checked = top, now
}

// refreshReceivers chooses the labelled receivers again when due.
func refreshReceivers(ctx context.Context, s Source, now time.Time) error {
	if !receivers.due(now) {
		return nil
	}
	rows, err := s.ReceiverBounces(ctx, suppression.Window{From: now.Add(-ReceiverWindow), To: now})
	if err != nil {
		return err
	}
	receivers.choose(rows, now)
	return nil
}
