package dsn

import (
	"html"
	"slices"
	"strings"
)

// textRecord is a recipient found in a bounce notice with the lines that
// explain it.
type textRecord struct {
	addr string
	diag []string
	// open keeps the record collecting past a blank line: its diagnostic
	// so far is only the sentence that named it.
	open bool
}

// maxNoticeLines bounds the lines of a notice that are scanned.
const maxNoticeLines = 600

// scanNotice finds the failed recipients of a bounce notice and their
// diagnostic lines. It generalises how MTAs write notices: a recipient line
// (an address, in angle brackets or bare, at the start of a line, or after
// an SMTP reply code) followed by the lines that explain it, up to a blank
// line or a separator. Addresses in ex (the sender) are skipped.
func scanNotice(notice string, ex map[string]bool) []textRecord {
	notice = unquote(notice)
	if recs := scanLines(notice, nil, recipientLine, false); len(recs) > 0 {
		return recs
	}
	if recs := transcriptRecipients(notice); len(recs) > 0 {
		return recs
	}
	return scanLines(notice, ex, sentenceRecipient, true)
}

// transcriptRecipients reads an SMTP session transcript ("In:  RCPT
// TO:<a@b>" ... "Out: 451 4.3.0 Error"): each RCPT TO address with the
// last error reply. QUIRK: the Postfix SMTP server's "errors from" notice
// to the postmaster.
func transcriptRecipients(notice string) []textRecord {
	var addrs []string
	last := ""
	for line := range strings.Lines(notice) {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "In:") && indexFold(t, "rcpt to:") >= 0:
			if a := findAddr(t); a != "" {
				addrs = append(addrs, a)
			}
		case strings.HasPrefix(t, "Out:"):
			if v := strings.TrimSpace(t[4:]); len(v) > 0 && (v[0] == '4' || v[0] == '5') && leadingReplyCode(v) != "" {
				last = v
			}
		}
	}
	if last == "" {
		return nil
	}
	recs := make([]textRecord, 0, len(addrs))
	for _, a := range addrs {
		recs = append(recs, textRecord{addr: a, diag: []string{last}})
	}
	return recs
}

// scanLines runs scanNotice with one recognizer of recipient lines.
func scanLines(notice string, ex map[string]bool, recognize func(string) (string, string, bool), sentences bool) []textRecord {
	lines := strings.Split(notice, "\n")
	if len(lines) > maxNoticeLines {
		lines = lines[:maxNoticeLines]
	}
	var recs []textRecord
	var at []int       // line index where each record was found
	var loose []string // lines of the current paragraph that no record took
	cur := -1
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" || isSeparator(t) {
			loose = loose[:0]
			switch {
			case cur < 0:
			case isSeparator(t):
				cur = -1
			case recs[cur].open:
				recs[cur].open = false
			case len(recs[cur].diag) > 0 && !strings.HasSuffix(recs[cur].diag[len(recs[cur].diag)-1], ":"):
				cur = -1
			}
			continue
		}
		addr, rest, ok := recognize(t)
		if ok && (ex != nil && ex[strings.ToLower(addr)] || strings.HasPrefix(strings.ToLower(addr), "mailer-daemon@")) {
			ok = false
		}
		if !ok {
			switch {
			case cur >= 0 && otherTarget(t, recs[cur].addr):
				// QUIRK: Sendmail lists the replies about other hosts
				// ("421 example.org (smtp)... Deferred") after a recipient.
				cur = -1
				loose = append(loose, t)
			case cur >= 0 && len(recs[cur].diag) < 24:
				recs[cur].diag = append(recs[cur].diag, t)
			case cur < 0 && len(loose) < 8:
				loose = append(loose, t)
			}
			continue
		}
		if cur >= 0 && strings.EqualFold(recs[cur].addr, addr) {
			rest = t // the address mentioned again inside its reason
		}
		if cur < 0 && leadingReplyCode(t) != "" {
			// A transcript names the recipient in the reply; the lines
			// before it ("... while talking to", ">>> RCPT To:", a local
			// delivery agent's complaint) belong to the same story.
			var story []string
			for _, l := range loose[max(0, len(loose)-4):] {
				if !otherTarget(l, addr) {
					story = append(story, l)
				}
			}
			rest = joinReply(append(story, t))
		}
		loose = loose[:0]
		cur = indexOf(recs, addr)
		if cur < 0 {
			recs = append(recs, textRecord{addr: addr, open: sentences})
			at = append(at, i)
			cur = len(recs) - 1
		}
		if rest != "" {
			recs[cur].diag = append(recs[cur].diag, rest)
		}
	}
	for k := range recs {
		if len(recs[k].diag) == 0 {
			recs[k].diag = nearbyParagraph(lines, at[k], recs[k].addr)
		}
	}
	return recs
}

