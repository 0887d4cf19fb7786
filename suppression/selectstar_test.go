package suppression

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestNoSelectStar checks no query in the module selects every column with
// `SELECT *` or `SELECT t.*`: a column added by a migration must not change
// what a query scans.
func TestNoSelectStar(t *testing.T) {
	star := regexp.MustCompile(`(?i)\bselect\s+(distinct\s+)?(\w+\.)?\*`)
	testenv.SourceLines(t, "..", []string{".go", ".sql"}, func(path string, n int, line string) {
		if star.MatchString(line) {
			t.Errorf("%s:%d: SELECT *: list the columns: %s", path, n, strings.TrimSpace(line))
		}
	})
}
