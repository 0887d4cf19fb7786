package dsn

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Hostile input: what an attacker who can mail the bounce address controls
// is every byte Parse reads. These tests pin the limits and the cleanliness
// of what comes out, since the fields reach SQL, logs, a terminal, report
// emails and an HTML page.

const dsnHeader = "From: MAILER-DAEMON@mx.example.net\nTo: bounces@example.com\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"

// dsnMessage wraps a delivery-status body in a multipart/report.
func dsnMessage(status string) string {
	return dsnHeader + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n" +
		"--B\nContent-Type: text/plain\n\nDelivery failed.\n" +
		"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" + status +
		"--B--\n"
}

func recipientGroup(addr string) string {
	return "Final-Recipient: rfc822; " + addr + "\nAction: failed\nStatus: 5.1.1\n\n"
}

func TestHostileSizeCap(t *testing.T) {
	body := dsnMessage(recipientGroup("alice@example.com")) + strings.Repeat("x", 1<<20)
	rep, err := ParseWithOptions(strings.NewReader(body), &Options{MaxSize: 64 << 10})
	if !errors.Is(err, ErrTooLarge) || rep == nil {
		t.Fatalf("Parse(1 MiB, MaxSize 64 KiB) = %v, %v; want a report and ErrTooLarge", rep, err)
	}
	if len(rep.Recipients) != 1 || rep.Recipients[0].FinalRecipient != "alice@example.com" {
		t.Errorf("Parse(truncated) recipients = %+v, want alice@example.com from the first 64 KiB", rep.Recipients)
	}
}

func TestHostileHeaderTooLong(t *testing.T) {
	for name, msg := range map[string]string{
		"many short lines": strings.Repeat("X-Junk: a\n", 300_000) + "\nbody\n",
		"no end of header": "Subject: x\n" + strings.Repeat("X-Junk: "+strings.Repeat("b", 100)+"\n", 20_000),
	} {
		rep, err := ParseWithOptions(strings.NewReader(msg), &Options{MaxSize: 8 << 20})
		var hl *HeaderTooLongError
		if !errors.As(err, &hl) || !errors.Is(err, ErrHeaderTooLong) || rep != nil {
			t.Errorf("%s: Parse = (report %v), %v; want HeaderTooLongError and no report", name, rep != nil, err)
		}
	}
	// One 2 MiB line: readLine keeps the first 64 KiB of a line, so memory
	// stays bounded even though the block is not reported as too long.
	rep, err := ParseWithOptions(strings.NewReader("Subject: "+strings.Repeat("a", 2<<20)+"\n\nbody\n"), &Options{MaxSize: 8 << 20})
	if err == nil && len(rep.Message.Subject) > 1<<16 {
		t.Errorf("Parse(2 MiB Subject line) kept a Subject of %d bytes, want at most 64 KiB", len(rep.Message.Subject))
	}
}

// nestedMultipart returns a message whose body nests depth multiparts.
func nestedMultipart(depth int) string {
	var b strings.Builder
	b.WriteString(dsnHeader + "Content-Type: multipart/mixed; boundary=\"b0\"\n\n")
	for i := range depth {
		fmt.Fprintf(&b, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i, i+1)
	}
	fmt.Fprintf(&b, "--b%d\nContent-Type: message/delivery-status\n\n%s", depth, recipientGroup("deep@example.com"))
	for i := depth; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	return b.String()
}

// nestedRFC822 returns a bounce of a bounce of ... depth times.
func nestedRFC822(depth int) string {
	return strings.Repeat(dsnHeader+"Content-Type: message/rfc822\n\n", depth) + dsnMessage(recipientGroup("deep@example.com"))
}

func TestHostileNesting(t *testing.T) {
	for name, msg := range map[string]string{
		"multipart 10,000 deep": nestedMultipart(10_000),
		"rfc822 10,000 deep":    nestedRFC822(10_000),
	} {
		rep, err := Parse(strings.NewReader(msg))
		if err != nil || rep == nil {
			t.Fatalf("%s: Parse = %v, %v; want a report", name, rep, err)
		}
		for _, r := range rep.Recipients {
			if r.FinalRecipient == "deep@example.com" {
				t.Errorf("%s: Parse read a part below MaxDepth %d: %+v", name, DefaultMaxDepth, r)
			}
		}
		if !hasProblem(rep, "") {
			t.Errorf("%s: Parse noted no problem; want the skipped depth noted", name)
		}
	}
	// Within the limit the same structure is read.
	if rep, _ := Parse(strings.NewReader(nestedMultipart(DefaultMaxDepth - 3))); len(rep.Recipients) != 1 {
		t.Errorf("Parse(multipart %d deep) recipients = %+v, want deep@example.com", DefaultMaxDepth-3, rep.Recipients)
	}
}

func hasProblem(rep *Report, sub string) bool {
	for _, p := range rep.Problems {
		if strings.Contains(p, sub) {
			return true
		}
	}
	return false
}

func TestHostilePartCount(t *testing.T) {
	var b strings.Builder
	b.WriteString(dsnHeader + "Content-Type: multipart/mixed; boundary=\"P\"\n\n")
	for range 200_000 {
		b.WriteString("--P\n\n")
	}
	b.WriteString("--P\nContent-Type: message/delivery-status\n\n" + recipientGroup("late@example.com") + "--P--\n")
	rep, err := Parse(strings.NewReader(b.String()))
	if err != nil || rep == nil {
		t.Fatalf("Parse(200,000 parts) = %v, %v", rep, err)
	}
	if len(rep.Recipients) != 0 {
		t.Errorf("Parse(200,000 parts) read part 200,001 (past MaxParts %d): %+v", DefaultMaxParts, rep.Recipients)
	}
	if len(rep.Problems) > 32 {
		t.Errorf("Parse(200,000 parts) kept %d problems, want at most 32", len(rep.Problems))
	}
}

