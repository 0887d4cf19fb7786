package dsn

import (
	"html"
	"strings"
)

// Diagnostics read from the prose of a notice: SMTP reply lines, replies
// introduced by a colon, indented blocks, summaries.

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
