package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionString(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"},
		{Key: "vcs.time", Value: "2026-12-06T23:06:35Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	goSuffix := " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		override string
		info     *debug.BuildInfo
		want     string
	}{
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: vcs},
			"bouncer v1.4.0 (commit 0123456789ab+dirty, 2026-12-06T23:06:35Z)" + goSuffix},
		{"v2.0.0-rc1", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"bouncer v2.0.0-rc1 (commit 0123456789ab+dirty, 2026-12-06T23:06:35Z)" + goSuffix},
		// go install …@v0.3.0: a module version and no VCS settings.
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}, "bouncer v0.3.0" + goSuffix},
		// go build with -buildvcs=false.
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "bouncer " + noVCS + goSuffix},
		{"", &debug.BuildInfo{Settings: vcs[:1]}, "bouncer (devel) (commit 0123456789ab)" + goSuffix},
		{"", nil, "bouncer (unknown)" + goSuffix},
	}
	for _, tt := range tests {
		if got := versionString(tt.override, tt.info); got != tt.want {
			t.Errorf("versionString(%q, …) = %q, want %q", tt.override, got, tt.want)
		}
	}
}

// TestVersionCommands checks `bouncer version` and `bouncer --version` print
// the same line.
func TestVersionCommands(t *testing.T) {
	cmd, errOut, code := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(cmd, "bouncer ") {
		t.Fatalf("bouncer version: exit %d, %q, %q", code, errOut, cmd)
	}
	flag, errOut, code := runCLI(t, "--version")
	if code != 0 || flag != cmd {
		t.Errorf("bouncer --version: exit %d, %q, %q, want %q", code, errOut, flag, cmd)
	}
}

// TestPlainBuildStampsVersion builds bouncer with a plain go build in a
// fresh clone of this checkout's HEAD (Go reads no VCS information in a git
// worktree, whose .git is a file), with VCS stamping on (Go's default where
// GOFLAGS does not turn it off), and checks what `bouncer version` prints.
// TestVersionString covers a build without VCS information. It builds the committed code, not uncommitted changes.
func TestPlainBuildStampsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("clones the repository and builds bouncer")
	}
	git := func(dir string, args ...string) string {
		c := exec.Command("git", args...)
		c.Dir = dir
		out, err := c.Output()
		if err != nil {
			t.Skipf("git %s: %v: not a git checkout, nothing to stamp", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	root := git(".", "rev-parse", "--show-toplevel")
	head := git(".", "rev-parse", "HEAD")
	clone := filepath.Join(t.TempDir(), "bouncer")
	if out, err := exec.Command("git", "clone", "-q", root, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	git(clone, "checkout", "-q", "--detach", head)
	build := func(vcs string) string {
		bin := filepath.Join(t.TempDir(), "bouncer")
		c := exec.Command("go", "build", "-buildvcs="+vcs, "-o", bin, "./cmd/bouncer")
		c.Dir = clone
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("go build -buildvcs=%s: %v\n%s", vcs, err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("bouncer version: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	// A tag on HEAD gives its version; otherwise a pseudo-version naming
	// the revision (v0.0.0-20261206230635-3a9f28083f57).
	want := regexp.MustCompile(`^bouncer (v\d+\.\d+\.\d+|v\d+\.\d+\.\d+-\S*` + head[:12] + `) ` +
		`\(commit ` + head[:12] + `, \d{4}-\d\d-\d\dT[0-9:]+Z\) go`)
	if got := build("true"); !want.MatchString(got) {
		t.Errorf("go build -buildvcs=true: bouncer version = %q, want it to match %s", got, want)
	}
}
