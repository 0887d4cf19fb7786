package dsn

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The accuracy gate: TestAccuracy scores every collection of messages with
// expectations, the way ../shared/corpus/score.py scores `bouncer parse
// --json`, and fails when a figure of any collection falls below its floor,
// listing the rows lost. A rule that wins one row and loses real bounces in
// another collection does not pass.
//
// Two kinds of collection (see testdata/README.md):
//   - record collections (sisimai, arf-mail-auth): expected records paired
//     by (file, index); figures records, recipient, hard, reason, status,
//     reply_code, feedback_type.
//   - address-set collections (bounceparser, mailbouncedetector, the
//     held-out ones): per file, the addresses that should be reported as
//     failed (class hard, soft or block); figures precision and recall over
//     addresses, exact (files whose set is exactly right), hard (class
//     agreement where the expectation names hard or soft), and with a
//     notice-truth file, notices (failure notices yielding a record) and
//     non-notices (other messages wrongly yielding one: a ceiling).
//
// Floors are today's figures, truncated to two decimals, so losing one row
// fails. Raising a floor when the parser improves: run
// `go test ./dsn -run Accuracy -v`, copy the new figure into the collection's
// floors below, and run `go test ./dsn -run Accuracy -update` to rewrite the
// collection's list of known misses (testdata/accuracy/NAME.misses), which
// the failure message uses to name the rows lost; -update refuses while a
// floor is missed. Lowering a floor needs a reason in the commit message.

// gateCollection is one collection the gate scores.
type gateCollection struct {
	name string
	// dir holds the messages and expected the expectation file, relative
	// to dsn/ for the collections in testdata. An external collection
	// (external true) is looked for as NAME/eml and NAME/expected.jsonl
	// under $BOUNCER_CORPUS, or under a shared/corpus folder beside the
	// repository; it is skipped when absent.
	dir, expected, isbounce string
	external                bool
	// floors maps a figure to its floor in percent (for non-notices, its
	// ceiling); every figure the collection has must have one.
	floors map[string]float64
	// targets are the goals, logged when not met.
	targets map[string]float64
}

// gateCollections lists every collection; TestAccuracy fails when a folder
// of testdata/corpus is missing from it.
var gateCollections = []gateCollection{
	{
		name: "sisimai", dir: "testdata/corpus/sisimai", expected: "testdata/expected/sisimai.jsonl",
		floors: map[string]float64{
			"records": 99.84, "recipient": 99.67, "hard": 97.53, "reason": 94.61,
			"status": 97.27, "reply_code": 98.44, "feedback_type": 100,
		},
		targets: map[string]float64{"recipient": 99.5, "hard": 98.0, "reason": 95.0},
	},
	{
		name: "arf-mail-auth", dir: "testdata/corpus/arf-mail-auth", expected: "testdata/expected/arf-mail-auth.jsonl",
		floors: map[string]float64{"records": 100, "reason": 100, "feedback_type": 100, "recipient": 100},
	},
	{
		name: "not", dir: "testdata/corpus/not", expected: "testdata/expected/sisimai_not.jsonl",
		floors: map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 100},
	},
	{
		name: "bounceparser", dir: "testdata/corpus/bounceparser", expected: "testdata/expected/bounceparser.jsonl",
		isbounce: "testdata/expected/bounceparser_isbounce.jsonl",
		floors: map[string]float64{
			"precision": 100, "recall": 100, "exact": 100, "hard": 78.78,
			"notices": 99.13, "non-notices": 0,
		},
		targets: map[string]float64{"precision": 97, "recall": 97, "notices": 99.13},
	},
	{
		name: "mailbouncedetector", dir: "testdata/corpus/mailbouncedetector", expected: "testdata/expected/mailbouncedetector.jsonl",
		floors: map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 83.33},
	},
	// Held-out collections: third-party fixtures that are not committed
	// here (see the README.md beside each); scored where found.
	{
		name: "flufl-bounce", external: true, // Mailman's flufl.bounce test samples, 103 messages
		floors:  map[string]float64{"precision": 99.09, "recall": 98.21, "exact": 98.05, "hard": 100, "notices": 100, "non-notices": 0},
		targets: map[string]float64{"precision": 98, "recall": 95},
	},
	{
		name: "bounce-email-py", external: true, // bounce_email's fixtures, 44 messages, labelled by hand
		floors:  map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 100, "notices": 100, "non-notices": 0},
		targets: map[string]float64{"precision": 98, "recall": 95},
	},
	{
		name: "flanker", external: true, // mailgun/flanker's bounce and complaint fixtures, 11 messages
		floors:  map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 100, "notices": 100, "non-notices": 0},
		targets: map[string]float64{"precision": 98, "recall": 95},
	},
	{
		name: "sisimai-new", external: true, // set-of-emails messages newer than shared/corpus/sisimai, 22, labelled by hand
		floors:  map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 100, "notices": 100, "non-notices": 0},
		targets: map[string]float64{"precision": 98, "recall": 95},
	},
	{
		name: "mikel-mail", external: true, // the Ruby mail gem's delivery-status reports, 5 messages
		floors:  map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 100, "notices": 100, "non-notices": 0},
		targets: map[string]float64{"precision": 98, "recall": 95},
	},
	{
		name: "mimekit", external: true, // MimeKit's report test messages, 7
		floors:  map[string]float64{"precision": 100, "recall": 100, "exact": 100, "hard": 100, "notices": 100, "non-notices": 0},
		targets: map[string]float64{"precision": 98, "recall": 95},
	},
}

