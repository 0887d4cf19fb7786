package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"strings"
)

// Secret holds a password, token or key resolved at load. Every way of
// printing it (fmt, YAML, JSON, slog) shows only "(set)" or "(unset)"; the
// value is reachable through Value alone, so it never reaches a log, an
// error message or a config dump by accident. The zero Secret is unset.
type Secret struct {
	value string
	set   bool
}

// NewSecret returns a Secret holding v; an empty v gives an unset Secret.
func NewSecret(v string) Secret { return Secret{value: v, set: v != ""} }

// Value returns the secret itself, for the one call that needs it.
func (s Secret) Value() string { return s.value }

// IsSet reports whether the secret has a non-empty value.
func (s Secret) IsSet() bool { return s.set }

// String returns "(set)" or "(unset)".
func (s Secret) String() string {
	if s.set {
		return "(set)"
	}
	return "(unset)"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// MarshalYAML prints the secret as "(set)" or "(unset)".
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON prints the secret as "(set)" or "(unset)".
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText prints the secret as "(set)" or "(unset)".
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue makes slog print "(set)" or "(unset)".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// resolvePassword turns the password, password_file and password_env keys
// under path into one Secret. Exactly one of them must be set when required,
// at most one otherwise. A plain password works but warns; an unset or empty
// environment variable and an unreadable file are errors, so bouncer never
// starts with an empty password that fails on every schedule.
func resolvePassword(p *configProblems, path string, plain Secret, file, env string, required bool) Secret {
	n := 0
	for _, set := range []bool{plain.IsSet(), file != "", env != ""} {
		if set {
			n++
		}
	}
	switch {
	case n == 0 && required:
		p.errorf(path+".password", "one of password, password_file and password_env is required")
		return Secret{}
	case n > 1:
		p.errorf(path+".password", "set only one of password, password_file and password_env")
		return Secret{}
	case plain.IsSet():
		p.warnf(path+".password", "plain password in the config file; prefer password_file or password_env")
		return plain
	case file != "":
		return readSecretFile(p, path+".password_file", file)
	case env != "":
		return envSecret(p, path+".password_env", env)
	}
	return Secret{}
}

// resolveKeySecret turns a section's file key and environment key (such as
// http.token_file and http.token_env) into one Secret: at most one of them
// may be set, and neither means unset.
func resolveKeySecret(p *configProblems, section, fileKey, file, envKey, env string) Secret {
	switch {
	case file != "" && env != "":
		p.errorf(section+"."+envKey, "set only one of %s and %s", fileKey, envKey)
	case file != "":
		return readSecretFile(p, section+"."+fileKey, file)
	case env != "":
		return envSecret(p, section+"."+envKey, env)
	}
	return Secret{}
}

// envSecret reads a secret from the environment variable name; unset or
// empty is recorded as missing, naming the variable (see requireSecrets).
func envSecret(p *configProblems, path, name string) Secret {
	v := os.Getenv(name)
	if v == "" {
		p.missingf(path, "environment variable %s is not set or empty", name)
	}
	return NewSecret(v)
}

// private reports whether a secret file is safe: no access for others, no
// write for the group, and group read only for a group this process runs in
// (the install's root:bouncer 0640).
func private(fi fs.FileInfo) bool {
	perm := fi.Mode().Perm()
	return perm&0o027 == 0 && (perm&0o040 == 0 || inOwnGroup(fi))
}

// maxSecretFileSize bounds a secret file: keys and passwords are short, and
// a mistyped path must not read a log file into memory.
const maxSecretFileSize = 64 << 10

// readSecretFile reads a secret from the regular file name, dropping one
// trailing newline. The value never appears in what it reports.
func readSecretFile(p *configProblems, path, name string) Secret {
	fi, err := os.Stat(name)
	switch {
	case err != nil:
		p.errorf(path, "cannot read %q: %v", name, errors.Unwrap(err))
		return Secret{}
	case !fi.Mode().IsRegular():
		p.errorf(path, "%q is not a regular file", name)
		return Secret{}
	case fi.Size() > maxSecretFileSize:
		p.errorf(path, "%q is larger than %d bytes: not a secret file", name, maxSecretFileSize)
		return Secret{}
	case fi.Mode().Perm()&0o027 == 0 && !private(fi):
		// 0640 root:bouncer read by root (an admin's config check) is the
		// documented install, not a leak: chmod 600 would lock the service out.
		p.warnf(path, "%q is readable by group %s (mode %04o), which this process is not in: right if that is the service's group (check as the service's user: runuser -u bouncer -- bouncer config check), else chmod 600 it",
			name, fileGroup(fi), fi.Mode().Perm())
	case !private(fi):
		p.warnf(path, "%q is readable by group or others (mode %04o); chmod 600 it, or 640 with the service's group", name, fi.Mode().Perm())
	}
	data, err := os.ReadFile(name)
	if err != nil {
		p.errorf(path, "cannot read %q: %v", name, errors.Unwrap(err))
		return Secret{}
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	switch {
	case v == "":
		p.errorf(path, "%q is empty", name)
	case strings.TrimSpace(v) == "":
		p.errorf(path, "%q holds only white space", name)
		return Secret{}
	}
	return NewSecret(v)
}
