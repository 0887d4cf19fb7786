package notify

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// cet is the fixed zone the golden reports are rendered in.
var cet = time.FixedZone("CET", 3600)

// hostileDiagnostic is what a stranger's server may write.
const hostileDiagnostic = `550 5.7.1 <script>alert("x")</script> blocked using zen.spamhaus.org`

// fixtureReport is a report with every section filled, built by hand so the
// golden files depend on rendering alone.
func fixtureReport() *Report {
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, cet)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	sup := []suppression.NewSuppression{
		{Email: "a@example.com", Domain: "example.com", SuppressedAt: at(9, 0), Reason: "userunknown", Class: "hard", Status: "5.1.1", Diagnostic: "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown", Source: "bounce"},
		{Email: "c@outlook.com", Domain: "outlook.com", SuppressedAt: at(10, 0), Reason: "blocked", Class: "hard", Status: "5.7.1", Diagnostic: hostileDiagnostic, Source: "bounce"},
		{Email: "e@yahoo.com", Domain: "yahoo.com", SuppressedAt: at(12, 0), Reason: "feedback", Class: "complaint", Source: "complaint"},
	}
	unparsed := []suppression.UnparsedMessage{
		{Mailbox: "bounces", ReceivedAt: at(13, 5), Subject: "Re: <i>your</i> invoice\r\nBcc: x", From: "someone@example.net", Error: "no MIME boundary"},
	}
	return &Report{
		Day: day, Window: suppression.Window{From: day, To: day.AddDate(0, 0, 1)}, Location: cet,
		Generated: time.Date(2026, 11, 25, 10, 30, 0, 0, cet), Late: true, Scheduled: time.Date(2026, 11, 25, 8, 0, 0, 0, cet),
		Metrics: []Metric{
			{"messages", 1234, 1100, 1010.5}, {"hard", 40, 52, 47.3}, {"soft", 12, 9, 10}, {"block", 30, 2, 3.1},
			{"complaint", 3, 0, 0.4}, {"ignore", 20, 25, 22}, {"unparsed", 2, 0, 0.1}, {"suppressed", 3, 50, 41.9},
		},
		NewlySuppressed: sup, NewlySuppressedShown: sup[:2],
		TopReasons: []Bar{{"userunknown", 40, 100}, {"blocked", 30, 75}, {"mailboxfull", 12, 30}},
		TopDomains: []Bar{{"outlook.com", 35, 100}, {"example.com", 20, 57}},
		TopMTAs:    []Bar{{"outlook-com.olc.protection.outlook.com", 35, 100}, {"<b>mx</b>.example.com", 1, 2}},
		BlocksByReceiver: []Receiver{
			{Domain: "outlook.com", Blocks: 28, Bounces: 35, Share: 0.8, Lists: []string{"Microsoft", "Spamhaus"}},
			{Domain: "example.com", Blocks: 2, Bounces: 20, Share: 0.1},
		},
		BlocksByList:    []Bar{{"Microsoft", 20, 100}, {"Spamhaus", 8, 40}, {dsn.UnnamedBlocklist, 2, 10}},
		Refusing:        []Receiver{{Domain: "outlook.com", Blocks: 28, Bounces: 35, Share: 0.8, Lists: []string{"Microsoft", "Spamhaus"}}},
		Complaints:      []Bar{{"arf.mail.yahoo.com (abuse)", 3, 100}},
		Unattributed:    []suppression.Count{{Key: "hotmail.com", N: 2}},
		Unparsed:        2,
		UnparsedSamples: unparsed,
		Held: []HeldKind{
			{Outcome: suppression.OutcomeQuarantined, Label: "could not be parsed", N: 2, Samples: unparsed},
			{Outcome: suppression.OutcomeNotReport, Label: "not a bounce or complaint", N: 1, Samples: []suppression.UnparsedMessage{
				{Mailbox: "bounces", ReceivedAt: at(14, 10), Subject: "Please remove me", From: "reader@example.org"}}},
			{Outcome: suppression.OutcomeNoRecipient, Label: "no usable recipient", N: 1, Samples: []suppression.UnparsedMessage{
				{Mailbox: "fbl", ReceivedAt: at(15, 20), Subject: "complaint about message from 192.0.2.1", From: "staff@hotmail.com", Error: "record 1: no recipient"}}},
		},
		Mailboxes: []suppression.MailboxHealth{
			{Mailbox: "bounces", LastSuccess: at(23, 58), ConsecutiveFailures: 0, Waiting: 3, LastReceived: at(23, 50)},
			{Mailbox: "fbl", ConsecutiveFailures: 5, LastError: "login: authentication failed"},
		},
		Rates:     fixtureRates(),
		MinVolume: 1000,
	}
}

