package dsn

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesStayInDSN checks dsn and its packages (mbox, the MIME
// containers) import nothing of this module outside dsn/: it is a format
// package, with no logs, clocks, databases or network of ours.
func TestDependenciesStayInDSN(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/bouncer-mail/bouncer/"
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, module) && dep != module+"dsn" && !strings.HasPrefix(dep, module+"dsn/") {
			t.Errorf("dsn depends on %s", dep)
		}
	}
}
