package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// localTime formats a time for a person: local time, minutes.
func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// shortTime formats a time for a table column: "Dec 07 00:07" in the
// current year, else the date alone ("2025-12-07"); "-" for none.
func shortTime(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	l := t.Local()
	if l.Year() == now.Local().Year() {
		return l.Format("Jan 02 15:04")
	}
	return l.Format(time.DateOnly)
}

// zoned formats a time for a person with its zone: "2026-12-06 22:55 CET".
func zoned(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04 MST")
}

func localTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return localTime(*t)
}

// writeJSONTo writes v as indented JSON for a program or a person reading
// the CLI's output: <, > and & as themselves (a Message-ID reads
// <id@host>, not \u003cid@host\u003e).
func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// state names an entry's state at now for the table.
func state(e suppression.Entry, now time.Time) string {
	switch {
	case e.Active(now):
		return "suppressed"
	case e.Suppressed:
		return "expired"
	}
	return "counting"
}

func printEntries(w io.Writer, format string, es []suppression.Entry, now time.Time) error {
	switch format {
	case "json":
		if es == nil {
			es = []suppression.Entry{}
		}
		return writeJSONTo(w, es)
	case "table", "":
	default:
		return fmt.Errorf("--format %q: want table, json or csv", format)
	}
	zone := zoneLabel(now)
	expiries := slices.ContainsFunc(es, func(e suppression.Entry) bool { return e.ExpiresAt != nil })
	head := []string{"EMAIL", "STATE", "REASON", "SOURCE", "H/S/B/C", "SEEN (" + zone + ")"}
	if expiries { // a column of "-" only when some entry expires
		head = append(head, "UNTIL ("+zone+")")
	}
	rows := [][]string{head}
	for _, e := range es {
		reason, _ := entryReason(e)
		counts := fmt.Sprintf("%d/%d/%d/%d", e.HardCount, e.SoftCount, e.BlockCount, e.ComplaintCount)
		row := []string{e.Email, state(e, now), reason, e.Source, counts, shortTime(&e.LastSeen, now)}
		if expiries {
			row = append(row, shortTime(e.ExpiresAt, now))
		}
		rows = append(rows, row)
	}
	return printTable(w, rows, 2) // the reason is cut, never the address
}

// entryReason is the reason list and show print for e, as --reason
// matches it: the suppression's, or for an address never suppressed the
// last event's (last is then true).
func entryReason(e suppression.Entry) (reason string, last bool) {
	if e.SuppressedReason != "" {
		return e.SuppressedReason, false
	}
	return e.LastReason, e.LastReason != ""
}

func printChecks(w io.Writer, res []suppression.CheckResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range res {
		if r.State == suppression.StateInvalid {
			fmt.Fprintf(tw, "%s\t%s\t%s: %s\n", r.Email, r.State, r.Error, r.Detail)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Address, r.State, r.Reason)
	}
	return tw.Flush()
}