// otherTarget reports whether a transcript line is a reply about another
// address or host ("421 example.org (smtp)... Deferred") than addr.
func otherTarget(t, addr string) bool {
	return leadingReplyCode(t) != "" && strings.Contains(t, "... ") && !strings.Contains(strings.ToLower(t), strings.ToLower(addr))
}

// nearbyParagraph explains a recipient whose line says nothing more: the
// paragraph that follows line i (skipping section rules, and going on past
// an introduction ending with a colon), else line i itself when it is a
// sentence, else the paragraph before it (or the one before that when it
// is only an introduction). Notices such as "----- Non-delivered
// information -----" put the reason in a section of its own; others state
// the reason first and list the addresses after it.
func nearbyParagraph(lines []string, i int, addr string) []string {
	if p, next := paragraphAt(lines, i+1, 1); len(p) > 0 {
		if strings.HasSuffix(p[len(p)-1], ":") {
			q, _ := paragraphAt(lines, next, 1)
			p = append(p, q...)
		}
		return p
	}
	own := strings.TrimSpace(lines[i])
	if len(strings.Trim(strings.Replace(own, addr, "", 1), " \t<>:.,*-\"")) > 8 {
		return []string{own}
	}
	p, next := paragraphAt(lines, i-1, -1)
	if len(p) > 0 && strings.HasSuffix(p[len(p)-1], ":") {
		if q, _ := paragraphAt(lines, next, -1); len(q) > 0 {
			return q
		}
	}
	return p
}

// paragraphAt collects the first block of non-empty lines from i in
// direction dir (1 or -1), skipping blank lines and rules before it. It
// returns the block in text order and the index where it stopped.
func paragraphAt(lines []string, i, dir int) ([]string, int) {
	var out []string
	for ; i >= 0 && i < len(lines) && len(out) < 12; i += dir {
		t := strings.TrimSpace(lines[i])
		if t == "" || isSeparator(t) {
			if len(out) > 0 {
				break
			}
			continue
		}
		out = append(out, t)
	}
	if dir < 0 {
		slices.Reverse(out)
	}
	return out, i
}

// indentedBlock returns the first block of indented lines of a notice
// (QUIRK: Exim indents the reason under the failed address, which may be a
// pipe or a file rather than an address).
func indentedBlock(notice string) string {
	var out []string
	for line := range strings.Lines(notice) {
		if isContinuation(line) && strings.TrimSpace(line) != "" {
			out = append(out, strings.TrimSpace(line))
			continue
		}
		if len(out) > 0 {
			break
		}
	}
	return joinReply(out)
}

// indexOf returns the index of the record for addr, or -1.
func indexOf(recs []textRecord, addr string) int {
	for i := range recs {
		if strings.EqualFold(recs[i].addr, addr) {
			return i
		}
	}
	return -1
}

// isSeparator reports whether a line is a section rule ("-----", "=====",
// "----- Transcript of session follows -----").
func isSeparator(t string) bool {
	if len(t) < 3 {
		return false
	}
	c := t[0]
	if c != '-' && c != '=' && c != '*' && c != '_' && c != '#' {
		return false
	}
	return t[1] == c && t[2] == c
}

// recipientLine recognises a line naming a failed recipient and returns the
// address and the rest of the line as the start of its diagnostic.
func recipientLine(t string) (addr, rest string, ok bool) {
	switch {
	case t[0] == '<' && len(t) > 1 && t[1] != '<':
		// QUIRK: Postfix, qmail, Yahoo and many appliances: "<user@host>:"
		// and Sendmail's "<user@host>... reason".
		end := strings.IndexByte(t, '>')
		if end < 0 {
			return "", "", false
		}
		a := t[1:end]
		if strings.IndexByte(a, '@') <= 0 || strings.ContainsAny(a, " \t") {
			return "", "", false
		}
		return strings.TrimPrefix(a, "mailto:"), trimLead(t[end+1:]), true
	case t[0] == '"' && strings.HasSuffix(t, "\":") && strings.Count(t, "\"") == 2:
		// QUIRK: GMX writes "\"user@host\":" above the reason.
		return bareRecipient(t[1 : len(t)-2])
	case t[0] == '*' || t[0] == '-' || strings.HasPrefix(t, "•"):
		// QUIRK: bulleted lists of recipients (several appliances).
		u := strings.TrimSpace(strings.TrimLeft(t, "*-•"))
		if u != "" && u != t {
			return recipientLine(u)
		}
	case isLocalChar(t[0]):
		if a, rest, ok := labelledRecipient(t); ok {
			return a, rest, ok
		}
		return bareRecipient(t)
	}
	return "", "", false
}

