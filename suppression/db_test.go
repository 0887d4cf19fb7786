package suppression

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// dialects runs fn against a fresh SQLite store and a fresh Postgres store
// (testenv: skipped without a server, failed on CI).
func dialects(t *testing.T, opts Options, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			fn(t, openTest(t, d, opts))
		})
	}
}

func openTest(t testing.TB, dialect string, opts Options) *Store {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
	if dialect == "postgres" {
		url = testenv.PostgresURL(t)
	}
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dialect, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A path with '#' or '%' opens that very file, not a truncated one.
func TestOpenSQLitePathSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run#2 100%25")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bouncer.db")
	s, err := Open(context.Background(), "sqlite:"+path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %s: %v", path, err)
	}
}

// Every SQLite write commits durably: in WAL mode synchronous=NORMAL may
// lose the last commits on a power cut, after the poller has already
// moved their messages out of the mailbox.
func TestOpenSQLiteSynchronousFull(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	var mode int
	if err := s.db.QueryRow(`PRAGMA synchronous`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Errorf("PRAGMA synchronous = %d, want 2 (FULL)", mode)
	}
}

// Two stores on one SQLite file (two processes: a daemon and a cron poll)
// exclude each other through the lock file, as Postgres replicas do
// through advisory locks.
func TestSQLiteLockAcrossStores(t *testing.T) {
	path := "sqlite:" + filepath.Join(t.TempDir(), "bouncer.db")
	open := func() *Store {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	unlock, ok, err := a.TryLock(context.Background(), "bouncer/poll/x")
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v; want the lock", ok, err)
	}
	if _, ok, err := b.TryLock(context.Background(), "bouncer/poll/x"); err != nil || ok {
		t.Errorf("TryLock of another store on the same file = %v, %v; want refused", ok, err)
	}
	if un, ok, err := b.TryLock(context.Background(), "bouncer/poll/y"); err != nil || !ok {
		t.Errorf("TryLock of another name = %v, %v; want the lock", ok, err)
	} else {
		un()
	}
	unlock()
	if un, ok, err := b.TryLock(context.Background(), "bouncer/poll/x"); err != nil || !ok {
		t.Errorf("TryLock after unlock = %v, %v; want the lock", ok, err)
	} else {
		un()
	}
}

// A new SQLite database, its WAL and shared-memory files and its lock file
// are readable by their owner only.
func TestSQLiteFilesPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bouncer.db")
	s, err := Open(context.Background(), "sqlite:"+path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Add(context.Background(), "a@example.org", Manual{}, t0); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
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
