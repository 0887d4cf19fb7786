package dsn

import (
	"bytes"
	"strings"
)

// originalMarkers are phrases of the line that separates a bounce notice
// from the returned original message (lower case).
var originalMarkers = []string{
	"original message", "copy of the message", "copy of your message", "unsent message",
	"returned message", "message headers follow", "headers of the original", "below this line",
	"original mail", "content-type: message/rfc822", "header of the original", "original headers",
	"message header follows", "this is the original", "original text follows", "attached message",
	"headers of your message", "undelivered message you sent", "mensaje original", "message d'origine", "ursprüngliche nachricht",
	"元のメッセージ", "原始邮件",
	"message text follows", // QUIRK: Smail 3, "|---- Message text follows: ----|"
}

// headerStarts are header fields that, at the start of a line, begin an
// inline copy of the original message.
var headerStarts = []string{"Received: ", "Return-Path:", "Return-path:", "DKIM-Signature:", "X-Received:", "ARC-Seal:", "Authentication-Results:", "Delivered-To:"}

// splitOriginal cuts a bounce notice at the start of the returned original
// and returns the notice and the text after the cut.
func splitOriginal(text string) (notice, original string) {
	off := 0
	for off < len(text) {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		line := text[off : off+end]
		next := off + end + 1
		if next > len(text) {
			next = len(text)
		}
		if isOriginalMarker(line) {
			return text[:off], text[next:]
		}
		if len(line) > 8 && strings.IndexByte("RDXA", line[0]) >= 0 {
			for _, h := range headerStarts {
				if strings.HasPrefix(line, h) {
					return text[:off], text[off:]
				}
			}
		}
		off = next
	}
	return text, ""
}

// isOriginalMarker reports whether a line announces the returned original.
func isOriginalMarker(line string) bool {
	if len(line) < 8 {
		return false
	}
	t := strings.TrimSpace(line)
	if len(t) < 8 || len(t) > 120 {
		return false
	}
	// A sentence that merely mentions the original is not a separator:
	// separators are decorated, end with a colon, or say "follows".
	c, last := t[0], t[len(t)-1]
	decorated := c == '-' || c == '=' || c == '*' || c == '_' || c == '[' && last == ']' || c == '<' && last == '>' || c == '(' && last == ')' || c == '|' && last == '|' ||
		last == ':' || last == '-' || last == '.' && len(t) < 60 && !continues(t) || !strings.Contains(t, " ") ||
		c == 'C' || c == 'c' || strings.HasSuffix(t, "follows") || strings.HasSuffix(t, "following")
	if !decorated {
		return false
	}
	var buf [128]byte
	l := buf[:0]
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		l = append(l, c)
	}
	if containsAnyBytes(l, recipientIntroductions) {
		// QUIRK: MDaemon's "The following addresses did NOT receive a
		// copy of your message:" introduces the recipients; a gateway's
		// "Please do not resend your original message." is advice, and
		// the notice goes on after it.
		return false
	}
	// Most lines hold no anchor word, and no marker then.
	for _, m := range unanchoredMarkers {
		if bytes.Contains(l, m) {
			return true
		}
	}
	if !containsAnyBytes(l, markerAnchors) {
		return false
	}
	for _, m := range originalMarkerBytes {
		if bytes.Contains(l, m) {
			return true
		}
	}
	return false
}

// recipientIntroductions are phrases of a line that introduces the failed
// recipients or advises the reader, which no separator contains (lower
// case).
var recipientIntroductions = [][]byte{[]byte("did not receive"), []byte("following address"), []byte("following recipient"), []byte("not resend")}

// markerAnchors are words most originalMarkers contain; unanchoredMarkers
// are the markers that contain none of them.
var (
	markerAnchors     = [][]byte{[]byte("origin"), []byte("message"), []byte("below this line"), []byte("nachricht")}
	unanchoredMarkers = func() [][]byte {
		var out [][]byte
		for _, m := range originalMarkerBytes {
			if !containsAnyBytes(m, markerAnchors) {
				out = append(out, m)
			}
		}
		return out
	}()
)

func containsAnyBytes(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}

// continues reports whether a line starts in lower case, continuing the
// sentence of the line before: "delete your own text from the attached
// returned message." ends Postfix's notice, it does not separate it.
func continues(t string) bool {
	return t[0] >= 'a' && t[0] <= 'z'
}

// originalMarkerBytes holds originalMarkers for allocation-free matching.
var originalMarkerBytes = func() [][]byte {
	out := make([][]byte, len(originalMarkers))
	for i, m := range originalMarkers {
		out[i] = []byte(m)
	}
	return out
}()

// inlineHeader parses the header block at the start of an inline original.
func inlineHeader(s string, limit int64, extra []string) header {
	s = strings.TrimLeft(s, " \t\n")
	if len(s) > int(limit) {
		s = s[:limit]
	}
	// readHeader stops at the first blank line at the latest: copy no
	// further.
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i+2]
	}
	h, _ := readHeader(&memLines{data: []byte(s)}, limit, extra)
	return h
}
