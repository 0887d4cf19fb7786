package main

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// tableWidth is the most columns a terminal table takes.
const tableWidth = 100

// minFlexWidth is as narrow as a shrinkable column gets.
const minFlexWidth = 10

// printTable writes rows (the first is the header) in columns two spaces
// apart, at most tableWidth wide: while wider, the widest of the flex
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
	for total > tableWidth {
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
