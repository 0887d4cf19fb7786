package poller

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDatabaseDependency checks the mailbox package links no database:
// it talks to the store only through the types of internal/inbound and the
// interfaces it declares, so neither suppression nor a SQL driver is among
// its dependencies.
func TestNoDatabaseDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "github.com/bouncer-mail/bouncer/suppression",
			strings.HasPrefix(dep, "github.com/lib/pq"),
			strings.HasPrefix(dep, "modernc.org/sqlite"),
			strings.HasPrefix(dep, "github.com/jmoiron/sqlx"),
			strings.HasPrefix(dep, "github.com/pressly/goose"):
			t.Errorf("poller depends on %s", dep)
		}
	}
}
