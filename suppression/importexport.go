package suppression

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/migrations"
)

// ErrInvalidImport is returned by Import when lines are bad and
// SkipInvalid is off; it is joined with one LineError per bad line.
var ErrInvalidImport = errors.New("suppression: import: invalid lines, nothing imported (use skip-invalid to import the rest)")

// LineError is a bad line of an import file.
type LineError struct {
	Line int
	Err  error
}

// Error reports the line and the problem.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the problem.
func (e *LineError) Unwrap() error { return e.Err }

// ImportOptions tune Import.
type ImportOptions struct {
	// Format forces a layout; empty detects it from the header row.
	Format string
	// SkipInvalid imports the good lines when some are bad; otherwise one
	// bad line means nothing is imported.
	SkipInvalid bool
	// Overwrite replaces active suppressions that bounces or complaints
	// made (their reason, time and source, which then freeze); without it
	// they are kept, as the richer record, and listed in ImportResult.Kept.
	Overwrite bool
}

// ImportResult says what Import did.
type ImportResult struct {
	Format      string
	Imported    int         // addresses suppressed (each once, however often listed)
	Allowlisted []string    // skipped: the allowlist covers them
	Kept        []Entry     // skipped: already suppressed by bounces or complaints (not with Overwrite)
	Invalid     []LineError // bad lines (skipped with SkipInvalid)
}

// Import reads a suppression list in one of Formats (recognised by its
// header row) and suppresses every address in it (source "import", or
// "manual" for our own manual rows), in one transaction. Bad lines are
// reported with their line numbers; unless opts.SkipInvalid, any bad line
// means nothing is imported and the error wraps ErrInvalidImport.
func (s *Store) Import(ctx context.Context, r io.Reader, opts ImportOptions, now time.Time) (ImportResult, error) {
	rows, res, err := s.readImport(r, opts)
	if err != nil {
		return res, err
	}
	if len(res.Invalid) > 0 && !opts.SkipInvalid {
		errs := []error{ErrInvalidImport}
		for i := range res.Invalid {
			errs = append(errs, &res.Invalid[i])
		}
		return res, errors.Join(errs...)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res.Imported, res.Allowlisted, res.Kept, err = s.importRows(ctx, tx, rows, opts.Overwrite, now)
		if err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, now, ActionImport, "", importDetail(res), "")
	})
	if err != nil {
		return res, fmt.Errorf("suppression: import: %w", err)
	}
	return res, nil
}

// importDetail says in words what Import did.
func importDetail(r ImportResult) string {
	addresses := func(n int) string {
		if n == 1 {
			return "1 address"
		}
		return fmt.Sprintf("%d addresses", n)
	}
	return fmt.Sprintf("imported %s (%s format); %d skipped as allowlisted, %d kept as suppressed by a bounce or complaint, %d invalid lines skipped",
		addresses(r.Imported), r.Format, len(r.Allowlisted), len(r.Kept), len(r.Invalid))
}

// importRow is one address to suppress from a file.
type importRow struct {
	addr, source string
	m            Manual
}

func (s *Store) readImport(r io.Reader, opts ImportOptions) ([]importRow, ImportResult, error) {
	var res ImportResult
	br := bufio.NewReader(r)
	cr := csv.NewReader(br)
	cr.FieldsPerRecord, cr.ReuseRecord = -1, true
	cr.Comma = sniffComma(br)
	head, err := cr.Read()
	if err != nil {
		return nil, res, fmt.Errorf("suppression: import: header row: %w", err)
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[fold(h)] = i
	}
	f, err := s.detectFormat(cols, opts.Format)
	if err != nil {
		return nil, res, err
	}
	res.Format = f.name
	seen := map[string]int{}
	var out []importRow
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return out, res, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, res, fmt.Errorf("suppression: import: %w", err)
			}
			res.Invalid = append(res.Invalid, LineError{Line: pe.StartLine, Err: pe.Err})
			continue
		}
		line, _ := cr.FieldPos(0)
		ir, ok, err := s.readRow(f, row{cols: cols, fields: fields})
		if err != nil {
			res.Invalid = append(res.Invalid, LineError{Line: line, Err: err})
			continue
		}
		if !ok {
			continue
		}
		if i, dup := seen[ir.addr]; dup {
			out[i] = ir // a later line for the same address wins
			continue
		}
		seen[ir.addr] = len(out)
		out = append(out, ir)
	}
}

