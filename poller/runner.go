package poller

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sentinels of a pass that did not run.
var (
	// ErrLocked: another process holds the mailbox's lock and is polling it.
	ErrLocked = errors.New("poller: mailbox is being polled by another process")
	// ErrBackoff: the mailbox failed recently and its retry is not due yet.
	ErrBackoff = errors.New("poller: backing off after failures")
)

// Locker takes a lock shared by every replica (a Postgres advisory lock).
// ok is false, with a nil error, when another holder has it.
type Locker interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// Backoff spaces retries after failed passes: Base after the first failure,
// doubling up to Max. A zero Backoff means 1 minute up to 1 hour.
type Backoff struct {
	Base, Max time.Duration
}

// delay is the wait after n consecutive failures (n ≥ 1).
func (b Backoff) delay(n int) time.Duration {
	base, maxDelay := b.Base, b.Max
	if base <= 0 {
		base = time.Minute
	}
	if maxDelay <= 0 {
		maxDelay = time.Hour
	}
	d := base
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// Runner runs guarded passes, as a scheduler does: under the mailbox's lock,
// and not before the back-off after a failure has passed. Several mailboxes
// may run at once; the scheduler keeps one mailbox from overlapping itself
// in a process, the lock across processes.
type Runner struct {
	Store   Store
	Locker  Locker // nil: no lock (an embedded store means one process)
	Options *Options
	Backoff Backoff

	mu    sync.Mutex
	fails map[string]failState
}

type failState struct {
	count int
	until time.Time
}

// LockName is the name of mb's lock: the account's identity, not the
// mailbox's configured name, so two configs that name one account
// differently (or one config with the account twice) never poll it
// together: the host (lower case), port, user name and folder, with
// their defaults applied.
func LockName(mb Mailbox) string {
	mb = mb.withDefaults()
	return "bouncer/poll/" + mb.Username + "@" + net.JoinHostPort(strings.ToLower(mb.Host), strconv.Itoa(mb.Port)) + "/" + mb.Folder
}

// Run runs one pass over mb unless another process is polling it
// (ErrLocked) or it is backing off (ErrBackoff). A failed pass, or a lock
// that cannot be taken because the database is unreachable, starts or
// lengthens the back-off; a cancelled context does not count as a failure.
func (r *Runner) Run(ctx context.Context, mb Mailbox) (Summary, error) {
	now := r.now()
	if until := r.retryAt(mb.Name); now.Before(until) {
		return Summary{Mailbox: mb.Name}, fmt.Errorf("%w: %s until %s", ErrBackoff, mb.Name, until.Format(time.RFC3339))
	}
	sum, err := r.lockedPoll(ctx, mb)
	if ctx.Err() == nil && !errors.Is(err, ErrLocked) {
		r.note(mb.Name, err)
		observePass(sum, err, r.now())
	}
	return sum, err
}

func (r *Runner) lockedPoll(ctx context.Context, mb Mailbox) (Summary, error) {
	if r.Locker != nil {
		unlock, ok, err := r.Locker.TryLock(ctx, LockName(mb))
		if err != nil {
			return Summary{Mailbox: mb.Name}, fmt.Errorf("poller: %s: lock: %w", mb.Name, err)
		}
		if !ok {
			return Summary{Mailbox: mb.Name}, fmt.Errorf("%w: %s", ErrLocked, mb.Name)
		}
		defer unlock()
	}
	return Poll(ctx, mb, r.Store, r.Options)
}

// Failures returns how many passes of mailbox failed in a row.
func (r *Runner) Failures(mailbox string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fails[mailbox].count
}

func (r *Runner) retryAt(mailbox string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fails[mailbox].until
}

func (r *Runner) note(mailbox string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fails == nil {
		r.fails = make(map[string]failState)
	}
	if err == nil {
		delete(r.fails, mailbox)
		return
	}
	f := r.fails[mailbox]
	f.count++
	f.until = r.now().Add(r.Backoff.delay(f.count))
	r.fails[mailbox] = f
}

func (r *Runner) now() time.Time {
	if r.Options != nil && r.Options.Now != nil {
		return r.Options.Now()
	}
	return time.Now()
}
