package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// streamBounce is a Postfix-style DSN for rcpt, delivered to the address
// to, returning a message whose Message-ID is msgID and whose header
// X-Mail-Kind (the configured streams.header) is kind.
func streamBounce(to, rcpt, msgID, kind string) string {
	return strings.ReplaceAll(fmt.Sprintf(`From: MAILER-DAEMON@mx.example.net
To: %s
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-%s>
Date: Mon, 07 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; %s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

From: app@example.com
To: %s
Subject: Weekly news
Message-ID: %s
X-Mail-Kind: %s

--B--
`, to, strings.Trim(msgID, "<>"), rcpt, rcpt, msgID, kind), "\n", "\r\n")
}

// parseJSONRows runs bouncer parse --json and decodes its rows.
func parseJSONRows(t *testing.T, args ...string) []parseRow {
	t.Helper()
	out, errOut, code := runCLI(t, append([]string{"parse", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("parse --json %v: exit %d, %s", args, code, errOut)
	}
	return jsonRows(t, out)
}

// bouncer parse shows the stream ingest would file a bounce under (from
// the configured stream header), names a header that is not a valid label
// (filed under default), says the signed return path is not checked
// without a verp key, and shows the returned message's Message-ID.
func TestParseStream(t *testing.T) {
	cfg := writeFile(t, "bouncer.yaml", "streams: {header: X-Mail-Kind}\n")
	good := writeFile(t, "good.eml", streamBounce("bounces@example.com", "gone@example.org", "<n-1@app.test>", "Newsletter"))
	bad := writeFile(t, "bad.eml", streamBounce("bounces@example.com", "gone@example.org", "<n-2@app.test>", "news letter!"))
	rows := parseJSONRows(t, good, bad, "--config", cfg)
	if len(rows) != 2 {
		t.Fatalf("parse rows = %+v, want 2", rows)
	}
	if r := rows[0]; r.Stream != "newsletter" || r.StreamSource != "header" || r.OriginalMessageID != "<n-1@app.test>" ||
		r.StreamNote != errSignedUnchecked {
		t.Errorf("good label: %+v, want newsletter from the header, <n-1@app.test>, signed path not checked", r)
	}
	want := `X-Mail-Kind "news letter!": character 5 (' ') is not a-z, 0-9, '-' or '_'; filed under default; ` + errSignedUnchecked
	if r := rows[1]; r.Stream != "default" || r.StreamSource != "default" || r.StreamNote != want || r.OriginalMessageID != "<n-2@app.test>" {
		t.Errorf("bad label: %+v, want default with the note %q", r, want)
	}
	out, errOut, code := runCLI(t, "parse", good, bad, "--config", cfg)
	if code != 0 || !strings.Contains(out, "  STREAM  ") || !strings.Contains(out, "newsletter (header)  <n-1@app.test>") ||
		!strings.Contains(out, "default (bad label)  <n-2@app.test>") {
		t.Errorf("parse table: exit %d\n%s", code, out)
	}
	containsAll(t, "parse table's stderr", errOut, "bad.eml: X-Mail-Kind \"news letter!\": character 5", "signed return path not checked")
}

// containsAll fails t for each of wants that out, the output of what,
// lacks.
func containsAll(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// With a verp key, bouncer parse shows the stream signed in the return
// path, which wins over the header, as ingest attributes it.
func TestParseStreamSigned(t *testing.T) {
	cfg := verpConfig(t, verpKeyNew)
	out, errOut, code := runVERP(t, "sign", "gone@example.org", "--stream", "receipts", "--config", cfg)
	addr := strings.TrimSpace(out)
	if code != 0 || !strings.HasSuffix(addr, "-receipts@example.com") {
		t.Fatalf("verp sign --stream: %q exit %d %s", out, code, errOut)
	}
	signed := writeFile(t, "signed.eml", streamBounce(addr, "gone@example.org", "<r-1@app.test>", "newsletter"))
	rows := parseJSONRows(t, signed, "--config", cfg)
	if len(rows) != 1 || rows[0].Stream != "receipts" || rows[0].StreamSource != "signed return path" || rows[0].StreamNote != "" {
		t.Errorf("signed bounce: %+v, want receipts from the signed return path, no note", rows)
	}
}

// Ingest files a bounce whose stream header is not a valid label under
// default with one warning naming the label and the message; suppression
// show lists each event's stream and Message-ID.
func TestIngestBadStreamLabel(t *testing.T) {
	cfg := recordedConfig(t, "streams: {header: X-Mail-Kind}\n")
	bad := writeFile(t, "bad.eml", streamBounce("bounces@example.com", "gone@example.org", "<n-2@app.test>", "news letter!"))
	good := writeFile(t, "good.eml", streamBounce("bounces@example.com", "gone@example.org", "<n-1@app.test>", "newsletter"))
	_, errOut, code := runCLI(t, "ingest", bad, "--config", cfg)
	if code != 0 || strings.Count(errOut, "msg=\"streams: bad stream label") != 1 || !strings.Contains(errOut, `label="news letter!"`) ||
		!strings.Contains(errOut, "message_id=<bounce-n-2@app.test>") || !strings.Contains(errOut, "original_message_id=<n-2@app.test>") {
		t.Errorf("ingest of a bad label: exit %d, stderr %s; want one warning naming the label and the message", code, errOut)
	}
	if _, errOut, code := runCLI(t, "ingest", good, "--config", cfg); code != 0 || strings.Contains(errOut, "bad stream label") {
		t.Errorf("ingest of a good label: exit %d, %s", code, errOut)
	}
	out, _, _ := runSupp(t, cfg, "show", "gone@example.org")
	containsAll(t, "suppression show", out, "STREAM      MESSAGE-ID", "newsletter  <n-1@app.test>", "default     <n-2@app.test>", "\n    550 5.1.1 user unknown\n")
}

// verp verify prints the stream a token carries below its recipient, and a
// bad label is refused naming the character, counting from 1.
func TestVERPVerifyStream(t *testing.T) {
	cfg := verpConfig(t, verpKeyNew)
	out, _, _ := runVERP(t, "sign", "al@example.com", "--stream", "Receipts", "--config", cfg)
	addr := strings.TrimSpace(out)
	for _, args := range [][]string{{"verify", addr}, {"verify", addr, "--recipient", "al@example.com"}} {
		if out, errOut, code := runVERP(t, append(args, "--config", cfg)...); code != 0 || out != "al@example.com\nstream: receipts\n" {
			t.Errorf("verp %v = %q (exit %d, %s), want the recipient and stream: receipts", args, out, code, errOut)
		}
	}
	plain, _, _ := runVERP(t, "sign", "al@example.com", "--config", cfg)
	if out, _, code := runVERP(t, "verify", strings.TrimSpace(plain), "--config", cfg); code != 0 || out != "al@example.com\n" {
		t.Errorf("verp verify of a token without a stream = %q (exit %d), want the recipient alone", out, code)
	}
	_, errOut, code := runVERP(t, "sign", "al@example.com", "--stream", "bad stream", "--config", cfg)
	if code == 0 || !strings.Contains(errOut, `"bad stream": character 4 (' ') is not a-z, 0-9, '-' or '_'`) {
		t.Errorf("verp sign --stream 'bad stream': exit %d, %q; want the character and its position from 1", code, errOut)
	}
}

// parse needs no configuration: a file found in a default place that is
// invalid is said on stderr and the defaults are used; one named by
// --config must load.
func TestParseBadDefaultConfig(t *testing.T) {
	good := writeFile(t, "good.eml", streamBounce("bounces@example.com", "gone@example.org", "<n-1@app.test>", "newsletter"))
	dir := t.TempDir()
	bad := writeFile(t, "bouncer.yaml", "bogus_key: 1\n")
	t.Setenv("BOUNCER_CONFIG", "")
	t.Chdir(dir)
	if err := os.Rename(bad, filepath.Join(dir, "bouncer.yaml")); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "parse", good)
	if code != 0 || !strings.Contains(out, "gone@example.org") || !strings.Contains(errOut, "bogus_key: unknown key") ||
		!strings.Contains(errOut, "using the default configuration") {
		t.Errorf("parse with a bad ./bouncer.yaml: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runCLI(t, "parse", good, "--config", "bouncer.yaml"); code != exitConfig {
		t.Errorf("parse --config BAD: exit %d %s, want %d", code, errOut, exitConfig)
	}
}
