package dsn

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn/mbox"
)

// Accuracy on the reference corpus, scored the way
// ../shared/corpus/score.py scores `bouncer parse --json`: records paired by
// (file, index); recipient scored only where a second parser agreed; status
// not scored where the reference invented a pseudo code; hard compared with
// class == hard. The expectations are copied in testdata/expected (with
// their licenses); the messages are the parser's copies in testdata/corpus.
//
// Run `go test ./dsn -run Accuracy -v` to print the figures; the floors
// are in accuracygate_test.go.

// expectedRecord is one row of an expectation file.
type expectedRecord struct {
	File         string   `json:"file"`
	Index        int      `json:"index"`
	Recipient    string   `json:"recipient"`
	Status       string   `json:"status"`
	ReplyCode    string   `json:"replycode"`
	Reason       *string  `json:"reason"`
	HardBounce   *bool    `json:"hardbounce"`
	FeedbackType string   `json:"feedbacktype"`
	Class        *string  `json:"class"` // address-set rows: hard, soft or null
	AgreedBy     []string `json:"recipient_agreed_by"`
	Pseudo       bool     `json:"status_is_sisimai_pseudo"`
	SameAs       string   `json:"same_as_bsd"` // the LF original of a dos/mac copy
	Disputed     bool     `json:"disputed"`
	// Alt is the other reference version's answer on a disputed row.
	Alt *struct {
		Reason     string `json:"reason"`
		HardBounce bool   `json:"hardbounce"`
	} `json:"alt_p5_5_1_0"`
}

// accuracy holds agreement counts per field, as score.py prints them.
type accuracy struct {
	ok, n            map[string]int
	records, missing int
	misses           []string
	// missed lists, per field, the rows it got wrong: "file#index" with
	// what was wanted and got.
	missed            map[string][]gateMiss
	disputedMismatch  int
	recordsFullyRight int
	// eitherOK counts hard and reason agreeing with either reference
	// version (they differ only on disputed rows).
	eitherOK map[string]int
}

func newAccuracy() *accuracy {
	return &accuracy{ok: map[string]int{}, n: map[string]int{}, eitherOK: map[string]int{}, missed: map[string][]gateMiss{}}
}

func (a *accuracy) check(field, want, got string, e expectedRecord) bool {
	a.n[field]++
	if want == got {
		a.ok[field]++
		return true
	}
	row := e.File + "#" + strconv.Itoa(e.Index)
	a.misses = append(a.misses, row+" "+field+": got "+got+", want "+want)
	a.missed[field] = append(a.missed[field], gateMiss{row, "got " + got + ", want " + want})
	if e.Disputed {
		a.disputedMismatch++
	}
	return false
}

// score compares one expected record with the parsed record (nil: missing).
func (a *accuracy) score(e expectedRecord, got *Recipient) {
	a.records++
	a.n["records"]++
	if got == nil {
		a.missing++
		row := e.File + "#" + strconv.Itoa(e.Index)
		a.misses = append(a.misses, row+" missing record")
		a.missed["records"] = append(a.missed["records"], gateMiss{row, "missing record"})
		return
	}
	a.ok["records"]++
	ok := true
	if e.Reason != nil {
		ok = a.check("reason", *e.Reason, string(got.Reason), e) && ok
		if *e.Reason == string(got.Reason) || e.Alt != nil && e.Alt.Reason == string(got.Reason) {
			a.eitherOK["reason"]++
		}
	}
	if e.HardBounce != nil {
		hard := got.Class == ClassHard
		ok = a.check("hard", boolString(*e.HardBounce), boolString(hard), e) && ok
		if *e.HardBounce == hard || e.Alt != nil && e.Alt.HardBounce == hard {
			a.eitherOK["hard"]++
		}
	}
	if e.FeedbackType != "" {
		ok = a.check("feedback_type", e.FeedbackType, got.FeedbackType, e) && ok
	}
	if e.Status != "" && !e.Pseudo {
		ok = a.check("status", e.Status, got.Status, e) && ok
	}
	if e.ReplyCode != "" {
		ok = a.check("reply_code", e.ReplyCode, got.ReplyCode, e) && ok
	}
	if e.Recipient != "" && (e.AgreedBy == nil || len(e.AgreedBy) >= 2) {
		ok = a.check("recipient", strings.ToLower(e.Recipient), strings.ToLower(outputRecipient(got)), e) && ok
	}
	if ok {
		a.recordsFullyRight++
	}
}

// pct is the agreement on field in percent; 100 when nothing was scored.
func (a *accuracy) pct(field string) float64 {
	if a.n[field] == 0 {
		return 100
	}
	return 100 * float64(a.ok[field]) / float64(a.n[field])
}

var accuracyFields = []string{"recipient", "hard", "reason", "status", "reply_code", "feedback_type"}

