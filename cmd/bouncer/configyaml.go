package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlLineRe splits a YAML syntax error into its line and its problem.
var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// maxRelocateLines bounds relocateYAMLError's re-parsing (quadratic in
// lines); config files are far shorter.
const maxRelocateLines = 2000

// relocateYAMLError corrects the line of a YAML parser error. go-yaml
// reports a parser error (did not find expected key, …) at the start of the
// enclosing block, counted from 0, often lines above the mistake; the line
// to fix is the first one whose inclusion makes the file fail with the same
// problem, found by parsing ever longer prefixes. Scanner errors (tabs, bad
// characters) already name their line and are returned as they are.
func relocateYAMLError(data []byte, err error) error {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil || !isYAMLParserProblem(m[2]) {
		return err
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxRelocateLines {
		return err
	}
	var prefix []byte
	for i, l := range lines {
		prefix = append(prefix, l...)
		var n yaml.Node
		perr := yaml.Unmarshal(prefix, &n)
		if perr == nil {
			continue
		}
		if pm := yamlLineRe.FindStringSubmatch(perr.Error()); pm != nil && pm[2] == m[2] {
			return fmt.Errorf("yaml: line %d: %s", i+1, m[2])
		}
	}
	return err
}

// isYAMLParserProblem reports whether problem is one of go-yaml's parser
// (not scanner) messages, the ones reported at the wrong line.
func isYAMLParserProblem(problem string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML", "found undefined tag"} {
		if strings.HasPrefix(problem, p) {
			return true
		}
	}
	return false
}
