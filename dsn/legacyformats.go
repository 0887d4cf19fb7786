package dsn

import "strings"

// Readers for old notice formats whose recipient lines the general
// scanner (textscan.go) cannot recognise.

// screenNames reads AOL's notices, which name the failed recipients by
// screen name alone, indented under "Your mail to the following
// recipients could not be delivered because ...:" (QUIRK: AOL's
// AIRmail). A screen name is an address at the AOL domain the notice came
// from. It returns nil unless From is a mail system at an AOL domain.
func (p *parser) screenNames(notice string) []textRecord {
	domain := strings.ToLower(domainOf(findAddr(p.outer.get("From"))))
	if !fromMailSystem(p.outer) || (domain != "aol.com" && !strings.HasSuffix(domain, ".aol.com")) {
		return nil
	}
	var recs []textRecord
	intro := ""
	for line := range strings.Lines(notice) {
		t := strings.TrimSpace(line)
		switch {
		case intro == "" && strings.HasSuffix(t, ":") && indexFold(t, "following recipient") >= 0:
			intro = t
		case intro == "":
		case t == "" && len(recs) > 0:
			return recs
		case t == "":
		case line[0] == ' ' || line[0] == '\t':
			if !isScreenName(t) {
				return recs
			}
			recs = append(recs, textRecord{addr: t + "@" + domain, diag: []string{intro}})
		default:
			return recs
		}
	}
	return recs
}

// isScreenName reports whether t is one word that can be the local part
// of an address.
func isScreenName(t string) bool {
	if len(t) == 0 || len(t) > 64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isLocalChar(t[i]) || t[i] == '@' {
			return false
		}
	}
	return true
}

// bareNames reads notices that name a failed recipient by its local part
// alone, on an indented line under an intro ending in ":" ("--------Message
// not delivered to the following:" then " name    No matches to nameserver
// query": QUIRK: Yale's Sendmail with its phquery directory lookup). The
// domain is not guessed: a name becomes an address only where the message
// itself writes it in full as an envelope recipient, in the returned
// message's trace ("Received: ... for <name@domain>"). Names it does not
// complete give no record; named lists every bare name read.
func bareNames(notice, text string) (recs []textRecord, named []string) {
	intro := ""
	for line := range strings.Lines(notice) {
		t := strings.TrimSpace(line)
		switch {
		case intro == "" && strings.HasSuffix(t, ":") && (indexFold(t, "delivered to the following") >= 0 || indexFold(t, "following recipient") >= 0):
			intro = strings.TrimLeft(t, "- ")
		case intro == "" || t == "":
		case line[0] == ' ' || line[0] == '\t':
			name, diag, _ := strings.Cut(t, " ")
			if !isScreenName(name) {
				return recs, named
			}
			named = append(named, name)
			if a := traceAddress(text, name); a != "" {
				recs = append(recs, textRecord{addr: a, diag: []string{strings.TrimSpace(diag), intro}})
			}
		default:
			return recs, named
		}
	}
	return recs, named
}

// traceAddress returns the address whose local part is name where text
// writes it as the recipient of a Received field ("for <name@domain>"),
// or "".
func traceAddress(text, name string) string {
	needle := "for <" + name + "@"
	i := indexFold(text, needle)
	if i < 0 {
		return ""
	}
	a := findAddr(text[i+len("for ") : min(len(text), i+len(needle)+255)])
	if !plausibleAddr(a) || !strings.EqualFold(a[:strings.LastIndexByte(a, '@')], name) {
		return ""
	}
	return a
}
