package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/dsn/mbox"
)

// parseFlags holds the flags of one parse command.
type parseFlags struct {
	json    bool
	maxSize int64
}

func newParseCmd() *cobra.Command {
	f := &parseFlags{}
	cmd := &cobra.Command{
		Use:   "parse [--json] FILE|DIR|- ...",
		Short: "Parse bounce and feedback messages and print one line per recipient record",
		Long: `Parse messages (files, directories walked recursively, or - for standard
input) and print every recipient record: as a table, or with --json as one
JSON object per record. A message with no record prints one object with
"index": 0. The recipient is the address bouncer records: the
Final-Recipient, or the Original-Recipient (the address the sender mailed)
when an alias of the mailed domain resolved it to one of that domain's
mailboxes (docs/classification.md, "Which address a record names"). The
other of the two, when the report names it and it differs, is printed as
"final_recipient" or "original_recipient". Needs no configuration file or
database. Files are read in
parallel and printed in a stable order (the order of the arguments, and
within a directory by path). The exit status is 1 when a file could not be
read or parsed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: f.run,
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON lines instead of a table")
	cmd.Flags().Int64Var(&f.maxSize, "max-size", dsn.DefaultMaxSize, "bytes read from each message")
	return cmd
}

// parseRow is one output record; the JSON names are the scoring contract.
type parseRow struct {
	File      string `json:"file"`
	Index     int    `json:"index"`
	Type      string `json:"type"`
	Recipient string `json:"recipient"` // the address recorded: dsn.Recipient.Address
	// FinalRecipient is the Final-Recipient when the address recorded is
	// another (the original recipient of an alias).
	FinalRecipient string `json:"final_recipient,omitempty"`
	// OriginalRecipient is the Original-Recipient when the address
	// recorded is another (the final recipient of a forward).
	OriginalRecipient string `json:"original_recipient,omitempty"`
	Action            string `json:"action"`
	Status            string `json:"status"`
	ReplyCode         string `json:"reply_code"`
	Class             string `json:"class"`
	Reason            string `json:"reason"`
	Diagnostic        string `json:"diagnostic"`
	RemoteMTA         string `json:"remote_mta"`
	FeedbackType      string `json:"feedback_type"`
}

// parseResult is the outcome for one input.
type parseResult struct {
	rows []parseRow
	err  error // the input failed
	warn error // the input was read only in part
}

func (f *parseFlags) run(cmd *cobra.Command, args []string) error {
	paths, err := expandInputs(args)
	if err != nil {
		return withExit(1, err)
	}
	opts := &dsn.Options{MaxSize: f.maxSize}
	results := parseAll(cmd.Context(), paths, opts, cmd.InOrStdin())
	failed, err := printResults(cmd.OutOrStdout(), cmd.ErrOrStderr(), f.json, paths, results)
	if err != nil {
		return withExit(1, err)
	}
	if failed > 0 {
		return withExit(1, fmt.Errorf("parse: %d of %d inputs failed", failed, len(paths)))
	}
	return nil
}

// expandInputs turns the arguments into a list of files; directories are
// walked recursively in lexical order, "-" stays as standard input.
func expandInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		var files []string
		err = filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("parse: walk %s: %w", a, err)
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}

// parseAll parses the inputs on a few workers and returns one channel per
// input, so the results can be printed in input order as they complete.
func parseAll(ctx context.Context, paths []string, opts *dsn.Options, stdin io.Reader) []chan parseResult {
	results := make([]chan parseResult, len(paths))
	for i := range results {
		results[i] = make(chan parseResult, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range jobs {
				results[i] <- parseOne(paths[i], opts, stdin)
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range paths {
			select {
			case jobs <- i:
			case <-ctx.Done():
				for j := i; j < len(paths); j++ {
					results[j] <- parseResult{err: ctx.Err()}
				}
				return
			}
		}
	}()
	return results
}

// parseOne reads and parses one input; dsn reads at most --max-size bytes
// of it.
func parseOne(path string, opts *dsn.Options, stdin io.Reader) parseResult {
	in := stdin
	size := int64(-1)
	if path != "-" {
		f, err := openInput(path)
		if err != nil {
			return parseResult{err: fmt.Errorf("parse: %w", err)}
		}
		defer f.Close()
		in = f
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
	}
	br := bufio.NewReaderSize(in, 4096)
	if start, _ := br.Peek(1024); mbox.Is(start) {
		return parseMbox(path, br, opts)
	}
	in = br
	if size >= 0 {
		in = sizedReader{br, size}
	}
	rep, err := dsn.ParseWithOptions(in, opts)
	if rep == nil {
		return parseResult{err: fmt.Errorf("parse %s: %w", path, err)}
	}
	res := parseResult{rows: rowsOf(filepath.Base(path), rep)}
	switch {
	case errors.Is(err, dsn.ErrTooLarge):
		res.warn = err
	case err != nil:
		res.err = fmt.Errorf("parse %s: %w", path, err)
	}
	return res
}

// parseMbox parses every message of an mbox file. Records are numbered
// through the file, so (file, index) still names one record; a message
// with no record prints an index 0 row. A message that fails is reported
// with its number and the rest are still read.
func parseMbox(path string, r io.Reader, opts *dsn.Options) parseResult {
	mr := mbox.NewReader(r)
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = dsn.DefaultMaxSize
	}
	var res parseResult
	file := filepath.Base(path)
	index := 0
	for n := 1; ; n++ {
		msg, err := mr.Next(int(maxSize))
		if errors.Is(err, io.EOF) {
			return res
		}
		if err != nil {
			res.err = errors.Join(res.err, fmt.Errorf("parse %s: message %d: %w", path, n, err))
			if msg == nil {
				return res
			}
		}
		rep, perr := dsn.ParseWithOptions(bytes.NewReader(msg), opts)
		switch {
		case rep == nil:
			res.err = errors.Join(res.err, fmt.Errorf("parse %s: message %d: %w", path, n, perr))
			continue
		case errors.Is(perr, dsn.ErrTooLarge):
			res.warn = errors.Join(res.warn, fmt.Errorf("message %d: %w", n, perr))
		case perr != nil:
			res.err = errors.Join(res.err, fmt.Errorf("parse %s: message %d: %w", path, n, perr))
		}
		for _, row := range rowsOf(file, rep) {
			if row.Index > 0 {
				index++
				row.Index = index
			}
			res.rows = append(res.rows, row)
		}
	}
}

// sizedReader tells dsn how long a file is (Len), so the message is read
// into one buffer of the right size.
type sizedReader struct {
	io.Reader
	size int64
}

// Len returns the size of the file.
func (r sizedReader) Len() int { return int(r.size) }

// rowsOf flattens a Report into output rows.
func rowsOf(file string, rep *dsn.Report) []parseRow {
	if len(rep.Recipients) == 0 {
		return []parseRow{{File: file, Index: 0, Type: string(rep.Type)}}
	}
	rows := make([]parseRow, 0, len(rep.Recipients))
	for i, r := range rep.Recipients {
		rcpt, final, orig := r.Address(), "", ""
		if rcpt != r.FinalRecipient {
			final = r.FinalRecipient
		} else if !strings.EqualFold(rcpt, r.OriginalRecipient) {
			orig = r.OriginalRecipient
		}
		rows = append(rows, parseRow{
			File: file, Index: i + 1, Type: string(rep.Type), Recipient: rcpt, FinalRecipient: final, OriginalRecipient: orig,
			Action: r.Action, Status: r.Status, ReplyCode: r.ReplyCode,
			Class: string(r.Class), Reason: string(r.Reason), Diagnostic: r.Diagnostic,
			RemoteMTA: r.RemoteMTA, FeedbackType: r.FeedbackType,
		})
	}
	return rows
}

// printResults prints the results in input order and returns how many
// inputs failed. Rows are written through a buffer, flushed whenever the
// next result is not ready yet (and before a message on stderr, to keep
// both in order).
func printResults(stdout, stderr io.Writer, asJSON bool, paths []string, results []chan parseResult) (int, error) {
	out := bufio.NewWriterSize(stdout, 64<<10)
	var enc *json.Encoder
	var tw *tabwriter.Writer
	if asJSON {
		enc = json.NewEncoder(out)
		enc.SetEscapeHTML(false)
	} else {
		tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE\t#\tTYPE\tRECIPIENT\tACTION\tSTATUS\tCODE\tCLASS\tREASON\tDIAGNOSTIC")
	}
	failed := 0
	for i, ch := range results {
		var res parseResult
		select {
		case res = <-ch:
		default:
			if err := out.Flush(); err != nil {
				return failed, fmt.Errorf("parse: write: %w", err)
			}
			res = <-ch
		}
		if res.err != nil || res.warn != nil {
			if err := out.Flush(); err != nil {
				return failed, fmt.Errorf("parse: write: %w", err)
			}
		}
		if res.err != nil {
			failed++
			fmt.Fprintf(stderr, "bouncer: %s: %v\n", paths[i], res.err)
		}
		if res.warn != nil {
			fmt.Fprintf(stderr, "bouncer: %s: %v; parsed the first part only\n", paths[i], res.warn)
		}
		for _, row := range res.rows {
			if err := writeRow(enc, tw, row); err != nil {
				return failed, fmt.Errorf("parse: write: %w", err)
			}
		}
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return failed, fmt.Errorf("parse: write: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return failed, fmt.Errorf("parse: write: %w", err)
	}
	return failed, nil
}

// writeRow prints one row as JSON or as a table line.
func writeRow(enc *json.Encoder, tw *tabwriter.Writer, r parseRow) error {
	if enc != nil {
		return enc.Encode(r)
	}
	diag := r.Diagnostic
	if len(diag) > 70 {
		diag = diag[:67] + "..."
	}
	_, err := fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.File, r.Index, r.Type,
		r.Recipient, r.Action, r.Status, r.ReplyCode, r.Class, r.Reason, diag)
	return err
}
