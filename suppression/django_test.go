package suppression

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDjangoSnippetNormalizesLikeBouncer runs docs/suppression.md's Python
// bouncer_address (the Django look-up snippet) on addresses a sending app
// meets — case, brackets, a trailing dot, internationalised and full-width
// domains, punycode — and checks it gives Normalize's answer for each, so
// an application's look-up finds what bouncer stored.
func TestDjangoSnippetNormalizesLikeBouncer(t *testing.T) {
	code := djangoSnippet(t)
	if err := exec.Command("python3", "-c", "import idna").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with the idna module is required on CI (scripts/test-servers installs python3-idna): %v", err)
		}
		t.Skip("python3 with the idna module (Debian python3-idna) is missing: apt-get install python3-idna")
	}
	inputs := []string{"Alice@Example.COM", " <Bob@Bücher.example> ", "Jörg@München.DE.", "x@XN--BCHER-KVA.example",
		"user@straße.de", "u@ＥＸＡＭＰＬＥ.com", "a+tag@sub.例え.jp", "ops@[192.0.2.1]"}
	in, _ := json.Marshal(inputs)
	// Django is not needed to normalise: stub the import the snippet makes.
	prog := "import sys, types, json\nsys.modules['django'] = types.ModuleType('django')\n" +
		"db = types.ModuleType('django.db'); db.connection = None; sys.modules['django.db'] = db\n" + code +
		"\nprint(json.dumps([bouncer_address(a) for a in json.loads(sys.argv[1])]))\n"
	out, err := exec.Command("python3", "-c", prog, string(in)).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(inputs) {
		t.Fatalf("python3 printed %q: %v", out, err)
	}
	for i, a := range inputs {
		want, err := Normalize(a, false)
		if err != nil {
			t.Fatalf("Normalize(%q): %v", a, err)
		}
		if got[i] != want {
			t.Errorf("docs/suppression.md bouncer_address(%q) = %q, Normalize = %q", a, got[i], want)
		}
	}
}

// djangoSnippet returns the Python block of docs/suppression.md that defines
// bouncer_address.
func djangoSnippet(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../docs/suppression.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```python\n")[1:] {
		code, _, _ := strings.Cut(block, "```")
		if strings.Contains(code, "def bouncer_address(") {
			return code
		}
	}
	t.Fatal("docs/suppression.md has no Python block defining bouncer_address")
	return ""
}
