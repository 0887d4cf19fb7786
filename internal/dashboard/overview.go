package dashboard

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// zooms are the overview's ranges in days.
var zooms = []int{7, 30, 90, 365}

// overviewData is what the overview template shows.
type overviewData struct {
	Days       int
	Zooms      []int
	Events     chart
	Suppressed chart
	Reasons    []suppression.Count
	Domains    []suppression.Count
	MTAs       []suppression.Count
	Blocklists []suppression.Count
	Mailboxes  []suppression.MailboxHealth
	Alerts     []suppression.SentAlert
}

func (h *handler) overview(w http.ResponseWriter, r *http.Request, s session) {
	n := 90
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && slices.Contains(zooms, v) {
		n = v
	}
	now := h.opts.Now()
	ds := dayList(now, n)
	from, _ := time.Parse("2006-01-02", ds[0])
	win := suppression.Window{From: from, To: from.AddDate(0, 0, n)}
	d := overviewData{Days: n, Zooms: zooms}
	var classes, suppressed []suppression.DayCount
	var blocks, diags []suppression.Count
	g, ctx := errgroup.WithContext(r.Context())
	run := func(fn func(context.Context) error) { g.Go(func() error { return fn(ctx) }) }
	run(func(ctx context.Context) (err error) { classes, err = h.store.DailyClasses(ctx, win); return })
	run(func(ctx context.Context) (err error) { suppressed, err = h.store.DailySuppressed(ctx, win); return })
	run(func(ctx context.Context) (err error) {
		d.Reasons, err = h.store.TopDaily(ctx, win, suppression.ByReason, 10)
		return
	})
	run(func(ctx context.Context) (err error) {
		d.Domains, err = h.store.TopDaily(ctx, win, suppression.ByDomain, 10)
		return
	})
	run(func(ctx context.Context) (err error) {
		d.MTAs, err = h.store.TopDaily(ctx, win, suppression.ByRemoteMTA, 10)
		return
	})
	run(func(ctx context.Context) (err error) {
		blocks, err = h.store.TopDaily(ctx, win, suppression.ByBlocklist, 100)
		return
	})
	run(func(ctx context.Context) (err error) {
		diags, err = h.store.TopDaily(ctx, win, suppression.ByBlockDiagnostic, maxBlockDiagnostics)
		return
	})
	run(func(ctx context.Context) (err error) { d.Mailboxes, err = h.store.MailboxHealth(ctx); return })
	run(func(ctx context.Context) (err error) {
		d.Alerts, err = h.store.RecentAlerts(ctx, now.AddDate(0, 0, -7), 20)
		return
	})
	if err := g.Wait(); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Events = newChart("Failure events per day (UTC), by class", ds, classOrder, classes)
	d.Suppressed = newChart("Newly suppressed addresses per day (UTC)", ds, []string{"suppressed"}, suppressed)
	d.Blocklists = blocklists(blocks, diags, 10)
	h.render(w, r, &s, "overview", http.StatusOK, page{Title: "Overview", Nav: "overview", Data: d})
}

// maxBlockDiagnostics is how many of the range's most frequent block
// diagnostics (days counted by migration 00052) the overview names block
// lists from.
const maxBlockDiagnostics = 100

// blocklists sums block events by block list: counted by name, and
// counted by diagnostic named here.
func blocklists(names, diags []suppression.Count, limit int) []suppression.Count {
	sums := map[string]int{}
	for _, b := range names {
		sums[b.Key] += b.N
	}
	for _, b := range diags {
		sums[dsn.BlocklistOf(b.Key)] += b.N
	}
	out := make([]suppression.Count, 0, len(sums))
	for k, n := range sums {
		out = append(out, suppression.Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b suppression.Count) int { return cmp.Or(b.N-a.N, cmp.Compare(a.Key, b.Key)) })
	return out[:min(limit, len(out))]
}
