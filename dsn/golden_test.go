package dsn

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus/*/*.golden.json from the parser's output")

// corpusFiles returns the paths of every corpus message in testdata.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	sort.Strings(files)
	return files
}

// TestGolden parses every corpus message and compares the Report, field by
// field, with NAME.golden.json; the same message with CRLF and with CR line
// endings must give the same Report.
//
// With -update it rewrites the golden files and fails listing every class
// or reason it changed (file, record index, old → new), so that no rewrite
// of classes goes unseen: the commit that carries it says which and why.
func TestGolden(t *testing.T) {
	var flips []string
	defer func() {
		if len(flips) > 0 {
			t.Errorf("-update rewrote %d classes or reasons (list them in the commit message, with why; run the tests again to check):\n%s",
				len(flips), strings.Join(flips, "\n"))
		}
	}()
	for _, path := range corpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(filepath.Base(filepath.Dir(path))+"/"+name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rep := mustParse(t, data)
			got := reportJSON(t, rep)
			golden := strings.TrimSuffix(path, ".eml") + ".golden.json"
			if *update {
				old, _ := os.ReadFile(golden) // none yet: every record is new
				flips = append(flips, classFlips(path, old, rep)...)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./dsn -update)", err)
			}
			for _, d := range diffJSON(want, got) {
				t.Error(d)
			}
			lf := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
			for ending, sep := range map[string]string{"CRLF": "\r\n", "CR": "\r"} {
				other := mustParse(t, bytes.ReplaceAll(lf, []byte("\n"), []byte(sep)))
				if !reflect.DeepEqual(other, rep) {
					for _, d := range diffJSON(got, reportJSON(t, other)) {
						t.Errorf("%s: %s", ending, d)
					}
				}
			}
		})
	}
}

func mustParse(t *testing.T, data []byte) *Report {
	t.Helper()
	rep, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rep
}

func reportJSON(t *testing.T, rep *Report) []byte {
	t.Helper()
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// diffJSON compares two JSON documents leaf by leaf and describes each
// difference by its path ("Recipients[0].Status: got "5.1.1", want "5.1.0"").
func diffJSON(want, got []byte) []string {
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return []string{fmt.Sprintf("golden file: %v", err)}
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return []string{fmt.Sprintf("output: %v", err)}
	}
	var out []string
	diffValue("", w, g, &out)
	return out
}

func diffValue(path string, w, g any, out *[]string) {
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range wv {
			keys[k] = true
		}
		for k := range gv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			diffValue(path+"."+k, wv[k], gv[k], out)
		}
		return
	case []any:
		gv, ok := g.([]any)
		if !ok || len(gv) != len(wv) {
			break
		}
		for i := range wv {
			diffValue(fmt.Sprintf("%s[%d]", path, i), wv[i], gv[i], out)
		}
		return
	}
	if !reflect.DeepEqual(w, g) {
		*out = append(*out, fmt.Sprintf("%s: got %s, want %s", strings.TrimPrefix(path, "."), compact(g), compact(w)))
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// classFlips lists the records of rep whose class or reason differs from
// the golden file old (empty: no golden file yet), and the records that
// appear or disappear, as "path #index: old → new".
func classFlips(path string, old []byte, rep *Report) []string {
	var was struct{ Recipients []Recipient }
	if len(old) > 0 {
		if err := json.Unmarshal(old, &was); err != nil {
			return []string{fmt.Sprintf("%s: golden file: %v", path, err)}
		}
	}
	verdict := func(rs []Recipient, i int) string {
		if i >= len(rs) {
			return "(no record)"
		}
		return string(rs[i].Class) + "/" + string(rs[i].Reason)
	}
	var out []string
	for i := range max(len(was.Recipients), len(rep.Recipients)) {
		if o, n := verdict(was.Recipients, i), verdict(rep.Recipients, i); o != n && len(old) > 0 {
			out = append(out, fmt.Sprintf("%s #%d: %s → %s", path, i+1, o, n))
		}
	}
	return out
}
