package notify

import (
	"cmp"
	"context"
	"slices"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// maxBlockDiagnostics caps the distinct (receiver, MTA, diagnostic) groups
// read for one report; the rest are the long tail of one-off texts.
const maxBlockDiagnostics = 2000

func (r *Report) loadBlocks(ctx context.Context, f Figures, o ReportOptions) error {
	diags, err := f.BlockDiagnostics(ctx, r.Window, maxBlockDiagnostics)
	if err != nil {
		return err
	}
	receivers, err := f.ReceiverBounces(ctx, r.Window)
	if err != nil {
		return err
	}
	byList, listsOf := groupBlocklists(diags)
	r.BlocksByList = bars(byList)
	r.BlocksByReceiver = blockedReceivers(receivers, listsOf, o.TopN)
	r.Refusing = refusing(receivers, listsOf, o.RefuseShare, o.RefuseMinimum)
	return nil
}

// groupBlocklists counts block events by the list their diagnostic names, and
// collects the lists named per receiver domain.
func groupBlocklists(diags []suppression.BlockDiagnostic) ([]suppression.Count, map[string][]string) {
	counts := map[string]int{}
	listsOf := map[string][]string{}
	for _, d := range diags {
		name := dsn.BlocklistOf(d.Diagnostic)
		counts[name] += d.N
		if name != dsn.UnnamedBlocklist && !slices.Contains(listsOf[d.Domain], name) {
			listsOf[d.Domain] = append(listsOf[d.Domain], name)
		}
	}
	for _, l := range listsOf {
		slices.Sort(l)
	}
	return sortedCounts(counts), listsOf
}

// sortedCounts orders a tally by count, then by key, for stable output.
func sortedCounts(m map[string]int) []suppression.Count {
	out := make([]suppression.Count, 0, len(m))
	for k, n := range m {
		out = append(out, suppression.Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b suppression.Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key))
	})
	return out
}

func receiverOf(rb suppression.ReceiverBounces, listsOf map[string][]string) Receiver {
	share := 0.0
	if rb.Bounces > 0 {
		share = float64(rb.Blocks) / float64(rb.Bounces)
	}
	return Receiver{Domain: rb.Domain, Blocks: rb.Blocks, Bounces: rb.Bounces, Share: share, Lists: listsOf[rb.Domain]}
}

// blockedReceivers lists the receivers with blocks, most blocks first.
func blockedReceivers(rows []suppression.ReceiverBounces, listsOf map[string][]string, limit int) []Receiver {
	var out []Receiver
	for _, rb := range rows {
		if rb.Blocks > 0 {
			out = append(out, receiverOf(rb, listsOf))
		}
	}
	slices.SortFunc(out, func(a, b Receiver) int {
		return cmp.Or(cmp.Compare(b.Blocks, a.Blocks), cmp.Compare(a.Domain, b.Domain))
	})
	return out[:min(len(out), limit)]
}

// refusing lists the receivers whose failures are mostly blocks: at least
// share of their bounces, and at least minimum blocks.
func refusing(rows []suppression.ReceiverBounces, listsOf map[string][]string, share float64, minimum int) []Receiver {
	var out []Receiver
	for _, rb := range rows {
		r := receiverOf(rb, listsOf)
		if r.Blocks >= minimum && r.Share >= share {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Receiver) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), cmp.Compare(b.Blocks, a.Blocks), cmp.Compare(a.Domain, b.Domain))
	})
	return out
}
