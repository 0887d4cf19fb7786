package dsn

import (
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
// line or a separator. When sentences is set and no such line exists, a
// sentence naming one address and a failure names the recipient; addresses
// in ex (the sender) are skipped then.
func scanNotice(notice string, ex addrSet, sentences bool) []textRecord {
	notice = unquote(notice)
	lines := noticeLines(notice)
	if recs := scanLines(lines, addrSet{}, recipientLine, false); len(recs) > 0 {
		return recs
	}
	if recs := transcriptRecipients(notice); len(recs) > 0 || !sentences {
		return recs
	}
	if recs := scanLines(lines, ex, sentenceRecipient, true); len(recs) > 0 {
		return recs
	}
	// A sentence wrapped over lines ("The following message, addressed to
	// 'a@b',\nfailed because it has not been collected").
	return scanLines(noticeLines(unwrapParagraphs(notice)), ex, sentenceRecipient, true)
}

// noticeLines splits a notice into the lines scanLines reads, at most
// maxNoticeLines.
func noticeLines(notice string) []string {
	lines := strings.Split(notice, "\n")
	return lines[:min(len(lines), maxNoticeLines)]
}

// unwrapParagraphs joins the lines of each paragraph and puts each of
// its sentences on a line of its own: a paragraph may name another
// address ("The standard form of email address is lastnameNumber@llnl.gov")
// in a sentence before the one naming the recipient.
func unwrapParagraphs(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	para := make([]string, 0, 8)
	flush := func() {
		joined := strings.Join(para, " ")
		for {
			i := sentenceEnd(joined)
			if i < 0 {
				break
			}
			b.WriteString(joined[:i+1])
			b.WriteByte('\n')
			joined = joined[i+2:]
		}
		b.WriteString(joined)
		b.WriteString("\n\n")
		para = para[:0]
	}
	for line := range strings.Lines(s) {
		if t := strings.TrimSpace(line); t != "" {
			para = append(para, t)
		} else if len(para) > 0 {
			flush()
		}
	}
	if len(para) > 0 {
		flush()
	}
	return b.String()
}

// sentenceEnd returns the index of the first ". " followed by a capital
// letter in s, or -1.
func sentenceEnd(s string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], ". ")
		if i < 0 || off+i+2 >= len(s) {
			return -1
		}
		if c := s[off+i+2]; c >= 'A' && c <= 'Z' {
			return off + i
		}
		off += i + 2
	}
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

// scanLines runs scanNotice over a notice's lines with one recognizer of
// recipient lines;
// sentences says the recognizer reads sentences (see textRecord.open).
func scanLines(lines []string, ex addrSet, recognize func(string) (string, string, bool), sentences bool) []textRecord {
	sc := &noticeScanner{lines: lines, cur: -1, sentences: sentences}
	for i, line := range sc.lines {
		t := strings.TrimSpace(line)
		if t == "" || isSeparator(t) {
			sc.pause(t)
			continue
		}
		addr, rest, ok := recognize(t)
		if ok && (ex.has(addr) || hasPrefixFold(addr, []string{"mailer-daemon@"})) {
			ok = false
		}
		if ok {
			sc.recipient(i, t, addr, rest)
		} else {
			sc.other(t)
		}
	}
	return sc.finish()
}

// noticeScanner is the state of scanLines.
type noticeScanner struct {
	lines     []string
	recs      []textRecord
	at        []int     // line index where each record was found
	loose     [8]string // the last lines of the current paragraph that no record took
	nLoose    int       // how many of loose are set
	cur       int       // the record collecting lines, or -1
	sentences bool
}

// pause handles a blank line or a section rule: the current record stops
// collecting unless its diagnostic is still open or ends with a colon.
func (sc *noticeScanner) pause(t string) {
	sc.nLoose = 0
	if sc.cur < 0 {
		return
	}
	r := &sc.recs[sc.cur]
	switch {
	case isSeparator(t):
		sc.cur = -1
	case r.open:
		r.open = false
	case len(r.diag) > 0 && !strings.HasSuffix(r.diag[len(r.diag)-1], ":"):
		sc.cur = -1
	}
}

// other handles a line that names no recipient.
func (sc *noticeScanner) other(t string) {
	switch {
	case sc.cur >= 0 && otherTarget(t, sc.recs[sc.cur].addr):
		// QUIRK: Sendmail lists the replies about other hosts
		// ("421 example.org (smtp)... Deferred") after a recipient.
		sc.cur = -1
		sc.keepLoose(t)
	case sc.cur >= 0 && len(sc.recs[sc.cur].diag) < 24:
		sc.recs[sc.cur].diag = append(sc.recs[sc.cur].diag, t)
	case sc.cur < 0 && sc.nLoose < len(sc.loose):
		sc.keepLoose(t)
	}
}

// keepLoose adds t to the loose lines, dropping the oldest when all are
// set (only the last four are read).
func (sc *noticeScanner) keepLoose(t string) {
	if sc.nLoose == len(sc.loose) {
		copy(sc.loose[:], sc.loose[1:])
		sc.nLoose--
	}
	sc.loose[sc.nLoose] = t
	sc.nLoose++
}

// recipient handles line i, which names addr; rest is the part of the
// line that explains it.
func (sc *noticeScanner) recipient(i int, t, addr, rest string) {
	if sc.cur >= 0 && strings.EqualFold(sc.recs[sc.cur].addr, addr) {
		rest = t // the address mentioned again inside its reason
	}
	if sc.cur < 0 && leadingReplyCode(t) != "" {
		// A transcript names the recipient in the reply; the lines
		// before it ("... while talking to", ">>> RCPT To:", a local
		// delivery agent's complaint) belong to the same story.
		var story []string
		for _, l := range sc.loose[max(0, sc.nLoose-4):sc.nLoose] {
			if !otherTarget(l, addr) {
				story = append(story, l)
			}
		}
		rest = joinReply(append(story, t))
	}
	sc.nLoose = 0
	sc.cur = indexOf(sc.recs, addr)
	if sc.cur < 0 {
		sc.recs = append(sc.recs, textRecord{addr: addr, open: sc.sentences})
		sc.at = append(sc.at, i)
		sc.cur = len(sc.recs) - 1
	}
	if rest != "" {
		sc.recs[sc.cur].diag = append(sc.recs[sc.cur].diag, rest)
	}
}

// finish explains the records that collected nothing from nearby lines.
func (sc *noticeScanner) finish() []textRecord {
	for k := range sc.recs {
		if len(sc.recs[k].diag) == 0 {
			sc.recs[k].diag = nearbyParagraph(sc.lines, sc.at[k], sc.recs[k].addr)
		}
	}
	return sc.recs
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
