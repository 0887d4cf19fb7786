package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzConfig feeds arbitrary YAML to the config loader. Run it with
// -fuzzminimizetime 1s: the seeds are whole example files, and minimizing
// each new input byte by byte otherwise takes the first minutes. It must never
// panic; a valid config must print (as `config check` does) without its
// plain password; an invalid one must say why, naming a key path.
func FuzzConfig(f *testing.F) {
	for _, name := range []string{"bouncer.example.yaml", "bouncer.postgres.yaml", "bouncer.sqlite.yaml"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "configs", name)); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "{}", "[]", "null", "bogus_key: 1\n", "mailboxes: [{}]\n", "mailboxes: {}\n",
		"mailboxes:\n  - {name: a, protocol: imap, host: h, port: 70000, username: u, password: Pw-Fuzz-Secret-1}\n",
		"policy: {soft_window: -1h, hard_threshold: 0}\n", "report: {timezone: Mars/Olympus, to: [x]}\n",
		"http: {listen: ':8025', token_file: ''}\n", "verp: {header: 'Bad Header'}\n", "log: {level: loud}\n",
		"smtp: {host: h, password: Pw-Fuzz-Secret-1, password_env: X}\n", "database: {url: 'postgres://u:Pw-Fuzz-Secret-1@h/db'}\n",
		"a: &a [*a, *a]\n", "state_dir: !!binary aGVsbG8=\n", "dsn: {max_message_bytes: 1e99}\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("/dev")) || bytes.Contains(data, []byte("/proc")) || bytes.Contains(data, []byte("/sys")) {
			t.Skip("secret files under /dev, /proc and /sys can block or never end")
		}
		file, err := os.CreateTemp(dir, "fuzz-*.yaml")
		if err != nil {
			t.Fatal(err)
		}
		defer os.Remove(file.Name())
		if _, err := file.Write(data); err != nil {
			t.Fatal(err)
		}
		file.Close()
		cfg, err := readConfig(file.Name())
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("readConfig(%q): empty error", data)
			}
			return
		}
		var out bytes.Buffer
		if err := yaml.NewEncoder(&out).Encode(cfg); err != nil {
			t.Fatalf("readConfig(%q) valid, but printing it failed: %v", data, err)
		}
		for _, pw := range plainPasswords(cfg) {
			if len(pw) >= 6 && strings.Contains(out.String(), pw) {
				t.Fatalf("config check prints the password %q:\n%s", pw, out.String())
			}
		}
	})
}

// plainPasswords returns every secret value the config resolved.
func plainPasswords(cfg *Config) []string {
	out := []string{cfg.SMTP.Password.Value(), cfg.HTTP.Token.Value(), cfg.VERP.Secret.Value()}
	for _, m := range cfg.Mailboxes {
		out = append(out, m.Password.Value())
	}
	return out
}
