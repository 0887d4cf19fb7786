package dashboard

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/suppression"
)

// ratesData is what the rates template shows: a table per stream, the
// streams together last.
type ratesData struct {
	Days      int
	Zooms     []int
	LastDay   string
	TimeZone  string
	MinVolume string
	Tables    []rateTable
}

// rateTable is one stream's rows: its days, newest first, then the
// trailing 7 and 30 days.
type rateTable struct {
	Stream string
	Rows   []rateRow
}

// rateRow is one period of a rateTable; Over names the provider threshold
// a rate reaches ("" when none).
type rateRow struct {
	Period                         string
	Sent, Hard, Soft, Block, Compl string
	Bounce, Complaint              string
	BounceOver, ComplaintOver      string
	Trailing                       bool
}

func (h *handler) rates(w http.ResponseWriter, r *http.Request, s session) {
	n := 7
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && slices.Contains(zooms, v) {
		n = v
	}
	rates, err := h.store.Rates(r.Context(), suppression.RatesQuery{Days: n, Last: h.opts.Now(), Location: h.opts.Location, MinVolume: h.opts.MinVolume})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := ratesData{Days: n, Zooms: zooms, LastDay: rates.LastDay, TimeZone: rates.TimeZone, MinVolume: suppression.FormatCount(rates.MinVolume)}
	for _, sr := range rates.Streams {
		d.Tables = append(d.Tables, newRateTable(sr.Stream, sr))
	}
	if len(rates.Streams) > 1 {
		d.Tables = append(d.Tables, newRateTable("all streams", *rates.Overall))
	}
	h.render(w, r, &s, "rates", http.StatusOK, page{Title: "Rates", Nav: "rates", Data: d})
}

// newRateTable lays out one stream's figures.
func newRateTable(name string, sr suppression.StreamRates) rateTable {
	t := rateTable{Stream: name}
	for i := len(sr.Days) - 1; i >= 0; i-- {
		t.Rows = append(t.Rows, newRateRow(sr.Days[i].Day, sr.Days[i].RateFigures, false))
	}
	t.Rows = append(t.Rows, newRateRow("last 7 days", sr.Last7, true), newRateRow("last 30 days", sr.Last30, true))
	return t
}

func newRateRow(period string, f suppression.RateFigures, trailing bool) rateRow {
	c := suppression.FormatCount
	row := rateRow{Period: period, Sent: c(f.Sent), Hard: c(f.Hard), Soft: c(f.Soft), Block: c(f.Block), Compl: c(f.Complaint),
		Bounce: suppression.FormatRate(f.BounceRate), Complaint: suppression.FormatRate(f.ComplaintRate), Trailing: trailing}
	if f.Enough() {
		row.BounceOver, row.ComplaintOver = notify.BounceMark(*f.BounceRate), notify.ComplaintMark(*f.ComplaintRate)
	}
	return row
}
