package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/internal/duration"
	"github.com/bouncer-mail/bouncer/internal/webhook"
	"github.com/bouncer-mail/bouncer/suppression"
)

func newWebhooksCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "List the webhook endpoints, send a test, read and redeliver the queue",
		Long: `Webhooks tell applications of each change of the suppression list (see
docs/webhooks.md). Events are queued in the database by whichever bouncer
process makes the change and sent by "bouncer run".`,
	}
	var dead bool
	var endpoint, format string
	var limit int
	deliveries := &cobra.Command{Use: "deliveries", Short: "List the queue: deliveries waiting to be sent and those given up (--dead: only those)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
				f := suppression.DeliveryFilter{Endpoint: endpoint, Limit: limit}
				if dead {
					f.State = suppression.DeliveryDead
				}
				ds, err := s.Deliveries(ctx, f)
				if err != nil {
					return err
				}
				return printDeliveries(cmd, ds, format)
			})
		}}
	deliveries.Flags().BoolVar(&dead, "dead", false, "only the deliveries given up (after max_age)")
	deliveries.Flags().StringVar(&endpoint, "endpoint", "", "only this endpoint")
	deliveries.Flags().IntVar(&limit, "limit", 50, "at most this many: the tried ones newest first, then those not tried yet (ID -) in the order they go out")
	deliveries.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.AddCommand(
		&cobra.Command{Use: "list", Short: "List the configured endpoints with their queues", Args: cobra.NoArgs, RunE: runWebhooksList},
		&cobra.Command{Use: "test NAME", Short: "Send a signed webhook.ping to an endpoint now and show its answer", Args: cobra.ExactArgs(1), RunE: runWebhooksTest},
		deliveries,
		newRedeliverCmd(),
	)
	return cmd
}

func newRedeliverCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{Use: "redeliver ID...", Args: cobra.MinimumNArgs(1),
		Short: "Queue deliveries again (a dead one gets max_age afresh), keeping their webhook-ids and timestamps",
		Long: `Redeliver queues deliveries again, due now, with their webhook-ids and their
bodies (the timestamps of the changes they announce). A dead delivery does
not hold back the later events about its address: when some were sent to
the endpoint after it died, sent now it would arrive after them, and
redeliver refuses unless --force is given; when later deliveries about its
address to the endpoint are dead too, it refuses unless they are given
with it (redeliver 31 36: they go out in order, oldest first) or --force
is (see docs/webhooks.md, "Order"). Several ids are queued newest first.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ids := make([]int64, len(args))
			for i, a := range args {
				id, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					return withExit(exitUsage, fmt.Errorf("redeliver: %q is not a delivery id (see bouncer webhooks deliveries)", a))
				}
				ids[i] = id
			}
			// Newest first: a later dead delivery given too is pending by
			// the time an earlier one is checked, and the queue sends an
			// address's deliveries oldest first.
			slices.Sort(ids)
			slices.Reverse(ids)
			return withStore(cmd, func(ctx context.Context, s *suppression.Store) error {
				for _, id := range slices.Compact(ids) {
					if err := redeliver(ctx, cmd, s, id, force); err != nil {
						return err
					}
				}
				return nil
			})
		}}
	cmd.Flags().BoolVar(&force, "force", false, "redeliver even when later events about its address were sent after it died or are dead")
	return cmd
}

func redeliver(ctx context.Context, cmd *cobra.Command, s *suppression.Store, id int64, force bool) error {
	d, err := s.Redeliver(ctx, id, time.Now(), force)
	var later *suppression.LaterDeadError
	switch {
	case errors.Is(err, suppression.ErrNotFound):
		return fmt.Errorf("redeliver: no delivery %d in the queue (see bouncer webhooks deliveries; a delivered one is not kept)", id)
	case errors.Is(err, suppression.ErrSuperseded):
		return fmt.Errorf("redeliver: not queued: %s; sent now, it would arrive after them, and a receiver that does not keep "+
			"the newest timestamp per address would undo them (docs/webhooks.md, \"Order\"); to send it anyway: bouncer webhooks redeliver %d --force",
			laterSentText(d), id)
	case errors.As(err, &later):
		return fmt.Errorf("redeliver: not queued: %s; sent alone, delivery %d (%s) would be the last event %s gets about %s, "+
			"and it would undo them; redeliver them in order, oldest first: bouncer webhooks redeliver %s "+
			"(a receiver should keep the newest timestamp per address: docs/webhooks.md, \"Order\"), or it alone with --force",
			laterDeadText(later.Later), id, d.Type, d.Endpoint, d.Subject, laterIDs(id, later.Later))
	case err != nil:
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "delivery %d queued again; bouncer run sends it\n", id)
	if d.LaterSent > 0 || d.LaterUnknown {
		fmt.Fprintf(w, "note: %s; it is delivered with its original timestamp, "+
			"so a receiver that keeps the newest timestamp per address ignores it\n", laterSentText(d))
	}
	return nil
}

// laterDeadText names the dead later deliveries of a LaterDeadError: "a
// later delivery about dave@example.com to app is dead: 36
// (suppression.removed)".
func laterDeadText(later []suppression.Delivery) string {
	ds := make([]string, len(later))
	for i, d := range later {
		ds[i] = fmt.Sprintf("%d (%s)", d.ID, d.Type)
	}
	what := fmt.Sprintf("%d later deliveries about %s to %s are dead", len(later), later[0].Subject, later[0].Endpoint)
	if len(later) == 1 {
		what = fmt.Sprintf("a later delivery about %s to %s is dead", later[0].Subject, later[0].Endpoint)
	}
	return what + ": " + strings.Join(ds, ", ")
}

// laterIDs is the ids to redeliver together, oldest first: "31 36".
func laterIDs(id int64, later []suppression.Delivery) string {
	ids := []string{strconv.FormatInt(id, 10)}
	for _, d := range later {
		ids = append(ids, strconv.FormatInt(d.ID, 10))
	}
	return strings.Join(ids, " ")
}

// laterSentText says which later events about d's subject were sent after
// d died: "1 later event about a@example.com (the newest:
// suppression.removed) was sent to app after delivery 3
// (suppression.added of 2026-03-01T12:00:00Z) died". For a delivery that
// died before they were counted (d.LaterUnknown) it says that some may
// have been.
func laterSentText(d suppression.Delivery) string {
	var ev struct {
		Timestamp string `json:"timestamp"`
	}
	json.Unmarshal(d.Body, &ev) //nolint:errcheck // the timestamp is shown when there is one
	what, verb := d.Type, "were"
	if ev.Timestamp != "" {
		what += " of " + ev.Timestamp
	}
	const uncounted = "bouncer counted later events (migration 00076)"
	if d.LaterSent == 0 {
		return fmt.Sprintf("delivery %d (%s) died before %s; later events about %s may have been sent to %s after it",
			d.ID, what, uncounted, d.Subject, d.Endpoint)
	}
	if d.LaterSent == 1 {
		verb = "was"
	}
	text := fmt.Sprintf("%s about %s (the newest: %s) %s sent to %s after delivery %d (%s) died",
		plural(d.LaterSent, "%d later event", "%d later events"), d.Subject, d.LaterType, verb, d.Endpoint, d.ID, what)
	if d.LaterUnknown {
		text += ", and more may have been: it died before " + uncounted
	}
	return text
}

func runWebhooksList(cmd *cobra.Command, _ []string) error {
	return withConfigStore(cmd, func(ctx context.Context, cfg *Config, s *suppression.Store) error {
		return listWebhooks(ctx, cmd, cfg, s)
	})
}

func listWebhooks(ctx context.Context, cmd *cobra.Command, cfg *Config, s *suppression.Store) error {
	stats, err := s.OutboxStats(ctx)
	if err != nil {
		return err
	}
	by := map[string]suppression.OutboxStat{}
	for _, st := range stats {
		by[st.Endpoint] = st
	}
	rows := [][]string{{"NAME", "URL", "FORMAT", "EVENTS", "PENDING", "DEAD", "OLDEST"}}
	for _, w := range cfg.Webhooks {
		st := by[w.Name]
		oldest := "-"
		if st.OldestQueued != nil {
			oldest = duration.Age(time.Since(*st.OldestQueued))
		}
		rows = append(rows, []string{w.Name, webhook.RedactURL(w.URL), w.Format, strings.Join(w.Events, ","), strconv.Itoa(st.Pending), strconv.Itoa(st.Dead), oldest})
	}
	if len(cfg.Webhooks) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "no webhooks configured (see docs/webhooks.md)")
		return nil
	}
	return printTable(cmd.OutOrStdout(), rows, 3)
}

func runWebhooksTest(cmd *cobra.Command, args []string) error {
	cfg, err := loadConfigWithSecrets(cmd)
	if err != nil {
		return err
	}
	eps, err := webhookEndpoints(cfg)
	if err != nil {
		return withExit(exitConfig, err)
	}
	d, err := webhook.New(nil, eps, webhook.Options{})
	if err != nil {
		return withExit(exitConfig, err)
	}
	status, err := d.Ping(cmd.Context(), args[0])
	if err != nil {
		return fmt.Errorf("webhooks test %s: %w", args[0], err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s answered HTTP %d\n", args[0], status)
	return nil
}

func printDeliveries(cmd *cobra.Command, ds []suppression.Delivery, format string) error {
	w := cmd.OutOrStdout()
	for i, d := range ds {
		if d.LastCause == "" { // failed before bouncer stored the cause (migration 00076)
			ds[i].LastCause = webhook.CauseOf(d.LastStatus, d.LastError)
		}
		// An error stored before URLs were redacted at the source names
		// the endpoint's whole URL, whose path may be a secret.
		ds[i].LastError = webhook.RedactURLsIn(d.LastError)
	}
	switch format {
	case "json":
		if ds == nil {
			ds = []suppression.Delivery{}
		}
		return writeJSONTo(w, ds)
	case "table":
	default:
		return withExit(exitUsage, errors.New("--format: want table or json"))
	}
	if len(ds) == 0 {
		fmt.Fprintln(w, "no deliveries")
		return nil
	}
	rows := [][]string{{"ID", "ENDPOINT", "TYPE", "SUBJECT", "STATE", "TRIES", "NEXT", "LAST ERROR"}}
	for _, d := range ds {
		next := d.NextAt.Local().Format("01-02 15:04")
		if d.State == suppression.DeliveryDead {
			next = "-"
		}
		id := strconv.FormatInt(d.ID, 10)
		if d.ID == 0 {
			id = "-" // not tried yet: no delivery of its own until it fails
		}
		why := cmp.Or(d.LastCause, d.LastError) // the cause first; --format json has the full error
		rows = append(rows, []string{id, d.Endpoint, d.Type, d.Subject, d.State, strconv.Itoa(d.Attempts), next, why})
	}
	return printTable(w, rows, 7)
}
