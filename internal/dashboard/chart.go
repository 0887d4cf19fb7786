package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// chart is a stacked bar chart, one bar per UTC day, drawn by the
// template as SVG: each bar a group with a title (the day's figures, read
// by screen readers and shown on hover), each segment a rect whose class
// picks its colour from the stylesheet.
type chart struct {
	Title         string
	Width, Height float64 // the viewBox; the SVG scales to its container
	Top           float64 // plot area starts here
	Plot          float64 // plot height
	Max           int
	Bars          []bar
	Labels        []label
	Legend        []string
}

type bar struct {
	X, W  float64
	Day   string
	Title string
	Segs  []seg
}

type seg struct {
	Y, H  float64
	Class string
}

type label struct {
	X    float64
	Text string
}

// Base is the y of the chart's baseline.
func (c chart) Base() float64 { return c.Top + c.Plot }

// classOrder is the stacking order, bottom up.
var classOrder = []string{"hard", "soft", "block", "complaint", "ignore"}

// dayList returns the n UTC days ending with the one holding now.
func dayList(now time.Time, n int) []string {
	end := now.UTC().Truncate(24 * time.Hour)
	out := make([]string, n)
	for i := range n {
		out[i] = end.AddDate(0, 0, i-n+1).Format("2006-01-02")
	}
	return out
}

// newChart lays out counts (by day, then key) as stacked bars over ds,
// in the order of keys.
func newChart(title string, ds []string, keys []string, counts []suppression.DayCount) chart {
	byDay := map[string]map[string]int{}
	for _, c := range counts {
		if byDay[c.Day] == nil {
			byDay[c.Day] = map[string]int{}
		}
		byDay[c.Day][c.Key] += c.N
	}
	c := chart{Title: title, Width: 720, Height: 220, Top: 16, Plot: 170, Legend: keys}
	for _, d := range ds {
		total := 0
		for _, k := range keys {
			total += byDay[d][k]
		}
		c.Max = max(c.Max, total)
	}
	scale := c.Plot / float64(max(c.Max, 1))
	left, width := 40.0, c.Width-48
	step := width / float64(len(ds))
	every := max(1, len(ds)/6)
	for i, d := range ds {
		b := bar{X: left + float64(i)*step, W: max(step*0.8, 0.5), Day: d}
		y := c.Top + c.Plot
		var parts []string
		for _, k := range keys {
			n := byDay[d][k]
			if n == 0 {
				continue
			}
			h := float64(n) * scale
			y -= h
			b.Segs = append(b.Segs, seg{Y: y, H: h, Class: "c-" + k})
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
		if len(parts) == 0 {
			parts = []string{"none"}
		}
		b.Title = d + ": " + strings.Join(parts, ", ")
		c.Bars = append(c.Bars, b)
		if i%every == 0 || i == len(ds)-1 {
			c.Labels = append(c.Labels, label{X: b.X, Text: d[5:]})
		}
	}
	return c
}