// recipientLabels are words of labels that introduce a failed recipient
// ("Recipient address: a@b", "Failed address: <a@b>").
var recipientLabels = []string{"recipient", "address", "adresse", "destinataire", "empfänger", "destinatario", "rcpt to", "original-rcpt"}

// labelledRecipient handles "Label: address" lines whose label names a
// recipient.
func labelledRecipient(t string) (addr, rest string, ok bool) {
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 40 {
		return "", "", false
	}
	label := strings.ToLower(t[:i])
	if !hasAny(label, recipientLabels) || strings.HasPrefix(label, "x-") {
		return "", "", false
	}
	v := strings.TrimSpace(t[i+1:])
	if j := strings.IndexByte(v, ';'); j > 0 && j < 10 {
		v = strings.TrimSpace(v[j+1:])
	}
	a := findAddr(v)
	if a == "" || strings.Index(v, a) > 2 {
		return "", "", false
	}
	return a, "", true
}

// failureWords mark a sentence that names a failed recipient.
var failureWords = []string{"deliver", "fail", "reject", "unknown", "not a member", "error", "unable", "could not", "couldn't", "bounce", "invalid", "does not exist", "doesn't exist", "no such", "refused", "blocked", "full", "quota", "exceed", "disabled", "suspended", "not found", "unavailable"}

// sentenceRecipient is the second pass: a line with one address and a
// failure word ("There was an error delivering your mail to <a@b>.",
// "Delivery failed 20 attempts: a@b").
func sentenceRecipient(t string) (addr, rest string, ok bool) {
	i := strings.IndexByte(t, '@')
	if i < 0 || strings.Count(t, "@") != 1 || !hasAny(strings.ToLower(t), failureWords) {
		return "", "", false
	}
	a, _, _ := addrAround(t, i)
	if a == "" || strings.IndexByte(a[strings.IndexByte(a, '@'):], '.') < 0 {
		return "", "", false
	}
	return a, t, true
}

