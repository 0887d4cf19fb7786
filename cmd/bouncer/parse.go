package main

import (
	"bufio"
	"bytes"
	"cmp"
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
"final_recipient" or "original_recipient". Each record also shows the
Message-ID of the returned message ("original_message_id": what bouncer
status and the rates go by) and the stream ingest would file it under
("stream", "stream_source": the signed return path, the header named by
streams.header, or default), read with the configuration when there is one
(verp keys, streams.header, the mailboxes' addresses); with no verp key the
signed return path is not checked ("stream_note" says so, and names a stream
header that is not a valid label). Needs no configuration file or
database. Files are read in
parallel and printed in a stable order (the order of the arguments, and
within a directory by path). The exit status is 1 when a file could not be
read or parsed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: f.run,
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON lines instead of a table")
	cmd.Flags().Int64Var(&f.maxSize, "max-size", dsn.DefaultMaxSize, "bytes read from each message (default dsn.max_message_bytes)")
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
	// OriginalMessageID is the Message-ID of the returned message.
	OriginalMessageID string `json:"original_message_id"`
	// Stream is the stream ingest files the report under; StreamSource
	// says why (verp.SourceReturnPath, SourceHeader, SourceDefault).
	Stream       string `json:"stream"`
	StreamSource string `json:"stream_source"`
	// StreamNote names a stream header that is not a valid label, and says
	// when signed return paths are not checked (no verp key).
	StreamNote string `json:"stream_note,omitempty"`
}

// parseResult is the outcome for one input.
type parseResult struct {
	rows  []parseRow
	notes []string // stream headers that are not valid labels
	err   error    // the input failed
	warn  error    // the input was read only in part
}

func (f *parseFlags) run(cmd *cobra.Command, args []string) error {
	paths, err := expandInputs(args)
	if err != nil {
		return withExit(1, err)
	}
	cfg, err := parseConfig(cmd)
	if err != nil {
		return err
	}
	attribute, verifying, err := newAttributor(cfg, nil)
	if err != nil {
		return withExit(exitConfig, err)
	}
	ps := &parseSetup{opts: dsnOptions(cfg, verifying), attribute: attribute, verifying: verifying, header: cfg.Streams.Header}
	if cmd.Flags().Changed("max-size") {
		ps.opts.MaxSize = f.maxSize
	}
	if !f.json && !verifying {
		fmt.Fprintf(cmd.ErrOrStderr(), "bouncer: %s: STREAM is the stream header's or default\n", errSignedUnchecked)
	}
	results := parseAll(cmd.Context(), paths, ps, cmd.InOrStdin())
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
func parseAll(ctx context.Context, paths []string, ps *parseSetup, stdin io.Reader) []chan parseResult {
	results := make([]chan parseResult, len(paths))
	for i := range results {
		results[i] = make(chan parseResult, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range jobs {
				results[i] <- parseOne(ctx, paths[i], ps, stdin)
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
func parseOne(ctx context.Context, path string, ps *parseSetup, stdin io.Reader) parseResult {
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
		return parseMbox(ctx, path, br, ps)
	}
	in = br
	if size >= 0 {
		in = sizedReader{br, size}
	}
	rep, err := dsn.ParseWithOptions(in, ps.opts)
	if rep == nil {
		return parseResult{err: fmt.Errorf("parse %s: %w", path, err)}
	}
	var res parseResult
	res.add(ctx, ps, filepath.Base(path), rep)
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
func parseMbox(ctx context.Context, path string, r io.Reader, ps *parseSetup) parseResult {
	mr := mbox.NewReader(r)
	maxSize := ps.opts.MaxSize
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
		rep, perr := dsn.ParseWithOptions(bytes.NewReader(msg), ps.opts)
		switch {
		case rep == nil:
			res.err = errors.Join(res.err, fmt.Errorf("parse %s: message %d: %w", path, n, perr))
			continue
		case errors.Is(perr, dsn.ErrTooLarge):
			res.warn = errors.Join(res.warn, fmt.Errorf("message %d: %w", n, perr))
		case perr != nil:
			res.err = errors.Join(res.err, fmt.Errorf("parse %s: message %d: %w", path, n, perr))
		}
		from := len(res.rows)
		res.add(ctx, ps, file, rep)
		for i := from; i < len(res.rows); i++ {
			if res.rows[i].Index > 0 {
				index++
				res.rows[i].Index = index
			}
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
		fmt.Fprintln(tw, "FILE\t#\tTYPE\tRECIPIENT\tACTION\tSTATUS\tCODE\tCLASS\tREASON\tSTREAM\tMESSAGE-ID\tDIAGNOSTIC")
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
		if tw != nil && len(res.notes) > 0 {
			if err := out.Flush(); err != nil {
				return failed, fmt.Errorf("parse: write: %w", err)
			}
			for _, n := range res.notes {
				fmt.Fprintf(stderr, "bouncer: %s: %s\n", paths[i], n)
			}
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
	_, err := fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.File, r.Index, r.Type,
		r.Recipient, r.Action, r.Status, r.ReplyCode, r.Class, r.Reason, streamCell(r), cmp.Or(r.OriginalMessageID, "-"), diag)
	return err
}
