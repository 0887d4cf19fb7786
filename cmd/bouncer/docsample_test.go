package main

import (
	"os"
	"strings"
	"testing"
)

// docSample returns the sample output in docs/FILE that follows the command
// line cmd (a line "$ cmd" in a fenced block, or indented four spaces): the
// lines after it up to the end of the block, each with the indent removed
// and a newline after it. A test prints the same command's output and
// compares, so the docs show what bouncer prints.
func docSample(t *testing.T, file, cmd string) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/" + file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		indent, ok := strings.CutSuffix(line, "$ "+cmd)
		if !ok || strings.TrimSpace(indent) != "" {
			continue
		}
		var out strings.Builder
		for _, l := range lines[i+1:] {
			if l == "```" || indent != "" && !strings.HasPrefix(l, indent) {
				break
			}
			out.WriteString(strings.TrimPrefix(l, indent) + "\n")
		}
		return out.String()
	}
	t.Fatalf("docs/%s has no sample of `$ %s`", file, cmd)
	return ""
}