// fixtureRates are two streams: newsletter over SES's bounce threshold
// and Gmail's complaint threshold on the day, receipts under the minimum
// volume on the day but not over 30 days.
func fixtureRates() []StreamRates {
	figs := func(sent, hard, soft, block, complaint int64) suppression.RateFigures {
		return suppression.RateCounts{Sent: sent, Hard: hard, Soft: soft, Block: block, Complaint: complaint}.Figures(1000)
	}
	news := suppression.StreamRates{Stream: "newsletter", Days: []suppression.DayRates{{Day: "2026-11-24", RateFigures: figs(2500, 130, 12, 30, 9)}},
		Last7: figs(17500, 300, 60, 40, 12), Last30: figs(75000, 700, 200, 90, 40)}
	receipts := suppression.StreamRates{Stream: "receipts", Days: []suppression.DayRates{{Day: "2026-11-24", RateFigures: figs(120, 2, 0, 0, 0)}},
		Last7: figs(800, 4, 1, 0, 0), Last30: figs(3600, 9, 2, 0, 1)}
	return []StreamRates{rateTable("newsletter", news), rateTable("receipts", receipts)}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendered output (run go test -update and review the diff):\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line where want and got part.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl
		}
	}
	return ""
}

func itoa(i int) string { return num(i) }

func loadTestTemplates(t *testing.T, dir string) *Templates {
	t.Helper()
	tm, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestRenderGolden(t *testing.T) {
	tm := loadTestTemplates(t, "")
	r := fixtureReport()
	for _, c := range []struct {
		name   string
		render func(*Report) (string, error)
	}{{"report.golden.txt", tm.Text}, {"report.golden.html", tm.HTML}, {"subject.golden.txt", tm.Subject}} {
		got, err := c.render(r)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		golden(t, c.name, got)
	}
}

func TestRenderEscapesHostileText(t *testing.T) {
	tm := loadTestTemplates(t, "")
	r := fixtureReport()
	html, err := tm.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<b>mx</b>", "<i>your</i>"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;b&gt;mx&lt;/b&gt;.example.com"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks the escaped %q", want)
		}
	}
	text, err := tm.Text(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "\r\nBcc:") || !strings.Contains(text, "Re: <i>your</i> invoice Bcc: x") {
		t.Errorf("text report did not fold the subject's line break into a space:\n%s", text)
	}
}