func (a *accuracy) log(t *testing.T, name string) {
	t.Helper()
	t.Logf("%s: records %d, missing %d, fully right %d", name, a.records, a.missing, a.recordsFullyRight)
	for _, f := range accuracyFields {
		if a.n[f] > 0 {
			t.Logf("  %-14s %d/%d = %.2f%%", f, a.ok[f], a.n[f], a.pct(f))
		}
	}
	if testing.Verbose() {
		for _, m := range a.misses {
			t.Logf("  miss: %s", m)
		}
	}
}

// outputRecipient is the address `bouncer parse --json` prints and
// bouncer records (Recipient.Address).
func outputRecipient(r *Recipient) string { return r.Address() }

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// readExpected reads a JSON-lines expectation file from testdata/expected.
func readExpected(t *testing.T, name string) []expectedRecord {
	t.Helper()
	return readExpectedPath(t, filepath.Join("testdata", "expected", name))
}

// readExpectedPath reads the JSON-lines expectation file at path.
func readExpectedPath(t *testing.T, name string) []expectedRecord {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []expectedRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e expectedRecord
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows = append(rows, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// scoreCorpus parses each message an expectation names (dir/NAME, or its
// LF original for a dos/mac row), with line endings replaced by eol when
// not empty, and scores the records.
func scoreCorpus(t *testing.T, dir string, rows []expectedRecord, eol string) *accuracy {
	t.Helper()
	reports := map[string]*Report{}
	a := newAccuracy()
	for _, e := range rows {
		file := e.File
		if e.SameAs != "" {
			file = e.SameAs
		}
		rep, ok := reports[file]
		if !ok {
			rep = parseFile(t, filepath.Join(dir, file), eol)
			reports[file] = rep
		}
		var got *Recipient
		if e.Index >= 1 && e.Index <= len(rep.Recipients) {
			got = &rep.Recipients[e.Index-1]
		}
		a.score(e, got)
	}
	return a
}

func parseFile(t *testing.T, path, eol string) *Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if eol != "" {
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte(eol))
	}
	if !mbox.Is(data) {
		rep, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Parse(%s): %v", path, err)
		}
		return rep
	}
	// An mbox file: its records are numbered through the file, as
	// `bouncer parse` prints them.
	var all *Report
	mr := mbox.NewReader(bytes.NewReader(data))
	for {
		msg, err := mr.Next(DefaultMaxSize)
		if err == io.EOF {
			return all
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rep, err := Parse(bytes.NewReader(msg))
		if err != nil {
			t.Fatalf("Parse(%s): %v", path, err)
		}
		if all == nil {
			all = rep
		} else {
			all.Recipients = append(all.Recipients, rep.Recipients...)
		}
	}
}

// TestAccuracyLineEndings scores the CRLF and CR copies the corpus lists,
// made from the LF originals, and wants exactly the LF figures.
func TestAccuracyLineEndings(t *testing.T) {
	for name, eol := range map[string]string{"sisimai_dos.jsonl": "\r\n", "sisimai_mac.jsonl": "\r"} {
		rows := readExpected(t, name)
		lf := scoreCorpus(t, "testdata/corpus/sisimai", rows, "")
		other := scoreCorpus(t, "testdata/corpus/sisimai", rows, eol)
		other.log(t, name)
		for _, f := range accuracyFields {
			if lf.ok[f] != other.ok[f] || lf.n[f] != other.n[f] {
				t.Errorf("%s %s = %d/%d, want the LF figure %d/%d", name, f, other.ok[f], other.n[f], lf.ok[f], lf.n[f])
			}
		}
	}
}

// TestAccuracyARF wants every feedback type of the RFC 5965/6591 reports right.
func TestAccuracyARF(t *testing.T) {
	a := scoreCorpus(t, "testdata/corpus/arf-mail-auth", readExpected(t, "arf-mail-auth.jsonl"), "")
	a.log(t, "arf-mail-auth")
	if a.n["feedback_type"] == 0 || a.pct("feedback_type") < 100 {
		t.Errorf("arf-mail-auth feedback_type = %d/%d, want all", a.ok["feedback_type"], a.n["feedback_type"])
	}
	if a.missing > 0 {
		t.Errorf("arf-mail-auth: %d records missing", a.missing)
	}
}

// TestAccuracyNotBounces wants no failure record from messages that are not bounces.
func TestAccuracyNotBounces(t *testing.T) {
	for _, e := range readExpected(t, "sisimai_not.jsonl") {
		rep := parseFile(t, filepath.Join("testdata/corpus/not", e.File), "")
		for _, r := range rep.Recipients {
			if r.Class == ClassHard || r.Class == ClassSoft || r.Class == ClassBlock {
				t.Errorf("%s: record %s classed %s/%s, want none", e.File, outputRecipient(&r), r.Reason, r.Class)
			}
		}
	}
}
