package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocsLinks checks every relative link in README.md and docs/*.md
// names a file that exists and, with a #fragment, a heading of that file
// (GitHub's anchor rules), so moving a section cannot leave a dead link.
func TestDocsLinks(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{"../../README.md", "../../CONTRIBUTING.md"}, docs...)
	anchors := map[string]map[string]bool{}
	for _, f := range files {
		anchors[filepath.Clean(f)] = headingAnchors(t, f)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	scheme := regexp.MustCompile(`^[a-z]+:`)
	for _, f := range files {
		for n, line := range proseLines(t, f) {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if scheme.MatchString(target) {
					continue // https:, mailto:
				}
				path, frag, _ := strings.Cut(target, "#")
				file := filepath.Clean(f)
				if path != "" {
					file = filepath.Join(filepath.Dir(f), path)
					if _, err := os.Stat(file); err != nil {
						t.Errorf("%s:%d: link to %s: no such file", f, n, target)
						continue
					}
				}
				if frag == "" {
					continue
				}
				a, ok := anchors[file]
				if !ok {
					a = headingAnchors(t, file)
					anchors[file] = a
				}
				if !a[frag] {
					t.Errorf("%s:%d: link to %s: %s has no heading #%s", f, n, target, file, frag)
				}
			}
		}
	}
}

// proseLines returns the lines of a Markdown file outside fenced code
// blocks, by line number.
func proseLines(t *testing.T, path string) map[int]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, inCode := map[int]string{}, false
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if !inCode {
			lines[i+1] = line
		}
	}
	return lines
}

// headingAnchors returns the anchors GitHub gives a Markdown file's
// headings: lower case, punctuation but '-' and '_' dropped, spaces as
// '-', and -1, -2, … appended to repeats.
func headingAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	drop := regexp.MustCompile(`[^\p{L}\p{N}_\- ]`)
	heading := regexp.MustCompile(`^#{1,6} +(.*?) *#*$`)
	out, seen := map[string]bool{}, map[string]int{}
	for _, line := range proseLines(t, path) {
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		a := strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(m[1]), ""), " ", "-")
		if n := seen[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}
