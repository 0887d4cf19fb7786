package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// installSteps returns the shell lines of docs/operations.md's production install: the
// indented block after "As root, from a checkout".
func installSteps(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Installing and running in production")
	if !ok {
		t.Fatal("docs/operations.md has no production install section")
	}
	_, rest, ok = strings.Cut(rest, "As root, from a checkout")
	if !ok {
		t.Fatal("docs/operations.md's production install has no block of steps")
	}
	_, rest, _ = strings.Cut(rest, "\n\n")
	var steps []string
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "    ") {
			break
		}
		steps = append(steps, strings.TrimSpace(line))
	}
	return steps
}

// unitKey returns key's value in configs/bouncer.service.
func unitKey(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile("../../configs/bouncer.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return v
		}
	}
	return ""
}

// freeID returns an id that names no user and no group here, so the test's
// service identity shares nothing with the machine's.
func freeID(t *testing.T, from int) int {
	t.Helper()
	for id := from; id < from+1000; id++ {
		s := strconv.Itoa(id)
		_, uerr := user.LookupId(s)
		_, gerr := user.LookupGroupId(s)
		if uerr != nil && gerr != nil {
			return id
		}
	}
	t.Fatalf("no free id from %d", from)
	return 0
}

// TestProductionInstall runs docs/operations.md's production install as written — the
// file modes and owners, the secret files, the environment file and the
// config check as the service's user — with /etc/bouncer moved to a
// temporary directory and runuser replaced by setpriv with the same uid,
// gid and groups. bouncer must read its config and every secret as the
// unit's user (User= and Group= of configs/bouncer.service), and as the
// Docker image's uid with the group docs/operations.md gives it; without that group
// (a DynamicUser, or the image run bare) it must fail with exit 78, so the
// model is known to bite.
func TestProductionInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("TestProductionInstall needs root (to own files as root:bouncer and drop to the service's user); CI=true: required")
		}
		t.Skip("TestProductionInstall needs root: run `go test -run TestProductionInstall ./cmd/bouncer` as root")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("setpriv (util-linux) is missing; CI=true: required")
		}
		t.Skip("setpriv (util-linux) is missing")
	}
	if u, g := unitKey(t, "User"), unitKey(t, "Group"); u != "bouncer" || g != "bouncer" || unitKey(t, "DynamicUser") != "" {
		t.Fatalf("bouncer.service runs as User=%q Group=%q (DynamicUser=%q); docs/operations.md's install creates bouncer:bouncer", u, g, unitKey(t, "DynamicUser"))
	}
	uid, gid := freeID(t, 61000), 0
	gid = freeID(t, uid+1)
	root, bin := installRoot(t)
	etc := filepath.Join(root, "etc", "bouncer")
	configs, err := filepath.Abs("../../configs")
	if err != nil {
		t.Fatal(err)
	}
	asService := fmt.Sprintf("setpriv --reuid=%d --regid=%d --clear-groups --", uid, gid)
	subst := strings.NewReplacer("/etc/bouncer", etc, "-g bouncer", fmt.Sprintf("-g %d", gid), "configs/", configs+"/",
		"runuser -u bouncer --", asService, "/usr/local/bin/bouncer", bin)
	var check string
	sawUser := false
	for _, step := range installSteps(t) {
		switch {
		case strings.HasPrefix(step, "useradd "):
			sawUser = strings.HasSuffix(step, " bouncer") && strings.Contains(step, "--user-group")
		case strings.HasPrefix(step, "go build"), strings.HasPrefix(step, "systemctl"),
			strings.HasSuffix(step, " /usr/local/bin/bouncer"), strings.Contains(step, "/etc/systemd/"):
			// the binary is this test's; systemd is not driven here
		case strings.Contains(step, "config check"):
			check = subst.Replace(step)
		default:
			step, _, _ = strings.Cut(step, "   #")
			if out, err := exec.Command("sh", "-c", subst.Replace(step)).CombinedOutput(); err != nil {
				t.Fatalf("install step %q: %v\n%s", step, err, out)
			}
		}
	}
	if !sawUser || check == "" {
		t.Fatalf("docs/operations.md's install lacks the useradd of bouncer (%v) or the config check as bouncer (%q)", sawUser, check)
	}
	// What the operator writes by hand: the variables, and this test's
	// /etc/bouncer in the copied config.
	appendFile(t, filepath.Join(etc, "bouncer.env"), "BOUNCER_IMAP_PASSWORD=imap-pw\nBOUNCER_SMTP_PASSWORD=smtp-pw\nPGPASSWORD=pg-pw\n")
	cfgPath := filepath.Join(etc, "bouncer.yaml")
	cfgText, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte(strings.ReplaceAll(string(cfgText), "/etc/bouncer", etc)), 0o640); err != nil {
		t.Fatal(err)
	}

	runCheck := func(name, cmdline string, wantOK bool) {
		t.Helper()
		c := exec.Command("sh", "-c", cmdline)
		c.Env = append(os.Environ(), "BOUNCER_TEST_AS_MAIN=1", "XDG_STATE_HOME="+filepath.Join(root, "state"))
		out, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case wantOK && (code != 0 || strings.Contains(string(out), "readable by group")):
			t.Errorf("%s: exit %d, want 0 and no warning:\n%s", name, code, out)
		case !wantOK && (code != exitConfig || !strings.Contains(string(out), "permission denied")):
			t.Errorf("%s: exit %d, want %d and permission denied:\n%s", name, code, exitConfig, out)
		}
	}
	runCheck("docs/operations.md's config check as the unit's user", check, true)
	const image = 65532 // the distroless nonroot uid and gid of configs/Dockerfile
	docker := fmt.Sprintf("setpriv --reuid=%d --regid=%d --groups=%d --", image, image, gid)
	runCheck("the Docker image with --group-add bouncer", strings.Replace(check, asService, docker, 1), true)
	bare := fmt.Sprintf("setpriv --reuid=%d --regid=%d --clear-groups --", image, image)
	runCheck("the Docker image without the group (or a DynamicUser)", strings.Replace(check, asService, bare, 1), false)
}

