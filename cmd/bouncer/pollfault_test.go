package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// bouncerBinary builds the bouncer binary once per test run.
func bouncerBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := bouncerBinDir()
		if err != nil {
			binErr = err
			return
		}
		// Built under a name of its own, then renamed: a binary another
		// test process is running is never overwritten in place.
		tmp := filepath.Join(dir, fmt.Sprintf("bouncer.%d", os.Getpid()))
		out, err := exec.Command("go", "build", "-o", tmp, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{out: string(out), err: err}
			return
		}
		binPath = filepath.Join(dir, "bouncer")
		binErr = os.Rename(tmp, binPath)
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// deliverBounces puts n distinct synthetic hard bounces into INBOX.
func (e *pollEnv) deliverBounces(t testing.TB, n int) {
	t.Helper()
	for i := range n {
		e.dovecot.DeliverMaildir(syntheticBounce(i, 0))
	}
}

// waitFor polls cond, which reads observable state (rows in the ledger),
// until it holds or 60 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ledgerRows counts the ledger, or -1 while it does not exist yet.
func (e *pollEnv) ledgerRows() int {
	var n int
	if err := e.db.QueryRow(`SELECT count(*) FROM processed_messages`).Scan(&n); err != nil {
		return -1
	}
	return n
}

// assertAllOnce checks that every one of n bounces took effect exactly
// once and left INBOX.
func (e *pollEnv) assertAllOnce(t *testing.T, n int) {
	t.Helper()
	e.assertCountedOnce(t, n)
	if in, done := e.maildir(t, ""), e.maildir(t, "Processed"); in != 0 || done != n {
		t.Errorf("INBOX %d, Processed %d; want 0, %d", in, done, n)
	}
}

// assertCountedOnce checks that every one of n bounces took effect exactly
// once.
func (e *pollEnv) assertCountedOnce(t *testing.T, n int) {
	t.Helper()
	ledger := e.count(t, `SELECT count(*) FROM processed_messages`)
	events := e.count(t, `SELECT count(*) FROM bounce_events`)
	addrs := e.count(t, `SELECT count(*) FROM suppressions`)
	doubled := e.count(t, `SELECT count(*) FROM suppressions WHERE hard_count <> 1`)
	if ledger != n || events != n || addrs != n || doubled != 0 {
		t.Errorf("ledger %d, events %d, addresses %d, counted twice %d; want %d, %d, %d, 0", ledger, events, addrs, doubled, n, n, n)
	}
}

func (e *pollEnv) startPoll(t *testing.T) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bouncerBinary(t), "poll", "--once", "--config", e.config)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

const faultMessages = 600

// TestPollKilledMidRun kills the process once some batches are committed;
// the rerun loses nothing and counts nothing twice.
func TestPollKilledMidRun(t *testing.T) {
	e := newPollEnv(t, 25, imapsBox)
	e.deliverBounces(t, faultMessages)
	cmd, _ := e.startPoll(t)
	waitFor(t, "50 ledger rows", func() bool { return e.ledgerRows() >= 50 })
	cmd.Process.Kill()
	cmd.Wait()
	if n := e.count(t, `SELECT count(*) FROM processed_messages`); n >= faultMessages {
		t.Logf("the pass finished before the kill (%d rows); the rerun proves less", n)
	}
	if out, stderr, code := runCLI(t, "poll", "--once", "--config", e.config); code != 0 {
		t.Fatalf("rerun exit %d: %s %s", code, out, stderr)
	}
	e.assertAllOnce(t, faultMessages)
}

// TestPollSIGTERM stops the pass mid-run: the batch in hand finishes, the
// process exits 0 and says how many messages it left and which mailbox it
// did not poll, and the rerun handles the rest.
func TestPollSIGTERM(t *testing.T) {
	e := newPollEnv(t, 25, func(d *testenv.DovecotServer) []mailboxYAML {
		return append(imapsBox(d), mailboxYAML{name: "later", protocol: "pop3", tls: "implicit", port: d.POP3SPort})
	})
	e.deliverBounces(t, faultMessages)
	cmd, out := e.startPoll(t)
	waitFor(t, "50 ledger rows", func() bool { return e.ledgerRows() >= 50 })
	terminate(t, cmd, out)
	if !strings.Contains(out.String(), "main: fetched") {
		t.Errorf("output %q, want the summary of the stopped pass", out)
	}
	if left := e.maildir(t, ""); left == 0 {
		t.Logf("the pass finished before the signal; the rerun proves less")
	} else if want := fmt.Sprintf(", stopped early: %d left for the next pass\n", left); !strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), "later: not polled, stopping\n") {
		t.Errorf("output %q, want the stopped pass to end %q (INBOX holds %d) and a line saying later was not polled", out, want, left)
	}
	if _, _, code := runCLI(t, "poll", "--once", "--config", e.config); code != 0 {
		t.Fatalf("rerun exit %d", code)
	}
	e.assertAllOnce(t, faultMessages)
}

