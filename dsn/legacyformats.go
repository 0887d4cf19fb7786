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
