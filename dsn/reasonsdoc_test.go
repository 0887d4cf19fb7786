package dsn

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestReasonsDocumented holds the reasons table of docs/classification.md
// to the Reason constants of report.go, both ways: an operator reading a
// reason in the report, the dashboard or bouncer parse finds it explained
// there, and the table names no reason the parser cannot give.
func TestReasonsDocumented(t *testing.T) {
	code := reasonConstants(t)
	doc := documentedReasons(t, "../docs/classification.md")
	for _, r := range sortedKeys(code) {
		if !doc[r] {
			t.Errorf("reason %q (report.go) is not in the reasons table of docs/classification.md", r)
		}
	}
	for _, r := range sortedKeys(doc) {
		if !code[r] {
			t.Errorf("docs/classification.md lists reason %q, which report.go does not define", r)
		}
	}
}

// reasonConstants returns the values of the constants of type Reason
// declared in report.go.
func reasonConstants(t *testing.T) map[string]bool {
	t.Helper()
	f, err := goparser.ParseFile(token.NewFileSet(), "report.go", nil, 0)
	if err != nil {
		t.Fatalf("parse report.go: %v", err)
	}
	out := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Reason" {
				continue
			}
			for _, val := range v.Values {
				lit, ok := val.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("report.go: %s: %v", lit.Value, err)
				}
				out[s] = true
			}
		}
	}
	if len(out) < 30 {
		t.Fatalf("report.go: found %d Reason constants, want the full set", len(out))
	}
	return out
}

// documentedReasons returns the reasons named in the first column of the
// table under "## Reasons" ("onhold / undefined" names two).
func documentedReasons(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Reasons\n")
	if !ok {
		t.Fatalf("%s: no \"## Reasons\" section", path)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	out := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "-") {
			continue
		}
		for _, r := range strings.Split(cells[1], "/") {
			if r = strings.TrimSpace(r); r != "" && r != "reason" {
				out[r] = true
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: the reasons table lists nothing", path)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