// gateMiss is one row a figure got wrong.
type gateMiss struct {
	row  string // "file#index", or "file address"
	what string // what was wanted and got
}

// gateFigure is one figure of a collection.
type gateFigure struct {
	ok, n   int
	ceiling bool // ok counts wrong rows: the figure may not rise above its floor
	misses  []gateMiss
}

func (f gateFigure) pct() float64 {
	if f.n == 0 {
		if f.ceiling {
			return 0
		}
		return 100
	}
	return 100 * float64(f.ok) / float64(f.n)
}

// missesFloor reports whether the figure is worse than floor. Floors are
// written with two decimals, truncated, so a figure equal to today's passes.
func (f gateFigure) missesFloor(floor float64) bool {
	const eps = 1e-9
	if f.ceiling {
		return f.pct() > floor+0.005+eps
	}
	return f.pct() < floor-eps
}

// TestAccuracy scores every collection against its floors.
func TestAccuracy(t *testing.T) {
	checkEveryCollectionListed(t)
	for _, c := range gateCollections {
		t.Run(c.name, func(t *testing.T) {
			if c.external {
				if !c.locate() {
					t.Skipf("collection %s not found: put it in $BOUNCER_CORPUS/%s (or ../shared/corpus/%s) as eml/ and expected.jsonl", c.name, c.name, c.name)
				}
			}
			figs := c.score(t)
			c.report(t, figs)
		})
	}
}

// checkEveryCollectionListed fails when testdata/corpus holds a folder the
// gate does not score.
func checkEveryCollectionListed(t *testing.T) {
	t.Helper()
	dirs, err := os.ReadDir("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if !slices.ContainsFunc(gateCollections, func(c gateCollection) bool { return c.dir == "testdata/corpus/"+d.Name() }) {
			t.Errorf("testdata/corpus/%s is scored by no collection of gateCollections: add it with its floors", d.Name())
		}
	}
}

