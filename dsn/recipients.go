package dsn

import (
	"bytes"
	"strings"
)

// The recognizers of recipient lines in bounce notices, from the most to
// the least certain.

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
	case t[0] == '"':
		return selfNamedRecipient(t)
	case t[0] == '*' || t[0] == '-' || strings.HasPrefix(t, "> ") || strings.HasPrefix(t, "•"):
		// QUIRK: bulleted lists of recipients (several appliances);
		// MDaemon writes "> user@host" under "The following addresses did
		// NOT receive a copy of your message:" (">>> RCPT TO:" is a
		// transcript's command, not a bullet).
		u := strings.TrimSpace(strings.TrimLeft(t, "*-•"))
		if t[0] == '>' {
			u = strings.TrimSpace(t[1:])
		}
		if u != "" && u != t {
			return recipientLine(u)
		}
	case t[0] == 'c' || t[0] == 'C':
		if a, ok := x400Recipient(t); ok {
			return a, "", true
		}
		return labelledOrBare(t)
	case isLocalChar(t[0]):
		return labelledOrBare(t)
	}
	return "", "", false
}

// labelledOrBare reads a line that starts with a word: "Label: address",
// a bare address, or "Display Name (address)".
func labelledOrBare(t string) (addr, rest string, ok bool) {
	if a, rest, ok := labelledRecipient(t); ok {
		return a, rest, ok
	}
	if a, rest, ok := bareRecipient(t); ok {
		return a, rest, ok
	}
	return namedRecipient(t)
}

// selfNamedRecipient handles "\"user@host\" <user@host>": an address whose
// display name is the address itself (QUIRK: Microsoft's "Non-Delivery
// Report" and Exchange list their recipients so). A display name that is
// a person's name is not read: that is the form of To and Cc lines.
func selfNamedRecipient(t string) (addr, rest string, ok bool) {
	q := strings.IndexByte(t[1:], '"')
	if q < 0 {
		return "", "", false
	}
	name, after := t[1:1+q], strings.TrimSpace(t[2+q:])
	if !strings.HasPrefix(after, "<") {
		return "", "", false
	}
	end := strings.IndexByte(after, '>')
	if end < 0 || !strings.EqualFold(strings.TrimPrefix(after[1:end], "mailto:"), name) || !plausibleAddr(name) {
		return "", "", false
	}
	return name, trimLead(after[end+1:]), true
}

// x400Recipient reads an X.400 originator/recipient line that carries an
// SMTP address, "c=US;a= ;p=IKON;o=Nexus2;dda:SMTP=user@host; on ..."
// (QUIRK: Exchange 5.5 and its Internet Mail Service).
func x400Recipient(t string) (string, bool) {
	if len(t) < 3 || t[1] != '=' {
		return "", false
	}
	i := indexFold(t, "smtp=")
	if i < 0 {
		return "", false
	}
	v := t[i+len("smtp="):]
	if j := strings.IndexAny(v, "; \t"); j >= 0 {
		v = v[:j]
	}
	if !plausibleAddr(v) || findAddr(v) != v {
		return "", false
	}
	return v, true
}

// namedRecipient handles a line that is only a display name and an
// address in parentheses, "Russ Winter (russ@example.net)" (QUIRK:
// Exchange and Office 365 list failed recipients so, in every language).
// The name must look like one: short, no colon (a "Label: value" line), no
// failure words (a sentence). "Name <address>" is not read: it is the form
// of To and Cc lines, and a forwarded original's header continuation lines
// would read as failed recipients.
func namedRecipient(t string) (addr, rest string, ok bool) {
	if t[len(t)-1] != ')' {
		return "", "", false
	}
	i := strings.LastIndexByte(t, '(')
	if i <= 0 || i > 64 {
		return "", "", false
	}
	name := strings.TrimSpace(t[:i])
	if name == "" || strings.ContainsAny(name, ":@<>()") || hasAny(strings.ToLower(name), failureWords) || !looksLikeName(name) {
		return "", "", false
	}
	a := strings.TrimPrefix(t[i+1:len(t)-1], "mailto:")
	if strings.ContainsAny(a, " \t") || findAddr(a) != a {
		return "", "", false
	}
	return a, "", true
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
	var buf [40]byte
	label := lowerInto(buf[:0], t[:i])
	// "Could not be delivered to: <a@b>" is a label too; "Delivered-To:"
	// (a header in a quoted original) is not.
	sentence := bytes.Contains(label, []byte("deliver")) && bytes.IndexByte(label, ' ') >= 0
	if !sentence && !hasAnyBytes(label, recipientLabels) || bytes.HasPrefix(label, []byte("x-")) {
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

// looksLikeName reports whether s reads as a display name ("Russ
// Winter", "Neko, Nyaan", "山田 太郎") rather than a sentence ("For further
// assistance, please contact", "...場合は、"): at most four words and 40
// bytes, no CJK sentence punctuation, the first word capitalised (or not
// ASCII), none of the words sentences use around an address.
func looksLikeName(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 || len(s) > 40 || strings.ContainsAny(s, "、。：！？") {
		return false
	}
	if c := words[0][0]; c < 0x80 && (c < 'A' || c > 'Z') && !isDigit(c) {
		return false
	}
	for _, w := range words {
		switch strings.ToLower(strings.Trim(w, ",.;")) {
		case "please", "contact", "for", "to", "at", "from", "write", "send", "by", "via", "assistance", "questions", "see", "reply":
			return false
		}
	}
	return true
}

// failureWords mark a sentence that names a failed recipient.
var failureWords = []string{"deliver", "fail", "reject", "unknown", "not a member", "error", "unable", "could not", "couldn't", "bounce", "invalid", "does not exist", "doesn't exist", "no such", "refused", "blocked", "full", "quota", "exceed", "disabled", "suspended", "not found", "unavailable",
	"no longer", "did not exactly match", "did not match", "has moved", "not a valid"}

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
