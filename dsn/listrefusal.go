package dsn

import "strings"

// listRefusalPhrases are the sentences by which a mailing-list manager
// (fml, ezmlm, Majordomo and the like) refuses a post, in lower case. The
// sentence names the list's address; that address is the recipient that
// did not get the message.
var listRefusalPhrases = []string{
	"not a member of this mailing list", // fml "You are not a member of this mailing list <list@...>."
	"not a member of this list",         // Majordomo, ezmlm variants
	"not a member of the list",          // variants
	"duplicated message-id",             // fml loop alert "Duplicated Message-ID in <list@...>."
}

// listAdminPrefixes and listAdminSuffixes mark the local part of the
// address a list manager writes from: owner-list, list-admin, ...
var (
	listAdminPrefixes = []string{"owner-"}
	listAdminSuffixes = []string{"-admin", "-owner", "-request", "-bounces"}
)

// listRefusal recognises a mailing-list manager's refusal of a post: sent
// from the list's administrative address, with a
// sentence of listRefusalPhrases that names the list's address. It adds one
// record for that address and reports whether it did.
func (p *parser) listRefusal() bool {
	if !p.fromListManager() || len(p.texts) == 0 {
		return false
	}
	notice, _ := splitOriginal(p.texts[0])
	ex := p.excluded()
	for line := range strings.Lines(notice) {
		l := strings.ToLower(line)
		if !hasAny(l, listRefusalPhrases) {
			continue
		}
		i := strings.IndexByte(line, '<')
		if i < 0 {
			continue
		}
		a := findAddr(line[i:])
		if a == "" || ex.has(a) {
			continue
		}
		p.addRecord(Recipient{FinalRecipient: a, Action: "failed", Diagnostic: strings.TrimSpace(line)})
		return true
	}
	return false
}

// fromListManager reports whether the message comes from a mailing list's
// administrative address. List headers are not enough: posts carry them.
func (p *parser) fromListManager() bool {
	from := strings.ToLower(findAddr(p.outer.get("From")))
	local, _, ok := strings.Cut(from, "@")
	if !ok {
		return false
	}
	for _, s := range listAdminPrefixes {
		if strings.HasPrefix(local, s) {
			return true
		}
	}
	for _, s := range listAdminSuffixes {
		if strings.HasSuffix(local, s) {
			return true
		}
	}
	return false
}
