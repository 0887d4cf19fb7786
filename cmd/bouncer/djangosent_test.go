package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// djangoStubs stands in for the parts of Django docs/rates.md's backend
// imports, and an inner backend that refuses messages to "refused".
const djangoStubs = `import sys, types
def _mod(name, **attrs):
    m = types.ModuleType(name); m.__dict__.update(attrs); sys.modules[name] = m
class _Settings: pass
_s = _Settings()
_s.BOUNCER_URL, _s.BOUNCER_TOKEN, _s.BOUNCER_WRAPPED_BACKEND = sys.argv[1], sys.argv[2], "inner.Backend"
class BaseEmailBackend:
    def __init__(self, fail_silently=False, **kwargs): self.fail_silently = fail_silently
class Inner(BaseEmailBackend):
    def open(self): return True
    def close(self): pass
    def send_messages(self, msgs): return sum(1 for m in msgs if "refused" not in m.to)
class Msg:
    def __init__(self, to, headers=None): self.to, self.extra_headers = to, headers or {}
    def recipients(self): return self.to
for _n in ("django", "django.core", "django.core.mail", "django.core.mail.backends", "django.utils"): _mod(_n)
_mod("django.conf", settings=_s)
_mod("django.core.mail.backends.base", BaseEmailBackend=BaseEmailBackend)
_mod("django.utils.module_loading", import_string=lambda path: Inner)
`

// djangoDrive sends through the recipe's backend and posts its counts:
// once while bouncer is unreachable (kept), then for real, then the same
// batch again as a client that never saw the answer would (no double count);
// then a bad stream label, a backlog over the body limit, a count bouncer
// refuses among good ones, and a count kept while bouncer is unreachable.
const djangoDrive = `
b = CountingBackend()
assert b.send_messages([Msg(["a@x.test", "b@x.test"], {"X-Bouncer-Stream": "password-reset"}),
                        Msg(["c@x.test"]), Msg(["refused"], {"x-bouncer-stream": "password-reset"})]) == 2
c = sent_counts()
url, c.url = c.url, "http://127.0.0.1:1"
c.flush()
assert len(c.pending) == 2, c.pending
c.url = url
resent = list(c.pending)
c.flush()
assert c.pending == [], c.pending
b.send_messages([Msg(["d@x.test"], {"X-Bouncer-Stream": "password-reset"})])
c.flush()
c.pending = resent
c.flush()
# a header that is no stream label is counted under default, one with spaces and capitals under its label
b.send_messages([Msg(["e@x.test"], {"X-Bouncer-Stream": "Password Reset"}), Msg(["f@x.test"], {"X-Bouncer-Stream": " Password-Reset "})])
c.flush()
assert c.pending == [], c.pending
# a backlog over the 1 MiB body limit (an outage) arrives whole
hour = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:00:00Z")
c.pending = [{"id": "backlog-%05d-" % i + "x" * 150, "stream": "backlog", "count": 1, "at": hour} for i in range(6000)]
assert len(json.dumps(c.pending)) > 1 << 20
c.flush()
assert c.pending == [], len(c.pending)
# a count bouncer refuses (an hour long pruned) is dropped alone: the others of its request arrive
c.pending = [{"id": str(uuid.uuid4()), "stream": "refusal", "count": 1, "at": at} for at in (hour, "2020-01-01T00:00:00Z", hour)]
c.flush()
assert c.pending == [], c.pending
# bouncer answering 5xx or not at all: kept
c.add("kept", 1)
c.url = "http://127.0.0.1:1"
c.flush()
assert len(c.pending) == 1, c.pending
print("done")
`

// TestDjangoSentRecipe runs docs/rates.md's Django backend against a real
// `bouncer serve` and checks the counts that arrived: per stream, per
// recipient, refused messages left out, a retried batch counted once, a
// bad label under default, a backlog over 1 MiB whole, and only the count
// bouncer refuses dropped, with a log line.
func TestDjangoSentRecipe(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required on CI")
		}
		t.Skip("python3 is missing")
	}
	code := testenv.DocBlock(t, "../../docs/rates.md", "python", "class CountingBackend(")
	addr := freeLoopbackAddr(t)
	tokenFile := writeFile(t, "token", "django-secret\n")
	cfg, store := sqliteStoreConfig(t, fmt.Sprintf("http:\n  listen: %s\n  token_file: %s\n", addr, tokenFile))
	var out bytes.Buffer
	cmd := exec.Command(bouncerBinary(t), "serve", "--config", cfg)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { terminate(t, cmd, &out) })
	waitFor(t, "bouncer serve answering", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	py, err := exec.Command("python3", "-c", djangoStubs+code+"\nlogging.basicConfig()\n"+djangoDrive, "http://"+addr, "django-secret").CombinedOutput()
	if err != nil || !strings.Contains(string(py), "done") {
		t.Fatalf("python3: %v\n%s\nbouncer serve:\n%s", err, py, &out)
	}
	for _, line := range []string{`X-Bouncer-Stream 'Password Reset' is not 1 to 32 of a-z, 0-9, '-' and '_': counted under default`,
		`bouncer refused a sent count, dropped: {'id': `, `'at': '2020-01-01T00:00:00Z'}: 400`} {
		if !strings.Contains(string(py), line) {
			t.Errorf("the recipe logged no %q:\n%s", line, py)
		}
	}
	now := time.Now()
	hours, err := store.SentHours(context.Background(), now.Add(-2*time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, h := range hours {
		got[h.Stream] += h.Count
	}
	if want := map[string]int64{"password-reset": 4, "default": 2, "backlog": 6000, "refusal": 2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts arrived %v, want %v", got, want)
	}
}