// locate sets dir, expected and isbounce of an external collection and
// reports whether it was found.
func (c *gateCollection) locate() bool {
	var roots []string
	if env := os.Getenv("BOUNCER_CORPUS"); env != "" {
		roots = append(roots, env)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			roots = append(roots, filepath.Join(d, "shared", "corpus"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, r := range roots {
		base := filepath.Join(r, c.name)
		if _, err := os.Stat(filepath.Join(base, "expected.jsonl")); err != nil {
			continue
		}
		c.dir, c.expected = filepath.Join(base, "eml"), filepath.Join(base, "expected.jsonl")
		if _, err := os.Stat(filepath.Join(base, "isbounce.jsonl")); err == nil {
			c.isbounce = filepath.Join(base, "isbounce.jsonl")
		}
		return true
	}
	return false
}

// score computes the collection's figures.
func (c gateCollection) score(t *testing.T) map[string]gateFigure {
	t.Helper()
	rows := readExpectedPath(t, c.expected)
	records := slices.ContainsFunc(rows, func(e expectedRecord) bool { return e.Reason != nil })
	var figs map[string]gateFigure
	if records {
		a := scoreCorpus(t, c.dir, rows, "")
		figs = map[string]gateFigure{}
		for _, f := range append([]string{"records"}, accuracyFields...) {
			if a.n[f] > 0 {
				figs[f] = gateFigure{ok: a.ok[f], n: a.n[f], misses: a.missed[f]}
			}
		}
		if a.disputedMismatch > 0 {
			t.Logf("mismatches on rows the reference marks disputed: %d", a.disputedMismatch)
			for _, f := range []string{"hard", "reason"} {
				t.Logf("%s agreeing with either reference version: %d/%d = %.2f%%", f, a.eitherOK[f], a.n[f], 100*float64(a.eitherOK[f])/float64(a.n[f]))
			}
		}
	} else {
		figs = scoreAddressSets(t, c.dir, rows)
	}
	if c.isbounce != "" {
		scoreNotices(t, c.dir, c.isbounce, figs)
	}
	return figs
}

// reportedClass is whether a record counts as a reported failure.
func reportedClass(c Class) bool { return c == ClassHard || c == ClassSoft || c == ClassBlock }

// scoreAddressSets scores a collection of address-set rows: precision and
// recall over the failed addresses reported per file.
func scoreAddressSets(t *testing.T, dir string, rows []expectedRecord) map[string]gateFigure {
	t.Helper()
	want := map[string]map[string]string{} // file → address → expected class ("" when not given)
	for _, e := range rows {
		if want[e.File] == nil {
			want[e.File] = map[string]string{}
		}
		if e.Index != 0 && e.Recipient != "" {
			class := ""
			if e.Class != nil {
				class = *e.Class
			}
			want[e.File][strings.ToLower(e.Recipient)] = class
		}
	}
	files := make([]string, 0, len(want))
	for f := range want {
		files = append(files, f)
	}
	sort.Strings(files)
	var prec, rec, exact, hard gateFigure
	for _, file := range files {
		got := map[string]Class{}
		if rep := parseFile(t, filepath.Join(dir, file), ""); rep != nil {
			for _, r := range rep.Recipients {
				if addr := strings.ToLower(outputRecipient(&r)); addr != "" && reportedClass(r.Class) {
					if _, seen := got[addr]; !seen || r.Class == ClassHard {
						got[addr] = r.Class
					}
				}
			}
		}
		same := len(got) == len(want[file])
		for addr, class := range want[file] {
			rec.n++
			gc, found := got[addr]
			if !found {
				same = false
				rec.misses = append(rec.misses, gateMiss{file + " " + addr, "not reported, got " + setString(got)})
				continue
			}
			rec.ok++
			if class == "hard" || class == "soft" {
				hard.n++
				if (class == "hard") == (gc == ClassHard) {
					hard.ok++
				} else {
					hard.misses = append(hard.misses, gateMiss{file + " " + addr, "got " + string(gc) + ", want " + class})
				}
			}
		}
		for addr := range got {
			prec.n++
			if _, ok := want[file][addr]; ok {
				prec.ok++
			} else {
				same = false
				prec.misses = append(prec.misses, gateMiss{file + " " + addr, "reported, want " + setString(want[file])})
			}
		}
		exact.n++
		if same {
			exact.ok++
		} else {
			exact.misses = append(exact.misses, gateMiss{file, "got " + setString(got) + ", want " + setString(want[file])})
		}
	}
	return map[string]gateFigure{"precision": prec, "recall": rec, "exact": exact, "hard": hard}
}

// setString prints the keys of an address set, sorted.
func setString[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "[" + strings.Join(keys, " ") + "]"
}

// scoreNotices adds the figures notices and non-notices from a notice
// truth file: rows {file, truth: 1 | 0 | null}. A file is reported when it
// yields a record of class hard, soft, block or complaint.
func scoreNotices(t *testing.T, dir, path string, figs map[string]gateFigure) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	notices, others := gateFigure{}, gateFigure{ceiling: true}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var row struct {
			File  string `json:"file"`
			Truth *int   `json:"truth"`
		}
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if row.Truth == nil {
			continue
		}
		reported := false
		if rep := parseFile(t, filepath.Join(dir, row.File), ""); rep != nil {
			for _, r := range rep.Recipients {
				reported = reported || reportedClass(r.Class) || r.Class == ClassComplaint
			}
		}
		if *row.Truth != 0 {
			notices.n++
			if reported {
				notices.ok++
			} else {
				notices.misses = append(notices.misses, gateMiss{row.File, "a failure notice yielding no record"})
			}
		} else {
			others.n++
			if reported {
				others.ok++
				others.misses = append(others.misses, gateMiss{row.File, "not a failure notice, yet reported"})
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	figs["notices"], figs["non-notices"] = notices, others
}

// report logs the figures as a table and fails on a missed floor, naming
// the rows lost (misses not in the collection's known-misses file). With
// -update and every floor met, it rewrites that file.
func (c gateCollection) report(t *testing.T, figs map[string]gateFigure) {
	t.Helper()
	names := make([]string, 0, len(figs))
	for f := range figs {
		names = append(names, f)
	}
	sort.Strings(names)
	known := readKnownMisses(t, c.missesPath())
	t.Logf("%-14s %-22s %s", "figure", "today", "floor")
	failed := false
	for _, f := range names {
		fig := figs[f]
		floor, ok := c.floors[f]
		bound := "≥"
		if fig.ceiling {
			bound = "≤"
		}
		t.Logf("%-14s %-22s %s %.2f%%", f, fmt.Sprintf("%d/%d = %.2f%%", fig.ok, fig.n, fig.pct()), bound, floor)
		if target, ok := c.targets[f]; ok && fig.pct() < target {
			t.Logf("%-14s below the target %.2f%%", "", target)
		}
		if !ok {
			t.Errorf("%s: figure %s = %.2f%% has no floor: add it to gateCollections", c.name, f, fig.pct())
			failed = true
			continue
		}
		if fig.missesFloor(floor) {
			failed = true
			var lost []string
			for _, m := range fig.misses {
				if !known[f+"\t"+m.row] {
					lost = append(lost, "\n\t"+m.row+": "+m.what)
				}
			}
			what := "rows lost (not among " + c.missesPath() + ")"
			if len(lost) == 0 {
				// Every miss is a known one: the floor is above the known
				// misses' figure; list them all.
				what = "rows missed (all among " + c.missesPath() + ")"
				for _, m := range fig.misses {
					lost = append(lost, "\n\t"+m.row+": "+m.what)
				}
			}
			t.Errorf("%s %s = %d/%d = %.2f%%, floor %s %.2f%%; %s:%s",
				c.name, f, fig.ok, fig.n, fig.pct(), bound, floor, what, strings.Join(lost, ""))
		} else if !fig.ceiling && math.Floor(fig.pct()*100)/100 > floor {
			t.Logf("%-14s better than its floor: raise the floor to %.2f (see accuracygate_test.go)", "", math.Floor(fig.pct()*100)/100)
		} else if fig.ceiling && math.Ceil(fig.pct()*100)/100 < floor {
			t.Logf("%-14s better than its ceiling: lower the ceiling to %.2f (see accuracygate_test.go)", "", math.Ceil(fig.pct()*100)/100)
		}
		if testing.Verbose() {
			for _, m := range fig.misses {
				t.Logf("  miss %s: %s: %s", f, m.row, m.what)
			}
		}
	}
	if *update && !failed {
		writeKnownMisses(t, c.name, c.missesPath(), names, figs)
	}
}

// missesPath is the file listing the rows a collection misses at its
// floors, one "figure<TAB>row" a line: testdata/accuracy/NAME.misses, or
// for an external collection, the file misses beside its eml folder.
func (c gateCollection) missesPath() string {
	if c.external {
		return filepath.Join(filepath.Dir(c.dir), "misses")
	}
	return filepath.Join("testdata", "accuracy", c.name+".misses")
}

func readKnownMisses(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			known[line] = true
		}
	}
	return known
}

func writeKnownMisses(t *testing.T, name, path string, figures []string, figs map[string]gateFigure) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Rows the accuracy gate's collection " + name + " misses at its floors (figure, row).\n")
	b.WriteString("# Written by go test ./dsn -run Accuracy -update; the failure message names the rows lost against it.\n")
	for _, f := range figures {
		for _, m := range figs[f].misses {
			b.WriteString(f + "\t" + m.row + "\n")
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
