package suppression

import (
	"testing"
	"time"
)

func TestAppendCopyLine(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 500, time.UTC)
	b := new(batch).text("a", []string{"plain", "tab\there\\back\nline\rcr"}).time("t", []time.Time{at, at}).
		nullTime("n", []*time.Time{nil, &at}).boolean("b", []bool{true, false}).integer("i", []int64{-7, 42})
	tests := []string{
		"plain\t2026-03-01 12:00:00.0000005+00\t\\N\tt\t-7",
		`tab\there\\back\nline\rcr` + "\t2026-03-01 12:00:00.0000005+00\t2026-03-01 12:00:00.0000005+00\tf\t42",
	}
	for i, want := range tests {
		if got := string(b.appendCopyLine(nil, i)); got != want {
			t.Errorf("appendCopyLine(%d) = %q, want %q", i, got, want)
		}
	}
}
