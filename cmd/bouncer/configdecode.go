package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bouncer-mail/bouncer/internal/duration"
)

// configProblems collects errors and warnings, each naming its key path, so
// that one run reports every problem in a file.
type configProblems struct {
	errs     []error
	warnings []string
	missing  []error         // secrets whose environment variable is unset
	failed   map[string]bool // paths whose value did not decode
	nodes    int             // nodes decoded, aliases counted each time
}

// maxConfigNodes bounds decoding, so nested aliases (a "billion laughs"
// file) cannot make it run for ever.
const maxConfigNodes = 100_000

// keyError is one problem with one key.
type keyError struct {
	Path string // e.g. mailboxes[0].port
	Msg  string
}

func (e *keyError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func (p *configProblems) errorf(path, format string, args ...any) {
	if p.failed[path] {
		return // already reported as undecodable
	}
	p.errs = append(p.errs, &keyError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// failedAt reports whether an error was already recorded for path.
func (p *configProblems) failedAt(path string) bool {
	for _, err := range p.errs {
		if ke, ok := err.(*keyError); ok && ke.Path == path {
			return true
		}
	}
	return false
}

// missingf records a secret that could not be resolved from the
// environment: fatal for the commands that use secrets (requireSecrets), a
// warning for the others, which may run outside the service's environment.
func (p *configProblems) missingf(path, format string, args ...any) {
	p.missing = append(p.missing, &keyError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (p *configProblems) warnf(path, format string, args ...any) {
	p.warnings = append(p.warnings, (&keyError{Path: path, Msg: fmt.Sprintf(format, args...)}).Error())
}

func (p *configProblems) decodeFailed(path, msg string) {
	p.errorf(path, "%s", msg)
	if p.failed == nil {
		p.failed = map[string]bool{}
	}
	p.failed[path] = true
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	secretType   = reflect.TypeFor[Secret]()
)

// decodeNode decodes n into v (a settable value), reporting unknown keys and
// values of the wrong type at their path. Keys absent from the file leave v's
// defaults untouched.
func (p *configProblems) decodeNode(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return // a file of comments only
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with nothing after it keeps the default
	}
	if p.nodes++; p.nodes > maxConfigNodes {
		if p.nodes == maxConfigNodes+1 {
			p.errorf(path, "too many values (more than %d, counting each alias use)", maxConfigNodes)
		}
		return
	}
	switch {
	case v.Type() == durationType:
		p.decodeDuration(path, n, v)
	case v.Type() == secretType:
		if s, ok := p.scalar(path, n, "a string"); ok {
			v.Set(reflect.ValueOf(NewSecret(s)))
		}
	case v.Kind() == reflect.Struct:
		p.decodeStruct(path, n, v)
	case v.Kind() == reflect.Slice:
		p.decodeSlice(path, n, v)
	case v.Kind() == reflect.String:
		if s, ok := p.scalar(path, n, "a string"); ok {
			v.SetString(s)
		}
	default:
		p.decodeScalar(path, n, v)
	}
}

// scalar returns n's text when n is a scalar, reporting what was wanted otherwise.
func (p *configProblems) scalar(path string, n *yaml.Node, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.decodeFailed(path, "must be "+want)
		return "", false
	}
	return n.Value, true
}

func (p *configProblems) decodeDuration(path string, n *yaml.Node, v reflect.Value) {
	s, ok := p.scalar(path, n, "a duration such as 7d, 168h or 90s")
	if !ok {
		return
	}
	d, err := duration.Parse(s)
	if err != nil {
		p.decodeFailed(path, fmt.Sprintf("must be a duration such as 7d, 168h or 90s, not %q", s))
		return
	}
	v.SetInt(int64(d))
}

// decodeScalar handles bool, int and float fields.
func (p *configProblems) decodeScalar(path string, n *yaml.Node, v reflect.Value) {
	var want string
	switch v.Kind() {
	case reflect.Bool:
		want = "true or false"
	case reflect.Int, reflect.Int64:
		want = "an integer"
	case reflect.Float64:
		want = "a number"
	default:
		panic(fmt.Sprintf("config: no decoder for %s (%s)", path, v.Type()))
	}
	s, ok := p.scalar(path, n, want)
	if !ok {
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		p.decodeFailed(path, fmt.Sprintf("must be %s, not %s", want, strconv.Quote(s)))
	}
}

func (p *configProblems) decodeStruct(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		p.decodeFailed(path, "must be a mapping of keys to values")
		return
	}
	// Merge keys (<<: *anchor) first, so the mapping's own keys override them.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			p.decodeMerge(path, n.Content[i+1], v)
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if n.Content[i].Tag == "!!merge" {
			continue
		}
		kp := joinPath(path, key)
		if seen[key] {
			p.decodeFailed(kp, "key appears twice")
			continue
		}
		seen[key] = true
		f, ok := fieldByKey(v, key)
		if !ok {
			p.decodeFailed(kp, "unknown key"+suggestKey(v, key))
			continue
		}
		p.decodeNode(kp, n.Content[i+1], f)
	}
}

// decodeMerge applies the mapping (or list of mappings) of a YAML merge key.
func (p *configProblems) decodeMerge(path string, n *yaml.Node, v reflect.Value) {
	if p.nodes++; p.nodes > maxConfigNodes {
		return // reported by decodeNode
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.SequenceNode {
		p.decodeStruct(path, n, v)
		return
	}
	for _, m := range n.Content {
		p.decodeMerge(path, m, v)
	}
}

func (p *configProblems) decodeSlice(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		p.decodeFailed(path, "must be a list")
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		ev := reflect.New(v.Type().Elem()).Elem()
		if ev.Type() == reflect.TypeFor[MailboxConfig]() {
			ev.Set(reflect.ValueOf(defaultMailbox()))
		}
		p.decodeNode(fmt.Sprintf("%s[%d]", path, i), item, ev)
		out = reflect.Append(out, ev)
	}
	v.Set(out)
}

// fieldByKey finds the field of struct v whose yaml tag names key. Fields
// tagged yaml:"-" or config:"derived" are computed at load and are not keys.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Tag.Get("config") == "derived" {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == key && name != "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// suggestKey returns `; did you mean "x"?` naming the key of struct v
// closest to key (at most 2 edits, the same letters ignoring case, dashes
// and underscores, or key with a _suffix), or "".
func suggestKey(v reflect.Value, key string) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	best, bestDist := "", 3
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || sf.Tag.Get("config") == "derived" {
			continue
		}
		d := editDistance(key, name)
		if norm(key) == norm(name) {
			d = 0
		} else if strings.HasPrefix(name, key+"_") {
			d = 2 // token for token_file, password for password_file
		}
		if d < bestDist {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
