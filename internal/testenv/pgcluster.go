package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// PostgresCluster is a Postgres server of one test's own, which the test
// may stop (even abruptly) and start again: for faults the shared server
// must not suffer. It is removed when the test ends.
type PostgresCluster struct {
	URL  string // postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
	Port int
	bin  string
	dir  string
	opts string
	t    testing.TB
}

// OwnPostgres initialises and starts a throwaway cluster with the given
// server settings ("synchronous_commit=off"). It needs the Postgres
// binaries (initdb, pg_ctl) that scripts/test-servers installs; without
// them the test fails on CI and skips elsewhere. As root the server runs
// as the postgres user, as scripts/test-servers runs it.
func OwnPostgres(t testing.TB, settings ...string) *PostgresCluster {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		unavailable(t, "no Postgres binaries (initdb, pg_ctl) for a cluster of the test's own")
	}
	dir, err := os.MkdirTemp("", "bouncer-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &PostgresCluster{bin: bin, dir: dir, t: t}
	t.Cleanup(func() {
		c.pgCtl("stop", "-m", "immediate") //nolint:errcheck // it may be stopped already
		os.RemoveAll(dir)
	})
	c.ownByPostgres()
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}
	c.opts = "-c listen_addresses=127.0.0.1 -k " + dir
	for _, s := range settings {
		c.opts += " -c " + s
	}
	for try := 0; ; try++ {
		c.Port = freePort(t)
		if err := c.start(); err == nil {
			break
		} else if try == 2 {
			t.Fatalf("testenv: start own postgres: %v", err)
		}
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
	return c
}

// Stop stops the server: mode "immediate" is a crash (no checkpoint, no
// goodbye to clients), "fast" a clean shutdown that ends the sessions.
func (c *PostgresCluster) Stop(mode string) {
	c.t.Helper()
	if out, err := c.pgCtl("stop", "-m", mode); err != nil {
		c.t.Fatalf("testenv: stop postgres: %v\n%s", err, out)
	}
}

// Start starts the stopped server again on the same port.
func (c *PostgresCluster) Start() {
	c.t.Helper()
	if err := c.start(); err != nil {
		c.t.Fatalf("testenv: start postgres: %v", err)
	}
}

func (c *PostgresCluster) start() error {
	opts := c.opts + " -p " + strconv.Itoa(c.Port)
	if out, err := c.pgCtl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "log"), "-o", opts); err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

func (c *PostgresCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *PostgresCluster) pgCtl(args ...string) ([]byte, error) {
	return c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.data()}, args...)...)
}

// run runs a Postgres program, as the postgres user when this is root
// (the server refuses to run as root).
func (c *PostgresCluster) run(prog string, args ...string) ([]byte, error) {
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres", "--", prog}, args...)
		prog = "runuser"
	}
	return exec.Command(prog, args...).CombinedOutput()
}

// ownByPostgres gives the cluster's directory to the postgres user when
// this is root.
func (c *PostgresCluster) ownByPostgres() {
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		c.t.Fatalf("testenv: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(c.dir, uid, gid); err != nil {
		c.t.Fatal(err)
	}
}

// postgresBin finds the directory of initdb: on PATH, else the newest
// /usr/lib/postgresql/*/bin.
func postgresBin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(r)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
