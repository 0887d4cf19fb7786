//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// bouncer migrate creates a new SQLite database (named by
// BOUNCER_DATABASE_URL, in an existing directory of mode 0755, under the
// usual umask 022) readable by its owner only, and so are the -wal and
// -shm files SQLite makes beside it on the first write.
func TestMigrateCreatesSQLitePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "dbx")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "x.db")
	t.Setenv("BOUNCER_DATABASE_URL", "sqlite:"+path)
	t.Chdir(t.TempDir()) // no bouncer.yaml found by accident
	if out, stderr, code := runCLI(t, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	checkMode(t, path)
	// The same entry point migrate uses, writing, while another command
	// writes through the store.
	db, _, err := openDB(context.Background(), &Config{Database: DatabaseConfig{URL: "sqlite:" + path}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE mode_probe (x INTEGER); INSERT INTO mode_probe VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := runCLI(t, "sent", "add", "--stream", "t", "--count", "5"); code != 0 || !strings.Contains(out, "5") {
		t.Fatalf("sent add: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	checkMode(t, path, path+"-wal", path+"-shm", path+".lock")
}

func checkMode(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), mode)
		}
	}
}

// A database file others can read (made by an older migrate, a copy, a
// restore) is named with the command that fixes it, once, and left as it is.
func TestSharedSQLiteWarned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	t.Setenv("BOUNCER_DATABASE_URL", "sqlite:"+path)
	t.Chdir(t.TempDir())
	if out, stderr, code := runCLI(t, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	warnedShared.Delete(path)
	_, stderr, code := runCLI(t, "sent", "add", "--stream", "t", "--count", "5")
	if code != 0 {
		t.Fatalf("sent add: exit %d, stderr %q", code, stderr)
	}
	if want := "the SQLite database is readable by its group and other users (mode 644): chmod 600 " + path; strings.Count(stderr, want) != 1 {
		t.Errorf("stderr should name %q once:\n%s", want, stderr)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("the mode is the operator's to change: %v %v", fi.Mode(), err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	warnedShared.Delete(path)
	if _, stderr, _ := runCLI(t, "sent", "add", "--stream", "t", "--count", "5"); strings.Contains(stderr, "chmod") {
		t.Errorf("a private database is not warned about:\n%s", stderr)
	}
}

// The warning says what the mode lets others do, as its bits say: a
// write-only mode is not "readable".
func TestAccessText(t *testing.T) {
	for mode, want := range map[os.FileMode]string{
		0o644: "readable by its group and other users",
		0o640: "readable by its group",
		0o620: "writable by its group",
		0o602: "writable by other users",
		0o666: "readable and writable by its group and other users",
		0o664: "readable and writable by its group, readable by other users",
		0o610: "executable by its group",
	} {
		if got := accessText(mode); got != want {
			t.Errorf("accessText(%o) = %q, want %q", mode, got, want)
		}
	}
}
