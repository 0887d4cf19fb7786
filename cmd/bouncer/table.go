package main

import (
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// tableWidth is the most columns a table takes, unless it goes to a wider
// terminal (terminalWidth).
const tableWidth = 100

// terminalWidth returns the width of the terminal w is, if it is one.
var terminalWidth = func(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	return cols, err == nil
}

// widthFor is how wide a table written to w may be: tableWidth, or the
// terminal's width when w is a wider one (a reason or diagnostic is cut
// only where the screen ends).
func widthFor(w io.Writer) int {
	if cols, ok := terminalWidth(w); ok && cols > tableWidth {
		return cols
	}
	return tableWidth
}

// minFlexWidth is as narrow as a shrinkable column gets.
const minFlexWidth = 10

// printTable writes rows (the first is the header) in columns two spaces
// apart, at most widthFor(w) wide: while wider, the widest of the flex
// columns is narrowed (cells cut with "…"), none below minFlexWidth.
func printTable(w io.Writer, rows [][]string, flex ...int) error {
	if len(rows) == 0 {
		return nil
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	total := 2 * (len(widths) - 1)
	for _, n := range widths {
		total += n
	}
	for limit := widthFor(w); total > limit; {
		widest := -1
		for _, i := range flex {
			if widths[i] > minFlexWidth && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
		total--
	}
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			c = shorten(c, widths[i])
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// zoneLabel is the local time zone's abbreviation now, for table headers
// whose times are local ("LAST SEEN (CET)").
func zoneLabel(now time.Time) string { return now.Local().Format("MST") }