// TestHostileRecipientCount: one forged message naming thousands of
// recipients must not turn into thousands of suppressions.
func TestHostileRecipientCount(t *testing.T) {
	var b strings.Builder
	for i := range 20_000 {
		b.WriteString(recipientGroup(fmt.Sprintf("victim%d@example.com", i)))
	}
	rep, err := Parse(strings.NewReader(dsnMessage(b.String())))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one message of %d bytes gave %d recipient records", len(dsnMessage(b.String())), len(rep.Recipients))
	if len(rep.Recipients) > DefaultMaxRecipients {
		t.Errorf("Parse(20,000 recipient groups) = %d records, want at most %d", len(rep.Recipients), DefaultMaxRecipients)
	}
}

// dirtyStrings returns every string field of v (recursively) that is not
// valid UTF-8 or holds a control character, as "path: value".
func dirtyStrings(path string, v reflect.Value) []string {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			return []string{fmt.Sprintf("%s: %q", path, s)}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return dirtyStrings(path, v.Elem())
		}
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			out = append(out, dirtyStrings(path+"."+v.Type().Field(i).Name, v.Field(i))...)
		}
		return out
	case reflect.Slice:
		var out []string
		for i := range v.Len() {
			out = append(out, dirtyStrings(fmt.Sprintf("%s[%d]", path, i), v.Index(i))...)
		}
		return out
	case reflect.Map:
		var out []string
		for _, k := range v.MapKeys() {
			out = append(out, dirtyStrings(path+"["+k.String()+"]", v.MapIndex(k))...)
		}
		return out
	}
	return nil
}

// TestHostileFieldsAreClean: encoded words, odd charsets, raw control bytes
// and invalid UTF-8 in every field an attacker writes must come out as
// valid UTF-8 without control characters (no CR/LF for header injection in
// report mails, no ESC for terminal tricks, no NUL for Postgres text).
func TestHostileFieldsAreClean(t *testing.T) {
	evil := "\x1b[2J\x00\x07\xff\xfe\r\nBcc: all@example.com\x85\u202e"
	encodedCRLF := "=?utf-8?q?hi=0D=0ABcc:_all@example.com=00=1B[31m?="
	msg := "From: =?utf-8?b?" + "TUFJTEVSLURBRU1PTg0KQmNjOiBhbGxAZXhhbXBsZS5jb20=" + "?= <MAILER-DAEMON@mx.example.net>\n" +
		"To: bounces@example.com\nSubject: " + encodedCRLF + " =?x-unknown?q?abc?= =?utf-7?q?+AGEAYgBj-?=\n" +
		"Delivered-To: bounces@example.com" + "\x00\x1b\n" +
		"Message-ID: <id" + evil + "@x>\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n" +
		"--B\nContent-Type: text/plain; charset=iso-2022-jp\n\n\x1b$B$3$s$K$A$O\x1b(B " + evil + "\n" +
		"--B\nContent-Type: message/delivery-status; charset=utf-16\n\nReporting-MTA: dns; mx" + evil + "\n\n" +
		"Final-Recipient: rfc822; victim" + evil + "@example.com\nOriginal-Recipient: rfc822; =?utf-8?q?v=0D=0A?=@example.com\n" +
		"Action: failed" + evil + "\nStatus: 5.1.1\nRemote-MTA: dns; " + evil + "\n" +
		"Diagnostic-Code: smtp; 550 " + evil + " " + encodedCRLF + "\n\n" +
		"--B\nContent-Type: text/rfc822-headers\n\nReturn-Path: <bounces+" + evil + "@example.com>\n" +
		"From: " + encodedCRLF + "\nSubject: " + encodedCRLF + "\nX-Bouncer-ID: " + evil + "\nMessage-ID: <" + evil + ">\n\n" +
		"--B--\n"
	for _, nl := range []string{"\n", "\r\n"} {
		rep, err := ParseWithOptions(strings.NewReader(strings.ReplaceAll(msg, "\n", nl)), &Options{Headers: []string{"X-Bouncer-ID"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Recipients) == 0 {
			t.Fatalf("Parse(hostile DSN) found no recipient; want the victim record")
		}
		for _, d := range dirtyStrings("Report", reflect.ValueOf(rep)) {
			t.Errorf("%q line endings: unclean field %s", nl, d)
		}
	}
}

// TestHostileReportNotRetained: a Report keeps its records, not the report
// part they were read from. A 10,000-recipient delivery-status part (about
// 1.3 MB, of which the first MiB is read) gives 100 records; holding the
// Report must cost about what they hold, not the whole part.
func TestHostileReportNotRetained(t *testing.T) {
	var b strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; user%05d@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 no\n\n", i)
	}
	msg := dsnMessage(b.String())
	if len(msg) < 1<<20 {
		t.Fatalf("test message is %d bytes, want more than the 1 MiB read of a report part", len(msg))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep, err := Parse(strings.NewReader(msg))
	if err != nil || len(rep.Recipients) != DefaultMaxRecipients {
		t.Fatalf("Parse = %v records, %v; want %d records", len(rep.Recipients), err, DefaultMaxRecipients)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(rep)
	runtime.KeepAlive(msg)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 256<<10 {
		t.Errorf("a Report of %d records keeps %d KiB alive, want under 256 KiB", len(rep.Recipients), grown>>10)
	}
}