// unquote removes one level of "> " quoting from a notice that was
// forwarded as quoted text.
func unquote(s string) string {
	quoted, total := 0, 0
	for line := range strings.Lines(s) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		total++
		if line[0] == '>' {
			quoted++
		}
	}
	if total < 4 || quoted*2 < total {
		return s
	}
	var b strings.Builder
	for line := range strings.Lines(s) {
		if line[0] == '>' {
			line = line[1:]
			if len(line) > 0 && line[0] == ' ' {
				line = line[1:]
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// bareRecipient handles lines that start with a bare address or with an
// SMTP reply code followed by one.
func bareRecipient(t string) (addr, rest string, ok bool) {
	if c := leadingReplyCode(t); c != "" {
		// QUIRK: Sendmail transcripts, "550 5.1.1 user@host... User unknown".
		if a := findAddr(t); a != "" && strings.Contains(t, a+"...") || strings.Contains(t, a+">...") {
			return a, t, true
		}
		return "", "", false
	}
	end := 0
	for end < len(t) && t[end] != ' ' && t[end] != '\t' && t[end] != '<' && t[end] != '(' && t[end] != ',' {
		end++
	}
	tok := strings.TrimRight(t[:end], ":;.")
	at := strings.IndexByte(tok, '@')
	if at <= 0 {
		return "", "", false
	}
	a, s, e := addrAround(tok, at)
	if a == "" || s != 0 || e != len(tok) || strings.IndexByte(a[strings.IndexByte(a, '@'):], '.') < 0 {
		return "", "", false
	}
	rest = strings.TrimSpace(t[end:])
	if rest == "" || rest[0] == '<' || rest[0] == '(' || rest[0] == '[' || t[end-1] == ':' ||
		strings.HasPrefix(rest, "...") || strings.HasPrefix(rest, "on ") || strings.HasPrefix(rest, "- ") {
		if strings.HasPrefix(rest, "<") {
			// "display@name <user@host>": the angle address is the real
			// one. QUIRK: Office 365 writes "user@host<mailto:user@host>".
			if end := strings.IndexByte(rest, '>'); end > 0 {
				if inner := strings.TrimPrefix(rest[1:end], "mailto:"); plausibleAddr(inner) && !strings.ContainsAny(inner, " \t") {
					a = inner
				}
				rest = rest[end+1:]
			}
		}
		return a, trimLead(rest), true
	}
	if findReplyCode(rest) != "" || findStatus(rest) != "" {
		// QUIRK: Zoho and others: "user@host Invalid Address, ERROR_CODE :550".
		return a, rest, true
	}
	return "", "", false
}

// trimLead removes the punctuation that joins an address to its reason.
func trimLead(s string) string {
	return strings.TrimSpace(strings.TrimLeft(s, " \t:.,;-"))
}

// codeLines returns the first run of lines in a notice that carry an SMTP
// reply code or enhanced status, with the line introducing it when that
// line ends with a colon; "" when there is none.
func codeLines(notice string) string {
	var out []string
	prev := ""
	for line := range strings.Lines(notice) {
		t := strings.TrimSpace(line)
		if t != "" && !isSeparator(t) && (leadingReplyCode(strings.TrimLeft(t, "<> ")) != "" || strings.Contains(t, "said:") || findStatus(t) != "") {
			if len(out) == 0 && strings.HasSuffix(prev, ":") {
				out = append(out, prev)
			}
			out = append(out, t)
			continue
		}
		if len(out) > 0 {
			break
		}
		if t != "" {
			prev = t
		}
	}
	return joinReply(out)
}

// joinReply joins diagnostic lines into one, dropping the code prefixes
// that repeat on every line of a multi-line SMTP reply ("550-5.7.1 ...").
func joinReply(lines []string) string {
	var b strings.Builder
	code, status := "", ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		c := leadingReplyCode(l)
		switch {
		case c != "" && c == code && len(l) > len(c) && strings.HasPrefix(l, c):
			l = strings.TrimSpace(l[len(c)+1:])
			if status != "" && strings.HasPrefix(l, status) {
				l = strings.TrimSpace(l[len(status):])
			}
		case c != "" && strings.HasPrefix(l, c):
			code = c
			if len(l) > 4 {
				status = statusAt(l, 4)
			}
			if len(l) > 3 && l[3] == '-' {
				l = c + " " + l[4:]
			}
		}
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return b.String()
}

// remoteHost reads the remote MTA from "host mx.example.com[192.0.2.1]".
func remoteHost(d string) string {
	i := strings.Index(d, "host ")
	if i < 0 {
		return ""
	}
	s := d[i+5:]
	end := 0
	for end < len(s) && (isDomainChar(s[end])) {
		end++
	}
	h := strings.TrimRight(s[:end], ".")
	if strings.IndexByte(h, '.') < 0 {
		return ""
	}
	return h
}

// htmlText turns an HTML body into text lines (tags dropped, block ends as
// newlines, entities decoded).
func htmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(s[i+1 : i+j])
		if strings.HasPrefix(tag, "br") || strings.HasPrefix(tag, "/p") || strings.HasPrefix(tag, "/div") ||
			strings.HasPrefix(tag, "/tr") || strings.HasPrefix(tag, "p") || strings.HasPrefix(tag, "/h") {
			b.WriteByte('\n')
		}
		s = s[i+j+1:]
	}
	return html.UnescapeString(b.String())
}

// noticeSummary returns the first lines of a notice, for a recipient the
// notice explains only in general words.
func noticeSummary(notice string) string {
	var out []string
	paragraphs := 0
	for line := range strings.Lines(notice) {
		t := strings.TrimSpace(line)
		if t == "" || isSeparator(t) {
			if len(out) > 0 {
				if paragraphs++; paragraphs == 2 {
					break
				}
			}
			continue
		}
		if out = append(out, t); len(out) == 6 {
			break
		}
	}
	return joinReply(out)
}

// replyIntros are words of a line that introduces the remote server's
// reply ("The response was:", "The error that the other server returned
// was:", "Remote host said:").
var replyIntros = []string{"response", "error", "reply", "said", "returned", "reason"}

// introducedReply returns a line ending with a colon that announces the
// remote server's reply, with the paragraph that follows it; "" when the
// notice has none.
func introducedReply(notice string) string {
	lines := strings.Split(notice, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasSuffix(t, ":") || len(t) > 80 || !hasAny(strings.ToLower(t), replyIntros) {
			continue
		}
		if out, _ := paragraphAt(lines, i+1, 1); len(out) > 0 {
			return joinReply(append([]string{t}, out...))
		}
	}
	return ""
}