func printDetail(w io.Writer, format string, d suppression.Detail, now time.Time) error {
	if format == "json" {
		return writeJSONTo(w, d)
	}
	e := d.Entry
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	st := state(e, now)
	if d.Allowlisted { // as check says: the allowlist wins over the entry
		st = "allowlisted (never suppressed; the entry alone would be " + st + ")"
	}
	reason, last := entryReason(e)
	if last {
		reason += " (the last event's; not suppressed)"
	}
	kv := [][2]string{
		{"email", e.Email}, {"state", st}, {"reason", reason}, {"source", e.Source},
		{"suppressed at", zoned(e.SuppressedAt)}, {"expires", zoned(e.ExpiresAt)},
		{"counts", fmt.Sprintf("hard %d, soft %d, block %d, complaint %d", e.HardCount, e.SoftCount, e.BlockCount, e.ComplaintCount)},
		{"first seen", zoned(&e.FirstSeen)}, {"last seen", zoned(&e.LastSeen)},
		{"last", strings.TrimSpace(fmt.Sprintf("%s %s %s", e.LastClass, e.LastReason, e.LastStatus))},
		{"diagnostic", e.LastDiagnostic}, {"note", e.Note}, {"cleared at", zoned(e.ClearedAt)},
	}
	for _, r := range kv {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	var rows [][]string
	fmt.Fprintf(tw, "\nevidence (%s, newest first):\n", plural(len(d.Events), "%d event", "%d events"))
	if err := tw.Flush(); err != nil {
		return err
	}
	rows = [][]string{{"RECEIVED (" + zoneLabel(now) + ")", "CLASS", "REASON", "STATUS", "VERIFIED", "MAILBOX", "STREAM", "MESSAGE-ID"}}
	for _, ev := range d.Events {
		rows = append(rows, []string{localTime(ev.ReceivedAt), string(ev.Class), string(ev.Reason), ev.Status,
			fmt.Sprint(ev.Verified), ev.Mailbox, ev.Stream, cmp.Or(ev.OriginalMessageID, "-")})
	}
	return printEvidence(w, rows, d.Events)
}

// printEvidence writes the evidence table, rows (the header first, then
// one per event), with each event's diagnostic on an indented line below
// its row, so neither the Message-ID (what bouncer status takes) nor the
// diagnostic is cut to share one line. A narrow line cuts the stream, the
// mailbox and the reason, never the Message-ID.
func printEvidence(w io.Writer, rows [][]string, events []suppression.Event) error {
	var b strings.Builder
	if err := printTable(&b, rows, 6, 5, 2); err != nil {
		return err
	}
	width := widthFor(w)
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		if i == 0 || i > len(events) {
			continue
		}
		if diag := strings.Join(strings.Fields(events[i-1].Diagnostic), " "); diag != "" {
			if _, err := fmt.Fprintln(w, "    "+shorten(diag, width-4)); err != nil {
				return err
			}
		}
	}
	return nil
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func printImport(w io.Writer, res suppression.ImportResult) error {
	for _, le := range res.Invalid {
		fmt.Fprintf(w, "skipped %s\n", le.Error())
	}
	for _, a := range res.Allowlisted {
		fmt.Fprintf(w, "skipped %s: allowlisted\n", a)
	}
	for _, e := range res.Kept {
		fmt.Fprintf(w, "skipped %s: already suppressed by %ss (%s, %s); --overwrite replaces it\n", e.Email, e.Source, e.SuppressedReason, localTimePtr(e.SuppressedAt))
	}
	_, err := fmt.Fprintf(w, "imported %s (%s format)\n", plural(res.Imported, "%d address", "%d addresses"), res.Format)
	return err
}

// printChanges prints one line per changed address: its state before and
// after, then every field that changes (suppressed_at, expires_at, counts,
// first and last seen, …) as "field: before → after".
func printChanges(w io.Writer, changes []suppression.Change, now time.Time, dryRun bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range changes {
		before, b := "no entry", suppression.Entry{}
		if c.Before != nil {
			before, b = describe(*c.Before, now), *c.Before
		}
		fmt.Fprintf(tw, "%s\t%s\t→ %s\t%s\n", c.Email, before, describe(c.After, now), strings.Join(entryDiff(b, c.After), "; "))
	}
	verb := "changed"
	if dryRun {
		verb = "would change (dry run: nothing written)"
	}
	fmt.Fprintf(tw, "%s %s\n", plural(len(changes), "%d address", "%d addresses"), verb)
	return tw.Flush()
}

// describe summarises an entry for recompute's output.
func describe(e suppression.Entry, now time.Time) string {
	s := state(e, now)
	if e.Suppressed {
		s += " (" + e.SuppressedReason + ")"
	}
	return fmt.Sprintf("%s h%d s%d b%d c%d", s, e.HardCount, e.SoftCount, e.BlockCount, e.ComplaintCount)
}

// entryDiff names the fields describe does not show that differ between a
// and b, each as "field: before → after".
func entryDiff(a, b suppression.Entry) []string {
	var out []string
	add := func(name, x, y string) {
		if x != y {
			out = append(out, name+": "+x+" → "+y)
		}
	}
	add("suppressed_at", localTimePtr(a.SuppressedAt), localTimePtr(b.SuppressedAt))
	add("expires_at", localTimePtr(a.ExpiresAt), localTimePtr(b.ExpiresAt))
	add("source", a.Source, b.Source)
	add("first_seen", localTime(a.FirstSeen), localTime(b.FirstSeen))
	add("last_seen", localTime(a.LastSeen), localTime(b.LastSeen))
	add("last", strings.TrimSpace(a.LastClass+" "+a.LastReason), strings.TrimSpace(b.LastClass+" "+b.LastReason))
	return out
}

func printAllowlist(w io.Writer, format string, l []suppression.AllowEntry) error {
	if format == "json" {
		if l == nil {
			l = []suppression.AllowEntry{}
		}
		return writeJSONTo(w, l)
	}
	rows := [][]string{{"ENTRY", "ADDED (" + zoneLabel(time.Now()) + ")", "NOTE"}}
	for _, a := range l {
		rows = append(rows, []string{a.Entry, localTime(a.CreatedAt), a.Note})
	}
	return printTable(w, rows, 2, 0)
}
