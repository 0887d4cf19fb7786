package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestConfigurationDocumented checks docs/configuration.md's table of keys
// against the Config struct: every key a file may set is in the table, in
// the row of its section, and every key the table names exists.
func TestConfigurationDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := docKeys(t, string(b))
	sections := map[string]bool{}
	for _, key := range configKeys(reflect.TypeFor[Config](), "") {
		if section, _, ok := strings.Cut(key, "."); ok {
			sections[section] = true
		}
	}
	for _, key := range configKeys(reflect.TypeFor[Config](), "") {
		if sections[key] {
			if !documented[key+"."] {
				t.Errorf("docs/configuration.md has no row for the section %s", key)
			}
			continue
		}
		if !documented[key] {
			t.Errorf("docs/configuration.md does not document %s", key)
		}
		delete(documented, key)
	}
	for key := range documented {
		if !strings.HasSuffix(key, ".") {
			t.Errorf("docs/configuration.md documents %s, which is no key of the config", key)
		} else if !sections[strings.TrimSuffix(key, ".")] {
			t.Errorf("docs/configuration.md has a row for %s, which is no section of the config", strings.TrimSuffix(key, "."))
		}
	}
}

// docKeys reads the "| section | keys (default) |" table: each row names
// its section (`top level` for keys outside any) and its keys, as code
// spans outside parentheses (what is in parentheses is a default or the
// values a key takes). It returns the key paths, and "section." for each
// row.
func docKeys(t *testing.T, doc string) map[string]bool {
	t.Helper()
	_, table, ok := strings.Cut(doc, "| section | keys (default) |")
	if !ok {
		t.Fatal(`docs/configuration.md has no "| section | keys (default) |" table`)
	}
	code := regexp.MustCompile("`([^`]*)`")
	keys := map[string]bool{}
	for _, line := range strings.Split(table, "\n")[2:] {
		cells := strings.Split(strings.ReplaceAll(line, `\|`, " or "), "|")
		if !strings.HasPrefix(line, "|") || len(cells) != 4 {
			break
		}
		section := ""
		if s := strings.TrimSpace(cells[1]); s != "top level" {
			m := code.FindAllStringSubmatch(s, -1)
			if len(m) != 1 {
				t.Fatalf("docs/configuration.md: row %q does not name one section", line)
			}
			section = strings.TrimSuffix(m[0][1], "[]")
			keys[section+"."] = true
		}
		for _, m := range code.FindAllStringSubmatch(outsideParens(cells[2]), -1) {
			key := strings.TrimSuffix(m[1], "[]")
			if section != "" {
				key = section + "." + key
			}
			keys[key] = true
		}
	}
	if len(keys) < 20 || !keys["policy.soft_threshold"] {
		t.Fatalf("docs/configuration.md: read %d keys from the table, without policy.soft_threshold", len(keys))
	}
	return keys
}

// outsideParens drops the parenthesised parts of s (nested too).
func outsideParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