func TestRenderEmptyReport(t *testing.T) {
	tm := loadTestTemplates(t, "")
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	r := &Report{Day: day, Location: time.UTC, Generated: day.AddDate(0, 0, 1)}
	for _, k := range metricKeys {
		r.Metrics = append(r.Metrics, Metric{Key: k})
	}
	subject, err := tm.Subject(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[bouncer] 2026-11-24: 0 newly suppressed, 0 bounces, 0 complaints"; subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
	text, err := tm.Text(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NEWLY SUPPRESSED (0)\n  none", "no mailbox has been polled", "MESSAGES LEFT FOR A PERSON: 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("empty text report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "late") {
		t.Errorf("a report on time says it is late:\n%s", text)
	}
}

func TestReplacementTemplates(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		SubjectTemplate: `[bouncer] {{.Date}} 일일 보고서: 새로 차단된 주소 {{num (.Metric "suppressed").Day}}개`,
		TextTemplate:    `{{.Date}} 반송 보고서{{range .NewlySuppressedShown}}` + "\n" + `- {{.Email}}: {{.Reason}}{{end}}` + "\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tm := loadTestTemplates(t, dir)
	r := fixtureReport()
	subject, err := tm.Subject(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[bouncer] 2026-11-24 일일 보고서: 새로 차단된 주소 3개"; subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
	text, err := tm.Text(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-24 반송 보고서\n- a@example.com: userunknown\n- c@outlook.com: blocked\n"; text != want {
		t.Errorf("Text = %q, want %q", text, want)
	}
	html, err := tm.HTML(r) // not replaced: the embedded one
	if err != nil || !strings.Contains(html, "bouncer failure report for 2026-11-24") {
		t.Errorf("HTML (embedded) = %.80q, %v; want the built-in report", html, err)
	}
}

func TestBrokenReplacementTemplate(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{SubjectTemplate, HTMLTemplate} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{{.Date"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadTemplates(dir)
	if err == nil || !strings.Contains(err.Error(), SubjectTemplate) || !strings.Contains(err.Error(), HTMLTemplate) {
		t.Errorf("LoadTemplates(broken) = %v, want errors naming %s and %s", err, SubjectTemplate, HTMLTemplate)
	}
}

func TestReplacementNamingUnknownFieldRefusedAtLoad(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{SubjectTemplate, "{{.Dya}}", "can't evaluate field Dya"},
		// inside a range: only seen when a list has an entry
		{TextTemplate, "{{range .NewlySuppressedShown}}{{.Adress}}{{end}}", "can't evaluate field Adress"},
		{AlertTemplate, "{{.Kind}}\n\n{{.Detial}}", "can't evaluate field Detial"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, tt.name), []byte(tt.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadTemplates(dir)
		if err == nil || !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadTemplates(%s = %q) = %v, want an error naming the file and %q", tt.name, tt.src, err, tt.want)
		}
	}
}

// TestTextReportFitsAndShowsWhatHolds renders a report with long and noisy
// fields: every text line fits 80 columns (bar one unbreakable word), an
// error older than the last success is not shown, separator rulers are
// gone from diagnostics and a "Local" zone prints as its abbreviation.
func TestTextReportFitsAndShowsWhatHolds(t *testing.T) {
	r := fixtureReport()
	long := strings.Repeat("mailbox unavailable for this recipient ", 8)
	r.NewlySuppressedShown[0].Diagnostic = "550 5.1.1 |----- Message text follows: ----- " + long + " ===== Transcript of session follows ====="
	r.Refusing[0].Lists = []string{"Microsoft", "Spamhaus", "Barracuda", "SpamCop", "SORBS", "UCEPROTECT", "Proofpoint"}
	r.BlocksByReceiver[0].Lists = r.Refusing[0].Lists
	r.UnparsedSamples[0].Mailbox = "a-mailbox-with-a-rather-long-name"
	r.UnparsedSamples[0].Subject = long
	r.Mailboxes[0].LastError = "an error from before the last success"
	r.Mailboxes[1].LastError = long
	tm := loadTestTemplates(t, "")
	text, err := tm.Text(r)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line %d is %d columns:\n%s", i+1, n, line)
		}
	}
	for _, gone := range []string{"an error from before the last success", "-----", "=====", "Message text follows", "Transcript of session"} {
		if strings.Contains(text, gone) {
			t.Errorf("text report shows %q:\n%s", gone, text)
		}
	}
	if !strings.Contains(text, "last error: mailbox unavailable") {
		t.Errorf("text report lacks the failing mailbox's error:\n%s", text)
	}
	local := &Report{Day: time.Date(2026, 7, 1, 0, 0, 0, 0, time.FixedZone("CEST", 7200)), Location: time.Local}
	if z := local.Zone(); z == "Local" || z == "" {
		t.Errorf("Zone of time.Local = %q, want an abbreviation", z)
	}
}
