package notify

import (
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// csvHeader names the columns of the newly-suppressed attachment; they match
// the suppressions table.
var csvHeader = []string{"email", "domain", "suppressed_at", "suppressed_reason", "last_class", "last_status", "last_diagnostic", "source"}

// WriteCSV writes the newly suppressed addresses as CSV, times in RFC 3339
// UTC. Cells a spreadsheet would run as a formula are prefixed with a quote:
// diagnostics are written by strangers.
func WriteCSV(w io.Writer, rows []suppression.NewSuppression) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("notify: csv: %w", err)
	}
	for _, r := range rows {
		rec := []string{r.Email, r.Domain, r.SuppressedAt.UTC().Format(time.RFC3339), r.Reason, r.Class, r.Status, r.Diagnostic, r.Source}
		for i, v := range rec {
			rec[i] = suppression.DefuseCSV(v)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("notify: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("notify: csv: %w", err)
	}
	return nil
}