// terminate sends SIGTERM and expects a clean exit (status 0) within 30 s.
func terminate(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s after SIGTERM: %v\n%s", cmd.Args[1], err, out)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s did not exit after SIGTERM\n%s", cmd.Args[1], out)
	}
}

// TestPollConnectionCut drops the IMAP connection mid-fetch: the pass
// fails with nothing of the broken batch moved, and the rerun finishes.
func TestPollConnectionCut(t *testing.T) {
	var proxy *cutProxy
	e := newPollEnv(t, 25, func(d *testenv.DovecotServer) []mailboxYAML {
		proxy = startCutProxy(t, d.Addr(d.IMAPSPort), 300<<10)
		return []mailboxYAML{{name: "main", protocol: "imap", tls: "implicit", port: proxy.port}}
	})
	e.deliverBounces(t, faultMessages)
	if _, _, code := runCLI(t, "poll", "--once", "--config", e.config); code == 0 {
		t.Fatal("poll over a cut connection exited 0")
	}
	if !proxy.cut.Load() {
		t.Fatal("the proxy never cut the connection")
	}
	recorded := e.count(t, `SELECT count(*) FROM processed_messages`)
	if moved := e.maildir(t, "Processed"); moved > recorded || recorded == faultMessages {
		t.Errorf("after the cut: %d recorded, %d moved; want fewer moved than recorded and not all recorded", recorded, moved)
	}
	if _, stderr, code := runCLI(t, "poll", "--once", "--config", e.config); code != 0 {
		t.Fatalf("rerun exit %d: %s", code, stderr)
	}
	e.assertAllOnce(t, faultMessages)
}

// cutProxy forwards TCP to a target and cuts its first connection after
// limit bytes from the server; later connections pass untouched.
type cutProxy struct {
	port int
	cut  atomic.Bool
}

func startCutProxy(t *testing.T, target string, limit int64) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &cutProxy{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		first := true
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, target, first, limit)
			first = false
		}
	}()
	return p
}

func (p *cutProxy) serve(client net.Conn, target string, cut bool, limit int64) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer server.Close()
	go io.Copy(server, client)
	if !cut {
		io.Copy(client, server)
		return
	}
	io.CopyN(client, server, limit)
	p.cut.Store(true)
}

// TestPollDurableOnAsyncServer runs a pass against a Postgres that commits
// asynchronously (synchronous_commit=off, the WAL written every 10 s) and
// crashes it (immediate stop) as soon as messages reach Processed: every
// moved message must still have its record after the restart, so the
// rerun finds all of them counted once.
func TestPollDurableOnAsyncServer(t *testing.T) {
	pg := testenv.OwnPostgres(t, "synchronous_commit=off", "wal_writer_delay=10s", "wal_writer_flush_after=0")
	e := newPollEnvDB(t, pg.URL, 25, imapsBox)
	e.deliverBounces(t, faultMessages)
	cmd, _ := e.startPoll(t)
	waitFor(t, "a message in Processed", func() bool { return e.maildir(t, "Processed") > 0 })
	pg.Stop("immediate")
	cmd.Wait()
	pg.Start()
	if _, stderr, code := runCLI(t, "poll", "--once", "--config", e.config); code != 0 {
		t.Fatalf("rerun exit %d: %s", code, stderr)
	}
	e.assertAllOnce(t, faultMessages)
}

// TestPollKilledMidMove kills -9 the bouncer process while its second
// session moves a large group of a 10,000-message pass, and runs the pass
// again at once: Dovecot finishes the dead session's MOVE while the new
// pass works, so the new pass's MOVE names messages that have just left
// (NO [EXPUNGEISSUED]). The rerun succeeds, and every bounce counts once.
// An interrupted MOVE may leave a second copy of a message in Processed
// (the server's copy-then-expunge), so Processed holds at least all.
func TestPollKilledMidMove(t *testing.T) {
	const n = 10000
	e := newPollEnv(t, 500, imapsBox)
	e.deliverBounces(t, n)
	cmd, out := e.startPoll(t)
	waitFor(t, "the first message in Processed", func() bool { return e.maildir(t, "Processed") > 0 })
	cmd.Process.Kill()
	cmd.Wait()
	if got := e.maildir(t, "Processed"); got >= n {
		t.Logf("the move had finished before the kill (%d in Processed); the rerun proves less\n%s", got, out)
	}
	if stdout, stderr, code := runCLI(t, "poll", "--once", "--config", e.config); code != 0 {
		t.Fatalf("rerun exit %d: %s %s", code, stdout, stderr)
	}
	e.assertCountedOnce(t, n)
	if in, done := e.maildir(t, ""), e.maildir(t, "Processed"); in != 0 || done < n {
		t.Errorf("INBOX %d, Processed %d; want 0, at least %d", in, done, n)
	}
}
