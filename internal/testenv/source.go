package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SourceLines calls check with each line (numbered from 1) of every file
// under root whose name ends in one of exts, skipping _test.go files and
// hidden directories (.git, .testenv). Tests use it to hold the whole
// module to a rule a linter does not check.
func SourceLines(t testing.TB, root string, exts []string, check func(path string, n int, line string)) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") || !hasSuffix(path, exts) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			check(path, i+1, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func hasSuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}