// installRoot makes a directory every user may traverse, holding a copy of
// this test binary (which runs as bouncer under BOUNCER_TEST_AS_MAIN=1)
// that every user may run.
func installRoot(t *testing.T) (root, bin string) {
	t.Helper()
	root, err := os.MkdirTemp("", "bouncer-install-") // t.TempDir's parent is 0700
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(root, "bouncer")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, bin
}

func appendFile(t *testing.T, name, text string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSecretFileGroupRead checks a secret file readable by the process's
// own group (root:bouncer 0640 read by bouncer) is accepted silently, while
// one readable by another group warns.
func TestSecretFileGroupRead(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "own")
	if err := os.WriteFile(own, []byte("0123456789abcdef-key\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(own, -1, os.Getegid()); err != nil {
		t.Fatal(err)
	}
	cfg, err := readConfig(writeFile(t, "c.yaml", "verp: {secret_file: "+own+"}"))
	if err != nil || len(cfg.Warnings) != 0 {
		t.Errorf("0640 with the process's group: err %v, warnings %q; want none", err, cfg.Warnings)
	}
	if os.Geteuid() != 0 {
		t.Skip("chgrp to a group this process is not in needs root")
	}
	other := freeID(t, 62000)
	if err := os.Chown(own, -1, other); err != nil {
		t.Fatal(err)
	}
	cfg, err = readConfig(writeFile(t, "c.yaml", "verp: {secret_file: "+own+"}"))
	if want := fmt.Sprintf("is readable by group %d (mode 0640), which this process is not in: right if that is the service's group", other); err != nil || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], want) {
		t.Errorf("0640 with group %d: err %v, warnings %q; want %q", other, err, cfg.Warnings, want)
	}
}
