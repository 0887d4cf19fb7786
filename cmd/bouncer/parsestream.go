package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

// parseSetup is what parsing one input needs: the parser's options and the
// stream attribution of ingest (newAttributor).
type parseSetup struct {
	opts      *dsn.Options
	attribute func(context.Context, *dsn.Report) verp.Attribution
	verifying bool   // signed return paths are checked
	header    string // streams.header
}

// stream returns the stream fields of a report's rows, and a note for
// the table's stderr when its stream header is not a valid label.
func (ps *parseSetup) stream(ctx context.Context, rep *dsn.Report) (parseRow, string) {
	a := ps.attribute(ctx, rep)
	row := parseRow{OriginalMessageID: rep.Original.MessageID, Stream: a.Stream, StreamSource: a.Source}
	var notes []string
	bad := ""
	if a.LabelErr != nil {
		reason := strings.TrimPrefix(a.LabelErr.Error(), verp.ErrBadStream.Error()+": ")
		bad = fmt.Sprintf("%s %s; filed under %s", ps.header, reason, a.Stream)
		notes = append(notes, bad)
	}
	if !ps.verifying {
		notes = append(notes, errSignedUnchecked)
	}
	row.StreamNote = strings.Join(notes, "; ")
	return row, bad
}

// errSignedUnchecked is the stream note of every record when verp has no
// key: a stream signed in the return path is not seen.
const errSignedUnchecked = "signed return path not checked (no verp key in the configuration)"

// parseConfig reads the configuration parse attributes streams with. parse
// needs none: a file found in a default place that cannot be read or is
// invalid (a root-only /etc/bouncer/bouncer.yaml) is said on stderr and the
// defaults are used; one named by --config or $BOUNCER_CONFIG must load.
func parseConfig(cmd *cobra.Command) (*Config, error) {
	cfg, err := loadConfigUsing(cmd, "verp")
	if err == nil {
		return cfg, nil
	}
	if f := cmd.Flag("config"); f != nil && f.Changed || os.Getenv("BOUNCER_CONFIG") != "" {
		return nil, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "bouncer: %v\nbouncer: parse: using the default configuration\n", err)
	return readConfig("")
}

// add appends the rows of one report, each with the report's stream, and
// notes a stream header that is not a valid label.
func (res *parseResult) add(ctx context.Context, ps *parseSetup, file string, rep *dsn.Report) {
	st, bad := ps.stream(ctx, rep)
	if bad != "" {
		res.notes = append(res.notes, bad)
	}
	for _, row := range rowsOf(file, rep) {
		row.OriginalMessageID, row.Stream, row.StreamSource, row.StreamNote = st.OriginalMessageID, st.Stream, st.StreamSource, st.StreamNote
		res.rows = append(res.rows, row)
	}
}

// streamCell is the STREAM of a table row: the stream and, unless it is
// the default for want of anything else, where it came from.
func streamCell(r parseRow) string {
	switch {
	case r.Stream == "":
		return "-"
	case r.StreamSource == verp.SourceReturnPath:
		return r.Stream + " (signed)"
	case r.StreamSource == verp.SourceHeader:
		return r.Stream + " (header)"
	case strings.Contains(r.StreamNote, "; filed under"):
		return r.Stream + " (bad label)"
	}
	return r.Stream
}
