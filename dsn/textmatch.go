package dsn

import (
	"math/bits"
	"slices"
	"strings"
)

// maxDiagnostic bounds the diagnostic text read by the text rules; the
// cause is stated in the first lines.
const maxDiagnostic = 2048

// compiledRule is a textRule split at its wildcards.
type compiledRule struct {
	parts    []string
	anywhere bool // a leading "*": the phrase may start inside a word
	reason   Reason
	weight   weight
	sig      []uint16 // bigram hashes every match contains (see bigrams)
}

// compiledRules is textRules compiled and stably sorted by weight, heaviest
// first, keeping table order within a weight.
var compiledRules = compileRules(textRules)

func compileRules(rules []textRule) []compiledRule {
	var out []compiledRule
	for _, w := range []weight{decisive, hint, vague} {
		for _, t := range rules {
			if t.weight != w {
				continue
			}
			p := t.phrase
			// Chinese and Japanese write no spaces between words: a
			// phrase in those scripts may start anywhere.
			c := compiledRule{anywhere: strings.HasPrefix(p, "*") || p[0] >= 0xE3, reason: t.reason, weight: w}
			for _, part := range strings.Split(strings.TrimPrefix(p, "*"), "*") {
				if part != "" {
					c.parts = append(c.parts, part)
					for i := 0; i+1 < len(part); i++ {
						if h := bigramHash(part[i], part[i+1]); !slices.Contains(c.sig, h) {
							c.sig = append(c.sig, h)
						}
					}
				}
			}
			out = append(out, c)
		}
	}
	rarestFirst(out)
	return out
}

// rarestFirst orders each rule's bigrams from the least to the most common
// among all phrases and keeps the four rarest: the first test of a rule is
// then the one most likely to rule it out.
func rarestFirst(rules []compiledRule) {
	var count [1024]int
	for _, c := range rules {
		for _, h := range c.sig {
			count[h]++
		}
	}
	for i := range rules {
		sig := rules[i].sig
		slices.SortStableFunc(sig, func(a, b uint16) int { return count[a] - count[b] })
		rules[i].sig = sig[:min(len(sig), 4)]
	}
}

// matchText returns the Reason and weight of the heaviest row matching
// text, the earliest in table order among equals.
func matchText(text string) (Reason, weight) {
	if text == "" {
		return "", none
	}
	var seen bigrams
	seen.add(text)
	// The candidates are the rules whose rarest pair the text has (and the
	// rules with no pair at all), visited in compiledRules order: heaviest
	// first, table order within a weight.
	cand := rulesWithoutPairs
	for w, x := range seen {
		for x != 0 {
			h := w<<6 | bits.TrailingZeros64(x)
			x &= x - 1
			for _, i := range rulesByRarestPair[h] {
				cand[i>>6] |= 1 << (i & 63)
			}
		}
	}
	for w, x := range cand {
		for x != 0 {
			i := w<<6 | bits.TrailingZeros64(x)
			x &= x - 1
			if c := &compiledRules[i]; seen.mayContain(c.sig) && c.match(text) {
				return c.reason, c.weight
			}
		}
	}
	return "", none
}

// textSays reports whether any text rule for reason matches text (not only
// the first rule that matches). It walks the whole table: it is for rare
// cases only.
func textSays(text string, reason Reason) bool {
	for i := range compiledRules {
		if c := &compiledRules[i]; c.reason == reason && c.match(text) {
			return true
		}
	}
	return false
}

// ruleSet is a set of compiledRules indexes.
type ruleSet [maxRules / 64]uint64

// maxRules bounds the number of text rules a ruleSet can hold.
const maxRules = 1024

// rulesByRarestPair lists, for each bigram hash, the rules whose rarest
// pair it is, in compiledRules order; rulesWithoutPairs are the rules with no pair
// (one-letter parts), always candidates.
var rulesByRarestPair, rulesWithoutPairs = func() (idx [1024][]uint16, none ruleSet) {
	if len(compiledRules) > maxRules {
		panic("dsn: more text rules than maxRules")
	}
	for i, c := range compiledRules {
		if len(c.sig) == 0 {
			none[i>>6] |= 1 << (i & 63)
			continue
		}
		idx[c.sig[0]] = append(idx[c.sig[0]], uint16(i))
	}
	return idx, none
}()

// bigrams is a 1024-bit set of the hashed byte pairs of a text: a rule
// whose phrase has a pair the text lacks cannot match, which spares most
// rows their substring search.
type bigrams [16]uint64

func bigramHash(a, b byte) uint16 { return (uint16(a)*31 + uint16(b)) & 1023 }

func (s *bigrams) add(text string) {
	for i := 0; i+1 < len(text); i++ {
		h := bigramHash(text[i], text[i+1])
		s[h>>6] |= 1 << (h & 63)
	}
}

func (s *bigrams) mayContain(sig []uint16) bool {
	for _, h := range sig {
		if s[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

// match reports whether all parts occur in text in order, the first one at
// the start of a word unless the rule says anywhere.
func (c *compiledRule) match(text string) bool {
	return c.matchAt(text) >= 0
}

// matchAt is match, returning where the phrase starts in text, or -1.
func (c *compiledRule) matchAt(text string) int {
	first := c.parts[0]
	from := 0
	for {
		i := strings.Index(text[from:], first)
		if i < 0 {
			return -1
		}
		i += from
		if c.anywhere || i == 0 || !isWordByte(text[i-1]) || !isWordByte(first[0]) {
			if c.matchRest(text[i+len(first):]) {
				return i
			}
			return -1
		}
		from = i + 1
	}
}

// textVerdict returns where in text the row that gives reason matched:
// the start and end of its first part, or -1, -1 when no row gave it (the
// status code did).
func textVerdict(text string, reason Reason) (start, end int) {
	for i := range compiledRules {
		c := &compiledRules[i]
		if c.reason != reason {
			continue
		}
		if at := c.matchAt(text); at >= 0 {
			return at, at + len(c.parts[0])
		}
	}
	return -1, -1
}

// maxGap is how far apart the parts of a wildcard phrase may be: "*" spans
// a word or an address, not the rest of the diagnostic.
const maxGap = 80

func (c *compiledRule) matchRest(text string) bool {
	for _, p := range c.parts[1:] {
		i := strings.Index(text, p)
		if i < 0 || i > maxGap {
			return false
		}
		text = text[i+len(p):]
	}
	return true
}
