package testenv

import (
	"os"
	"strings"
	"testing"
)

// DocBlock returns the fenced code block of language lang (```lang) in
// the documentation file at path that contains marker, so a test can run
// what the docs show; the test fails when there is none.
func DocBlock(t testing.TB, path, lang, marker string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```"+lang+"\n")[1:] {
		code, _, _ := strings.Cut(block, "```")
		if strings.Contains(code, marker) {
			return code
		}
	}
	t.Fatalf("%s has no %s block containing %q", path, lang, marker)
	return ""
}
