package mimepart

import (
	"bytes"
	"fmt"
	"io"
)

// qpDecode appends to dst the quoted-printable decoding of src, stopping
// once dst holds limit bytes. It decodes exactly as mime/quotedprintable's
// Reader does reading src and then the error end through its 4 KiB
// bufio.Reader (lenient about bad escapes, stopping at the same errors), in
// one pass over memory. The error is what the Reader would return after the
// bytes decoded, nil when limit was reached.
func qpDecode(dst, src []byte, end error, limit int) ([]byte, error) {
	for {
		if len(dst) >= limit {
			return dst, nil
		}
		// bufio.Reader.ReadSlice('\n') with a 4 KiB buffer.
		var line []byte
		var rerr error
		i := bytes.IndexByte(src[:min(len(src), peekBufferSize)], '\n')
		switch {
		case i >= 0:
			line, src = src[:i+1], src[i+1:]
		case len(src) >= peekBufferSize:
			line, src, rerr = src[:peekBufferSize], src[peekBufferSize:], errBufferFull
		default:
			line, src, rerr = src, nil, end
		}
		hasLF := len(line) > 0 && line[len(line)-1] == '\n'
		hasCR := hasLF && len(line) > 1 && line[len(line)-2] == '\r'
		whole := line
		for len(line) > 0 && isQPDiscardWhitespace(line[len(line)-1]) {
			line = line[:len(line)-1]
		}
		var eol []byte
		if len(line) > 0 && line[len(line)-1] == '=' {
			rightStripped := whole[len(line):]
			for len(rightStripped) > 0 && (rightStripped[0] == ' ' || rightStripped[0] == '\t') {
				rightStripped = rightStripped[1:]
			}
			line = line[:len(line)-1]
			if !hasPrefixLF(rightStripped) && !(len(rightStripped) == 0 && len(line) > 0 && rerr == io.EOF) {
				rerr = fmt.Errorf("quotedprintable: invalid bytes after =: %q", rightStripped)
			}
		} else if hasLF {
			eol = whole[len(whole)-1:]
			if hasCR {
				eol = whole[len(whole)-2:]
			}
		}
		// The Reader decodes the line with its line ending put back. The
		// trimmed line does not end in "=", and an "=" before its last
		// byte is a literal "=" either way, so decoding the line ending
		// apart gives the same bytes.
		var err error
		if dst, err = qpDecodeLine(dst, line, limit); err != nil {
			return dst, err
		}
		dst = append(dst, eol[:min(len(eol), limit-len(dst))]...)
		if rerr != nil && len(dst) < limit {
			return dst, rerr
		}
	}
}

// qpDecodeLine appends the decoding of one line (as the Reader holds it)
// to dst, at most up to limit bytes.
func qpDecodeLine(dst, line []byte, limit int) ([]byte, error) {
	for len(line) > 0 {
		// A run of bytes that stand for themselves.
		n := 0
		for n < len(line) {
			c := line[n]
			if c == '=' || (c < ' ' && c != '\t' && c != '\r' && c != '\n') || c == 0x7f {
				break
			}
			n++
		}
		if room := limit - len(dst); n >= room {
			return append(dst, line[:room]...), nil
		}
		dst = append(dst, line[:n]...)
		line = line[n:]
		if len(line) == 0 {
			break
		}
		b := line[0]
		if b != '=' {
			return dst, fmt.Errorf("quotedprintable: invalid unescaped byte 0x%02x in body", b)
		}
		h, err := readHexByte(line[1:])
		switch {
		case err == nil:
			b = h
			line = line[2:]
		case len(line) >= 2 && line[1] != '\r' && line[1] != '\n':
			// Take the = as a literal =.
		default:
			return dst, err
		}
		dst = append(dst, b)
		line = line[1:]
	}
	return dst, nil
}

func hasPrefixLF(b []byte) bool {
	return len(b) > 0 && b[0] == '\n' || len(b) > 1 && b[0] == '\r' && b[1] == '\n'
}

func isQPDiscardWhitespace(c byte) bool {
	return c == '\n' || c == '\r' || c == ' ' || c == '\t'
}

func fromHex(b byte) (byte, error) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', nil
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, nil
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, nil
	}
	return 0, fmt.Errorf("quotedprintable: invalid hex byte 0x%02x", b)
}

func readHexByte(v []byte) (byte, error) {
	if len(v) < 2 {
		return 0, io.ErrUnexpectedEOF
	}
	hb, err := fromHex(v[0])
	if err != nil {
		return 0, err
	}
	lb, err := fromHex(v[1])
	if err != nil {
		return 0, err
	}
	return hb<<4 | lb, nil
}
