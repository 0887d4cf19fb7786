package suppression

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The export of our own format on Postgres, tuned for lists of millions:
// the same bytes as Export's general path (encoding/csv over Entry, cells
// through DefuseCSV), without a value per cell. Each column is selected
// as its output function's cstring, a type lib/pq hands over as its own
// read buffer, scanned into sql.RawBytes: no string, no time.Time, no
// allocation per row. Times arrive as UTC timestamp text, cut into
// RFC 3339 by position.

// exportPGCols are entryCols as cstrings, timestamps in UTC.
var exportPGCols = func() string {
	var out []string
	for _, c := range strings.Split(entryCols, ",") {
		c = strings.TrimSpace(c)
		switch c {
		case "hard_count", "soft_count", "block_count", "complaint_count":
			out = append(out, "int4out("+c+")")
		case "suppressed":
			out = append(out, "boolout("+c+")")
		case "first_seen", "last_seen", "suppressed_at", "expires_at", "cleared_at":
			out = append(out, "timestamp_out("+c+" AT TIME ZONE 'UTC')")
		default:
			out = append(out, "textout("+c+")")
		}
	}
	return strings.Join(out, ", ")
}()

// exportBouncerPG writes the entries matching f at now in FormatBouncer,
// header first, and returns how many it wrote.
func (s *Store) exportBouncerPG(ctx context.Context, w io.Writer, f Filter, now time.Time) (int, error) {
	q, args, err := s.listQuery(f, now)
	if err != nil {
		return 0, err
	}
	q = strings.Replace(q, "SELECT "+entryCols+" FROM", "SELECT "+exportPGCols+" FROM", 1)
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	header := strings.Fields(strings.ReplaceAll(entryCols, ",", " "))
	for i, h := range header {
		line = appendCell(line, i, []byte(h), false)
	}
	if _, err := bw.Write(append(line, '\n')); err != nil {
		return 0, fmt.Errorf("suppression: export: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return 0, fmt.Errorf("suppression: list: %w", err)
	}
	defer rows.Close()
	cells := make([]sql.RawBytes, len(header))
	dests := make([]any, len(cells))
	for i := range cells {
		dests[i] = &cells[i]
	}
	isTime := make([]bool, len(header))
	for i, h := range header {
		isTime[i] = strings.HasSuffix(h, "_seen") || strings.HasSuffix(h, "_at")
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dests...); err != nil {
			return n, fmt.Errorf("suppression: list: %w", err)
		}
		line = line[:0]
		for i, c := range cells {
			switch {
			case isTime[i]:
				if line, err = appendTimeCell(line, i, c); err != nil {
					return n, fmt.Errorf("suppression: export: %w", err)
				}
			case header[i] == "suppressed":
				line = appendCell(line, i, boolText[string(c) == "t"], false)
			default:
				line = appendCell(line, i, c, true)
			}
		}
		if _, err := bw.Write(append(line, '\n')); err != nil {
			return n, fmt.Errorf("suppression: export: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("suppression: list: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("suppression: export: %w", err)
	}
	return n, nil
}

var boolText = map[bool][]byte{true: []byte("true"), false: []byte("false")}

// appendTimeCell appends a timestamp_out text ("2006-01-02 15:04:05" and
// maybe a fraction; empty for NULL) as timeText writes it: RFC 3339 in
// seconds.
func appendTimeCell(line []byte, i int, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return appendCell(line, i, nil, false), nil
	}
	if len(v) >= 19 && v[4] == '-' && v[10] == ' ' && v[13] == ':' && (len(v) == 19 || v[19] == '.') {
		var b [20]byte
		copy(b[:], v[:19])
		b[10], b[19] = 'T', 'Z'
		return appendCell(line, i, b[:], false), nil
	}
	t, err := time.Parse("2006-01-02 15:04:05.999999999", string(v)) // not expected: years past 9999, BC
	if err != nil {
		return line, err
	}
	return appendCell(line, i, []byte(t.Format(time.RFC3339)), true), nil
}

// appendCell appends cell i of a line as encoding/csv's Writer writes the
// value (a comma before all but the first; quoted when it must be), after
// DefuseCSV when defuse.
func appendCell(line []byte, i int, v []byte, defuse bool) []byte {
	if i > 0 {
		line = append(line, ',')
	}
	var quote byte
	if defuse && len(v) > 0 && strings.IndexByte(csvTriggers, v[0]) >= 0 {
		quote = '\''
	}
	if quote == 0 && !cellNeedsQuotes(v) || quote != 0 && !hasSpecial(v) {
		if quote != 0 {
			line = append(line, quote)
		}
		return append(line, v...)
	}
	line = append(line, '"')
	if quote != 0 {
		line = append(line, quote)
	}
	for _, c := range v {
		if c == '"' {
			line = append(line, '"')
		}
		line = append(line, c)
	}
	return append(line, '"')
}

// cellNeedsQuotes is encoding/csv's fieldNeedsQuotes for a comma: a value
// with a comma, quote or line break, the value `\.`, or one starting with
// a space (of any kind) is quoted. (A defused value starts with its quote:
// only hasSpecial applies.)
func cellNeedsQuotes(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	if len(v) == 2 && v[0] == '\\' && v[1] == '.' || hasSpecial(v) {
		return true
	}
	r, _ := utf8.DecodeRune(v)
	return unicode.IsSpace(r)
}

// hasSpecial reports whether v holds a comma, a quote or a line break.
func hasSpecial(v []byte) bool {
	for _, c := range v {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}
