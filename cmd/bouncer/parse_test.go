package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jsonRows decodes the JSON lines `bouncer parse --json` printed.
func jsonRows(t *testing.T, out string) []parseRow {
	t.Helper()
	var rows []parseRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var row parseRow
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		rows = append(rows, row)
	}
	return rows
}

func TestParseCommandJSON(t *testing.T) {
	dir := t.TempDir()
	corpus := "../../dsn/testdata/corpus/sisimai/"
	for _, name := range []string{"lhost-postfix-02.eml", "rfc3834-01.eml", "arf-16.eml"} {
		data, err := os.ReadFile(corpus + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "sub", name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	notReport := writeFile(t, "hello.eml", "From: a@example.com\nTo: b@example.com\nSubject: hi\n\nhello\n")
	out, stderr, code := runCLI(t, "parse", "--json", dir, notReport)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got []string
	for _, row := range jsonRows(t, out) {
		got = append(got, fmt.Sprintf("%s#%d:%s:%s", row.File, row.Index, row.Type, row.Recipient))
		if (row.Index > 0) != (row.Class != "" && row.Reason != "") {
			t.Errorf("row %+v: class %q reason %q, want both set exactly for records", row, row.Class, row.Reason)
		}
	}
	want := []string{
		"arf-16.eml#1:arf:kijitora@example.com",
		"arf-16.eml#2:arf:sironeko@example.com",
		"arf-16.eml#3:arf:mikeneko@example.com",
		"arf-16.eml#4:arf:sabatora@example.com",
		"arf-16.eml#5:arf:sirokiji@example.org",
		"arf-16.eml#6:arf:kuroneko@example.com",
		"arf-16.eml#7:arf:sabineko@example.com",
		"lhost-postfix-02.eml#1:dsn:filtered@example.co.jp",
		"lhost-postfix-02.eml#2:dsn:userunknown@example.co.jp",
		"rfc3834-01.eml#1:autoreply:kijitora@example.net",
		"hello.eml#0:other:",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bouncer parse --json rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, key := range []string{`"file"`, `"index"`, `"type"`, `"recipient"`, `"action"`, `"status"`, `"reply_code"`,
		`"class"`, `"reason"`, `"diagnostic"`, `"remote_mta"`, `"feedback_type"`} {
		if !strings.Contains(out, key) {
			t.Errorf("output lacks the key %s", key)
		}
	}
}

func TestParseCommandTableAndStdin(t *testing.T) {
	data, err := os.ReadFile("../../dsn/testdata/corpus/sisimai/lhost-postfix-02.eml")
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = w.Write(data)
		w.Close()
	}()
	out, stderr, code := runCLIInput(t, r, "parse", "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "FILE") || !strings.Contains(lines[1], "filtered@example.co.jp") ||
		!strings.Contains(lines[2], "5.1.1") {
		t.Errorf("table output:\n%s\nwant a header and two records", out)
	}
}

func TestParseCommandMissingFile(t *testing.T) {
	_, stderr, code := runCLI(t, "parse", "--json", filepath.Join(t.TempDir(), "nope.eml"))
	if code != 1 || !strings.Contains(stderr, "nope.eml") {
		t.Errorf("missing file: exit %d stderr %q, want 1 naming the file", code, stderr)
	}
}

func TestParseCommandMaxSize(t *testing.T) {
	out, stderr, code := runCLI(t, "parse", "--json", "--max-size", "2000", "../../dsn/testdata/corpus/sisimai/lhost-postfix-02.eml")
	if code != 0 || !strings.Contains(stderr, "first part only") || !strings.Contains(out, `"file":"lhost-postfix-02.eml"`) {
		t.Errorf("--max-size 2000: exit %d stderr %q out %q, want rows and a warning", code, stderr, out)
	}
	want := "lhost-postfix-02.eml: dsn: message exceeds the size limit (2000 bytes); parsed the first part only\n"
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("--max-size 2000: stderr %q, want it to end %q", stderr, want)
	}
}

// TestParseCommandMbox: an mbox file (an exported bounce folder) is split
// into its messages; records are numbered through the file, a message that
// is no report prints its index 0 row, and the rest is still read.
func TestParseCommandMbox(t *testing.T) {
	var mbox strings.Builder
	for _, name := range []string{"lhost-postfix-02.eml", "rfc3834-01.eml"} {
		data, err := os.ReadFile("../../dsn/testdata/corpus/sisimai/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "From ") {
			mbox.WriteString("From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n")
		}
		mbox.Write(data)
		mbox.WriteString("\nFrom MAILER-DAEMON  Thu Apr 29 23:34:45 2015\nFrom: a@example.com\nSubject: hi\n\nhello\n>From the list\n\n")
	}
	path := writeFile(t, "bounces.mbox", mbox.String())
	out, stderr, code := runCLI(t, "parse", "--json", path)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got []string
	for _, row := range jsonRows(t, out) {
		got = append(got, fmt.Sprintf("%s#%d:%s:%s:%s", row.File, row.Index, row.Type, row.Recipient, row.Reason))
	}
	want := []string{
		"bounces.mbox#1:dsn:filtered@example.co.jp:userunknown",
		"bounces.mbox#2:dsn:userunknown@example.co.jp:userunknown",
		"bounces.mbox#0:other::",
		"bounces.mbox#3:autoreply:kijitora@example.net:vacation",
		"bounces.mbox#0:other::",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bouncer parse --json of an mbox:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
