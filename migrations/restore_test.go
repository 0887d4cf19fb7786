package migrations

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestRestoreDocumented takes a backup of a database at version 66 the way
// docs/operations.md says, upgrades the database to the newest version,
// runs the restore commands of its "Restoring a backup" as written, and
// checks the database is the backup again (version 66, a row written after
// the backup gone, none of the newer tables) and migrates up again: the
// way back from an upgrade works on Postgres and SQLite.
func TestRestoreDocumented(t *testing.T) {
	pgCmds, sqliteCmds := restoreCommands(t)
	t.Run("postgres", func(t *testing.T) {
		for _, tool := range []string{"pg_dump", "pg_restore", "dropdb", "createdb"} {
			if _, err := exec.LookPath(tool); err != nil {
				t.Skipf("%s is missing (Debian postgresql-client): %v", tool, err)
			}
		}
		u, err := url.Parse(testenv.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		name, file := strings.TrimPrefix(u.Path, "/"), filepath.Join(t.TempDir(), "bouncer.dump")
		env := pgEnv(u)
		restoreRoundTrip(t, Postgres, func() (*sql.DB, error) { return sql.Open("postgres", u.String()) },
			func() { run(t, env, "pg_dump --format=custom --file="+file+" "+name) },
			func() {
				r := strings.NewReplacer("DBNAME", name, "OWNER", u.User.Username(), "FILE", file)
				for _, c := range pgCmds {
					run(t, env, r.Replace(c))
				}
			})
	})
	t.Run("sqlite", func(t *testing.T) {
		if _, err := exec.LookPath("sqlite3"); err != nil {
			t.Skipf("sqlite3 is missing (Debian sqlite3): %v", err)
		}
		dir := t.TempDir()
		db, backup := filepath.Join(dir, "bouncer.db"), filepath.Join(dir, "backup.db")
		restoreRoundTrip(t, SQLite, func() (*sql.DB, error) { return sql.Open("sqlite", "file:"+db+"?_pragma=journal_mode(WAL)") },
			func() { run(t, nil, `sqlite3 `+db+` ".backup '`+backup+`'"`) },
			func() {
				r := strings.NewReplacer("/var/lib/bouncer/bouncer.db", db, "/backup/bouncer.db", backup,
					"-o bouncer -g bouncer", "-o "+idName(t, "-un")+" -g "+idName(t, "-gn"))
				for _, c := range sqliteCmds {
					run(t, nil, r.Replace(c))
				}
			})
	})
}

// restoreRoundTrip migrates a fresh database (open) to version 66 with an
// allowlist entry, backs it up, upgrades it and adds a second entry, stops
// using it (as bouncer is stopped), restores it and checks the result.
func restoreRoundTrip(t *testing.T, d Dialect, open func() (*sql.DB, error), backup, restore func()) {
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	p, err := provider(db, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 66); err != nil {
		t.Fatal(err)
	}
	allow := func(entry string) {
		t.Helper()
		var at any = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		if d == SQLite {
			at = "2026-12-01 08:00:00.000"
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO allowlist (entry, created_at) VALUES ($1, $2)`, entry, at); err != nil {
			t.Fatal(err)
		}
	}
	allow("before.example")
	backup()
	if _, err := Up(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	allow("after.example")
	db.Close()

	restore()

	db, err = open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int64
	var entries string
	if err := db.QueryRowContext(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&version); err != nil || version != 66 {
		t.Errorf("restored schema version %d, %v; want the backup's 66", version, err)
	}
	agg := `SELECT string_agg(entry, ',') FROM allowlist`
	if d == SQLite {
		agg = `SELECT group_concat(entry, ',') FROM allowlist`
	}
	if err := db.QueryRowContext(ctx, agg).Scan(&entries); err != nil || entries != "before.example" {
		t.Errorf("restored allowlist %q, %v; want the backup's before.example alone", entries, err)
	}
	if _, err := db.ExecContext(ctx, `SELECT 1 FROM processed_keys`); err == nil {
		t.Error("processed_keys (00072) is still there after the restore")
	}
	applied, err := Up(ctx, db, d)
	if err != nil || len(applied) == 0 {
		t.Errorf("migrating the restored database again: applied %v, %v", applied, err)
	}
}

// restoreCommands returns the commands of docs/operations.md's "Restoring a
// backup": the Postgres block, then the SQLite block.
func restoreCommands(t *testing.T) (pg, sqlite []string) {
	t.Helper()
	b, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "### Restoring a backup\n")
	if !ok {
		t.Fatal(`docs/operations.md has no "### Restoring a backup"`)
	}
	sec, _, _ = strings.Cut(sec, "\n#")
	var blocks [][]string
	prev := false
	for _, line := range strings.Split(sec, "\n") {
		c, code := strings.CutPrefix(line, "    ")
		if code && !prev {
			blocks = append(blocks, nil)
		}
		if code {
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], c)
		}
		prev = code
	}
	if len(blocks) != 2 || !strings.Contains(blocks[0][len(blocks[0])-1], "pg_restore") || !strings.Contains(blocks[1][0], "-wal") {
		t.Fatalf("docs/operations.md's restore section: want a Postgres block ending in pg_restore and a SQLite one, got %q", blocks)
	}
	return blocks[0], blocks[1]
}

// pgEnv is the environment that points the Postgres client tools at the
// server of u.
func pgEnv(u *url.URL) []string {
	env := append(os.Environ(), "PGHOST="+u.Hostname(), "PGPORT="+u.Port(), "PGUSER="+u.User.Username())
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
	}
	if m := u.Query().Get("sslmode"); m != "" {
		env = append(env, "PGSSLMODE="+m)
	}
	return env
}

// run runs a documented shell command; env nil is this process's.
func run(t *testing.T, env []string, command string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", command)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
}

// idName is id(1)'s answer to flag: this process's user (-un) or group
// (-gn) name, for install -o and -g.
func idName(t *testing.T, flag string) string {
	out, err := exec.Command("id", flag).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
