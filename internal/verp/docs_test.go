package verp

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// pythonDriver runs the docs' return_path over the cases in argv[1] (a JSON
// list of [recipient, mailbox, separator, stream]) and prints the addresses,
// "" where it refused.
const pythonDriver = `
import json, sys
out = []
for rcpt, mailbox, sep, stream in json.loads(sys.argv[1]):
    try:
        out.append(return_path(rcpt, KEY, mailbox, sep, stream))
    except ValueError:
        out.append("")
print(json.dumps(out))
`

// The Python recipe of docs/signed-return-paths.md, run as it is written,
// signs exactly as SignStream: the direct and reference forms without a
// stream (1, 2) and with one (3, 4), and refuses where SignStream does.
func TestDocsPythonReturnPath(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required on CI")
		}
		t.Skip("python3 is missing")
	}
	code := docsPython(t, "../../docs/signed-return-paths.md", "def return_path(")
	cases := [][4]string{
		{"alice@example.com", "bounces@example.com", "+", ""},
		{"  Bob.Smith@Example.ORG ", "bounces@example.com", "+", ""},
		{"jürgen@exämple.de", "bounces@example.com", "+", ""},
		{"a.very.long.recipient.name+newsletter@subdomain.example.co.uk", "bounces@example.com", "+", ""},
		{"alice@example.com", "bounces@example.com", "+", "receipts"},
		{"Al@Example.COM", "b@mail.example.net", "-", "Password-Reset"},
		{"a.very.long.recipient.name+newsletter@subdomain.example.co.uk", "bounces@example.com", "+", "newsletter"},
		{"x@y.z", "bounces@example.com", "+", "a-stream-label-of-32-characters_"},
		{"x@y.z", "return-path-for-the-marketing-department-2026@example.com", "+", "newsletter-weekly"},
	}
	arg, _ := json.Marshal(cases)
	out, err := exec.Command("python3", "-c", code+"\nKEY = "+pyBytes(testKey)+"\n"+pythonDriver, string(arg)).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("python3 printed %s (%v)", out, err)
	}
	c := Codec{Keys: ring(t, testKey)}
	forms := map[byte]bool{}
	for i, tc := range cases {
		c.Separator = tc[2]
		s, err := c.SignStream(tc[1], tc[0], tc[3])
		switch {
		case errors.Is(err, ErrTooLong):
			if got[i] != "" {
				t.Errorf("return_path%q = %q; SignStream refuses: %v", tc, got[i], err)
			}
			continue
		case err != nil:
			t.Fatalf("SignStream%q: %v", tc, err)
		}
		if got[i] != s.Address {
			t.Errorf("return_path%q = %q, want %q", tc, got[i], s.Address)
		}
		forms[s.Token[0]] = true
		refs := mapRefs{}
		if s.Ref != "" {
			refs[s.Ref] = s.Recipient
		}
		if rcpt, err := c.Verify(context.Background(), tc[1], got[i], refs); err != nil || rcpt != Canonical(tc[0]) || StreamOf(s.Token) != strings.ToLower(tc[3]) {
			t.Errorf("Verify(%q) = %q, %v, stream %q", got[i], rcpt, err, StreamOf(s.Token))
		}
	}
	if len(forms) != 4 {
		t.Errorf("the cases cover forms %v, want all four", forms)
	}
}

// docsPython returns the python block of the docs file at path that
// contains marker.
func docsPython(t *testing.T, path, marker string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```python\n")[1:] {
		if code, _, _ := strings.Cut(block, "```"); strings.Contains(code, marker) {
			return code
		}
	}
	t.Fatalf("%s has no python block containing %q", path, marker)
	return ""
}

// pyBytes is b as a Python bytes literal.
func pyBytes(b []byte) string {
	j, _ := json.Marshal(string(b))
	return "b" + string(j)
}
