package suppression

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestDjangoSnippetNormalizesLikeBouncer runs docs/suppression.md's Python
// bouncer_address (the Django look-up snippet) on addresses a sending app
// meets — case, brackets, a trailing dot, internationalised and full-width
// domains, punycode, Greek and Turkish capitals whose str.lower() differs
// from Go's — on malformed ones bouncer refuses, and on every code point in
// a local part, and checks it gives Normalize's answer for each (or refuses
// where Normalize does), so an application's look-up finds what bouncer
// stored.
func TestDjangoSnippetNormalizesLikeBouncer(t *testing.T) {
	code := testenv.DocBlock(t, "../docs/suppression.md", "python", "def bouncer_address(")
	if err := exec.Command("python3", "-c", "import idna").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with the idna module is required on CI (scripts/test-servers installs python3-idna): %v", err)
		}
		t.Skip("python3 with the idna module (Debian python3-idna) is missing: apt-get install python3-idna")
	}
	inputs := []string{"Alice@Example.COM", " <Bob@Bücher.example> ", "Jörg@München.DE.", "x@XN--BCHER-KVA.example",
		"user@straße.de", "u@ＥＸＡＭＰＬＥ.com", "a+tag@sub.例え.jp", "ops@[192.0.2.1]", "ops@[IPv6:2001:DB8::1]",
		// str.lower() gives οδος (final sigma) and i̇nci (a combining dot); bouncer οδοσ and inci
		"ΟΔΟΣ@example.com", "İnci@example.com", "ΣΑΣ.ΣΑΣ@example.gr", "ǅemal@example.com", `"John Doe"@example.com`,
		"\u00a0x@example.com\u3000", "x@example.com.",
		// refused by bouncer, so by the snippet
		"a@b@example.com", "no-at.example.com", "@example.com", "a..b@example.com", ".a@example.com", "a.@example.com",
		"a b@example.com", "a\x1c@example.com", "\x1ca@example.com", "a\u200bb@example.com", "a\u0000@example.com",
		strings.Repeat("x", 65) + "@example.com", strings.Repeat("é", 33) + "@example.com", "a@", "a@.", "a@exa mple.com",
		"a@ex..ample.com", "a@-example.com", "a@under_score.example", "a@[192.0.2.300]", "a@[not-an-ip]", "a@xn--zz.example"}
	// Every code point (but the surrogates) inside a local part ending in a
	// capital sigma, where str.lower() would apply the final-sigma rule.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		inputs = append(inputs, "A"+string(r)+"Σ@example.com")
	}
	in, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	// Django is not needed to normalise: stub the import the snippet makes.
	prog := "import sys, types, json, unicodedata\nsys.modules['django'] = types.ModuleType('django')\n" +
		"db = types.ModuleType('django.db'); db.connection = None; sys.modules['django.db'] = db\n" + code + `
def norm(a):
    try:
        return bouncer_address(a)
    except ValueError:
        return None
inputs = json.load(sys.stdin)
print(json.dumps({"unicode": unicodedata.unidata_version, "out": [norm(a) for a in inputs],
    "unknown": [any(unicodedata.category(c) == "Cn" for c in a) for a in inputs]}))
`
	cmd := exec.Command("python3", "-c", prog)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.Bytes())
	}
	var got struct {
		Unicode string
		Out     []*string
		Unknown []bool
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got.Out) != len(inputs) || len(got.Unknown) != len(inputs) {
		t.Fatalf("python3 printed %.300q: %v", out, err)
	}
	newer, bad := 0, 0
	for i, a := range inputs {
		want, err := Normalize(a, false)
		switch {
		case got.Out[i] == nil && err != nil, got.Out[i] != nil && err == nil && *got.Out[i] == want:
		case got.Out[i] == nil && got.Unknown[i] && got.Unicode < unicode.Version:
			newer++ // a code point this Python's Unicode does not know yet: refused, as the docs say
		default:
			if bad++; bad <= 20 {
				t.Errorf("docs/suppression.md bouncer_address(%+q) = %s, Normalize = %q, %v", a, show(got.Out[i]), want, err)
			}
		}
	}
	if bad > 20 {
		t.Errorf("... %d different answers in all", bad)
	}
	t.Logf("python3's Unicode %s, bouncer's %s: %d inputs, %d refused by python3 for a code point its Unicode does not know", got.Unicode, unicode.Version, len(inputs), newer)
}

// show prints a snippet's answer: the address, or that it refused.
func show(s *string) string {
	if s == nil {
		return "ValueError"
	}
	return strconv.Quote(*s)
}