// sniffComma returns ';' for a file whose header row has semicolons and no
// commas (spreadsheets in locales with a decimal comma save CSV so), else
// ','.
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(4096) // less at the end of a short file
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, ';') >= 0 && bytes.IndexByte(head, ',') < 0 {
		return ';'
	}
	return ','
}

func (s *Store) detectFormat(cols map[string]int, forced string) (format, error) {
	if forced != "" {
		return formatNamed(forced)
	}
	for _, f := range formats {
		if f.detect(cols) {
			return f, nil
		}
	}
	return format{}, errors.New("suppression: import: unknown header row (want the columns of one of: bouncer, ses, sendgrid, mailgun, postmark)")
}

// readRow reads one line; ok is false for a line that suppresses nothing.
func (s *Store) readRow(f format, r row) (importRow, bool, error) {
	addr, m, source, err := f.read(r)
	if err != nil {
		return importRow{}, false, err
	}
	if source == "" {
		return importRow{}, false, nil
	}
	a, err := Normalize(addr, s.opts.CaseSensitive)
	if err != nil {
		return importRow{}, false, err
	}
	return importRow{addr: a, source: source, m: m}, true, nil
}

// importRows writes the rows, skipping allowlisted addresses and (unless
// overwrite) those bounces or complaints suppress now, with one statement
// per source.
func (s *Store) importRows(ctx context.Context, tx *sqlx.Tx, rows []importRow, overwrite bool, now time.Time) (int, []string, []Entry, error) {
	if len(rows) == 0 {
		return 0, nil, nil, nil
	}
	addrs := make([]string, len(rows))
	for i, r := range rows {
		addrs[i] = r.addr
	}
	allowed, err := s.allowed(ctx, tx, addrs)
	if err != nil {
		return 0, nil, nil, err
	}
	existing, err := s.loadEntries(ctx, tx, addrs)
	if err != nil {
		return 0, nil, nil, err
	}
	var skipped []string
	var kept []Entry
	bySource := map[string][]importRow{}
	for _, r := range rows {
		if allowed[r.addr] {
			skipped = append(skipped, r.addr)
			continue
		}
		if e, ok := existing[r.addr]; ok && !overwrite && e.Active(now) && (e.Source == SourceBounce || e.Source == SourceComplaint) {
			kept = append(kept, e)
			continue
		}
		bySource[r.source] = append(bySource[r.source], r)
	}
	n := 0
	for _, src := range sortedKeys(bySource) {
		rs := bySource[src]
		a, ms := make([]string, len(rs)), make([]Manual, len(rs))
		for i, r := range rs {
			a[i], ms[i] = r.addr, r.m
		}
		if _, err := s.suppressManual(ctx, tx, a, ms, src, now); err != nil {
			return 0, nil, nil, err
		}
		n += len(rs)
	}
	return n, skipped, kept, nil
}

// Export writes the entries f selects (active at now unless f.All) as CSV
// in the named format, with its header row, streamed from one query: memory
// stays flat whatever the size of the list. Cells a spreadsheet would run
// as a formula are defused (DefuseCSV).
func (s *Store) Export(ctx context.Context, w io.Writer, formatName string, f Filter, now time.Time) (int, error) {
	ft, err := formatNamed(formatName)
	if err != nil {
		return 0, err
	}
	if ft.name == FormatBouncer && s.dialect == migrations.Postgres {
		return s.exportBouncerPG(ctx, w, f, now)
	}
	return s.exportCSV(ctx, w, ft, f, now)
}

// exportCSV is Export through Each and encoding/csv, for every format and
// dialect.
func (s *Store) exportCSV(ctx context.Context, w io.Writer, ft format, f Filter, now time.Time) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ft.header); err != nil {
		return 0, fmt.Errorf("suppression: export: %w", err)
	}
	n := 0
	err := s.Each(ctx, f, now, func(e Entry) error {
		n++
		rec := ft.write(e)
		for i, v := range rec {
			rec[i] = DefuseCSV(v)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("suppression: export: %w", err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("suppression: export: %w", err)
	}
	return n, nil
}
