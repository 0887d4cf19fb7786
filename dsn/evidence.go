package dsn

import "strings"

// Deciding whether a message without a delivery-status part is a failure
// notice: no one header decides it, the weight of the evidence does. The
// author (a mail system), the subject, the report structure, a returned
// message and an Auto-Submitted field speak for a notice; list headers
// speak against it, since newsletters and issue trackers quote notices, but
// they never veto one: Mailman, Sympa, Google Groups and forwarding rules
// relay real notices with their own List-* fields. Precedence weighs
// nothing: notices carry "bulk" (Exchange, Office 365, Postfix setups) and
// "list" (the X6 appliance) as often as posts do.

// Weights of the header evidence.
const (
	weightAuthor    = 2  // From a mail system: mailer-daemon, postmaster, "Mail Delivery System"
	weightSubject   = 2  // a notice's subject; 1 when it is a reply or a forward
	weightStructure = 3  // multipart/report
	weightReturned  = 1  // a returned message or its headers
	weightAutoGen   = 1  // Auto-Submitted: auto-generated
	weightList      = -1 // List-Id or List-Unsubscribe
)

// Thresholds on headerEvidence.
const (
	// noticeByHeader: the headers alone make it a notice, and the text is
	// read leniently (sentences, X-Failed-Recipients, the returned To).
	noticeByHeader = 2
	// noticeByText: a text with notice phrases makes it one, read strictly.
	noticeByText = 0
)

// mailSystemNames are display names of mail systems' From (lower case).
var mailSystemNames = []string{"mail delivery", "mail system", "mail administrator", "postmaster", "mail server"}

// headerEvidence weighs the outer header and the walk's findings for
// "this is a failure notice". hasAuthor says whether a mail system wrote
// it or its subject calls it a notice: the signals a person's or a
// newsletter's mail does not carry.
func (p *parser) headerEvidence() (score int, hasAuthor bool) {
	h := p.outer
	if fromMailSystem(h) {
		score += weightAuthor
		hasAuthor = true
	}
	subj := strings.ToLower(decodeHeader(h.get("Subject")))
	if hasAny(subj, bounceSubjects) {
		hasAuthor = true
		if isReplySubject(subj) {
			score += weightSubject / 2
		} else {
			score += weightSubject
		}
	}
	if hasPrefixFold(h.get("Content-Type"), []string{"multipart/report"}) {
		score += weightStructure
		hasAuthor = true
	}
	if p.original != nil {
		score += weightReturned
	}
	if hasPrefixFold(h.get("Auto-Submitted"), []string{"auto-generated"}) {
		score += weightAutoGen
	}
	if h.get("List-Id") != "" || h.get("List-Unsubscribe") != "" {
		score += weightList
	}
	return score, hasAuthor
}

// fromMailSystem reports whether From names a mail system: a
// mailer-daemon or postmaster address, or a mail system's display name.
func fromMailSystem(h header) bool {
	from := h.get("From")
	if hasAnyLower(from, bounceSenders) || strings.HasSuffix(strings.TrimSpace(from), "<>") {
		// QUIRK (Exim filters' and SurfControl's, McAfee's, m-FILTER's
		// notices): "From: <>" is the null reverse-path, which only a
		// mail system's own notices are sent with (RFC 5321 4.5.5).
		return true
	}
	name := from
	if i := strings.IndexByte(from, '<'); i >= 0 {
		name = from[:i]
	} else if i := strings.IndexByte(from, '('); i >= 0 {
		name = from[i:]
	} else {
		return false
	}
	return hasAnyLower(name, mailSystemNames)
}

// isReplySubject reports whether a lower-case subject is a reply or a
// forward ("re:", "fwd:", "fw:", "aw:", "wg:").
func isReplySubject(s string) bool {
	return hasPrefixAny(strings.TrimSpace(s), []string{"re:", "fwd:", "fw:", "aw:", "wg:", "tr:"})
}

// exampleFields open the per-recipient fields of a delivery-status block
// (lower case, with the colon).
var exampleFields = []string{"final-recipient:", "original-recipient:", "action:", "status:", "diagnostic-code:", "remote-mta:"}

// withoutExamples drops what a person's or a newsletter's text shows as an
// example rather than says: blocks fenced with ``` and delivery-status
// fields indented as a quotation. Used only when nothing in the header
// says the message is a notice; a mail system writes its notice as prose
// and its report fields at the start of the line.
func withoutExamples(notice string) string {
	if !strings.Contains(notice, "```") && !strings.Contains(notice, "\n ") && !strings.Contains(notice, "\n\t") {
		return notice
	}
	var b strings.Builder
	fenced := false
	for line := range strings.Lines(notice) {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "```"):
			fenced = !fenced
			continue
		case fenced:
			continue
		case t != line && t != "" && (line[0] == ' ' || line[0] == '\t') && hasPrefixFold(t, exampleFields):
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// hasPrefixFold reports whether s starts with one of the lower-case
// prefixes, ignoring ASCII case.
func hasPrefixFold(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// isListAddress reports whether addr is the address of the mailing list
// whose post h heads: its List-Post names it, or its List-Id is the
// address with the '@' made a dot (RFC 2919's convention, which Mailman
// and Sympa follow). Such an address, read from a returned original's To,
// is not a failed recipient: a member's address was expanded from it.
func isListAddress(h header, addr string) bool {
	if addr == "" {
		return false
	}
	if post := h.get("List-Post"); post != "" && indexFold(post, "mailto:"+strings.ToLower(addr)) >= 0 {
		return true
	}
	id := h.get("List-Id")
	if i := strings.LastIndexByte(id, '<'); i >= 0 {
		id = id[i+1:]
		if j := strings.IndexByte(id, '>'); j >= 0 {
			id = id[:j]
		}
	}
	return id != "" && strings.EqualFold(strings.TrimSpace(id), strings.Replace(addr, "@", ".", 1))
}

// localHost names the host that wrote the notice, lower case: its
// Reporting-MTA, else the domain of a mail system's From; "" when neither
// is known.
func (p *parser) localHost() string {
	if h := p.rep.ReportingMTA; h != "" {
		return strings.ToLower(strings.TrimSuffix(h, "."))
	}
	if !fromMailSystem(p.outer) {
		return ""
	}
	return strings.ToLower(domainOf(findAddr(p.outer.get("From"))))
}
