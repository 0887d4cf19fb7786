package mimepart

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/emersion/go-message/charset"
)

// charsetLabels are labels the lookups treat differently: IANA names,
// "cs" names, WHATWG labels, go-message's quirks, unknown ones.
var charsetLabels = []string{"iso-8859-1", "ISO-8859-1", "latin1", "windows-1252", "cp1252", "iso-2022-jp", "ISO-2022-JP",
	"shift_jis", "euc-jp", "gb2312", "gbk", "gb18030", "big5", "euc-kr", "ks_c_5601-1987", "utf-8", "UTF8", "utf-16", "utf-16le",
	"koi8-r", "iso-8859-15", "ansi_x3.110-1983", "x-utf_8j", "us-ascii", "ascii", "unicode-1-1-utf-7", "x-unknown", "", "cs"}

// charsetInputs are bytes each decoder must treat as go-message's reader
// does: ASCII, high bytes, ISO-2022-JP escapes (cut short too), invalid
// UTF-8 and UTF-16 halves.
var charsetInputs = [][]byte{
	nil, []byte("plain ascii text\n"), []byte("caf\xe9 \x80\x9f\xff"), []byte("\x1b$B$3$s$K$A$O\x1b(B ok"),
	[]byte("\x1b$B$3$s$K"), []byte("\x1b$B$"), []byte("bad \xc3\x28 utf8 \xed\xa0\x80"), []byte("\xff\xfeh\x00i\x00\x00"),
	[]byte("\x82\xa0\x82\xa2 \xa4\xa2 \xb0\xa1\xb0"), bytes.Repeat([]byte("\xe9\x1b$B$3\x1b(B"), 3000),
}

// streamDecode is what Entity.Decoded gave before decodeInMemory: src
// read through go-message's charset.Reader, then end.
func streamDecode(label string, src []byte, end error) ([]byte, error, bool) {
	r, err := charset.Reader(label, &memReader{b: src, end: end})
	if err != nil {
		return nil, nil, false
	}
	b, err := ReadAtMost(r, 1<<30, nil)
	return b, err, true
}

// TestCharsetDecodeMatchesGoMessage: lookupEncoding resolves the labels
// go-message's charset.Reader resolves, and appendDecoded gives the bytes
// and the error its reader gives, the reader's error included.
func TestCharsetDecodeMatchesGoMessage(t *testing.T) {
	errCut := errors.New("multipart: cut")
	for _, label := range charsetLabels {
		for _, in := range charsetInputs {
			for _, end := range []error{io.EOF, errCut} {
				checkCharsetParity(t, label, in, end)
			}
		}
	}
}

func checkCharsetParity(t *testing.T, label string, in []byte, end error) {
	t.Helper()
	want, wantErr, known := streamDecode(label, in, end)
	enc, err := lookupEncoding(label)
	if (err == nil) != known {
		t.Fatalf("label %q: lookupEncoding error %v, go-message knows it: %v", label, err, known)
	}
	if !known {
		return
	}
	got, gotErr := appendDecoded([]byte("prefix:"), enc.NewDecoder(), in, end)
	if !bytes.Equal(got[len("prefix:"):], want) || (gotErr == nil) != (wantErr == nil) || gotErr == end != (wantErr == end) {
		t.Errorf("label %q, input %q, end %v:\n got %q, %v\nwant %q, %v", label, in, end, got[len("prefix:"):], gotErr, want, wantErr)
	}
}

// TestDecodeHeaderCharsets: encoded words decode as through go-message's
// charset.Reader.
func TestDecodeHeaderCharsets(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?iso-2022-jp?B?GyRCJTUlcyVXJWsbKEI=?=", "サンプル"},
		{"=?ISO-8859-1?Q?caf=E9?= ok", "café ok"},
		{"=?windows-1252?Q?=93quoted=94?=", "“quoted”"},
		{"=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?="},
		{"=?utf-8?B?w6k=?=", "é"},
	}
	for _, tt := range tests {
		if got := DecodeHeader(tt.in); got != tt.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCharsetDecode compares appendDecoded with go-message's reader on
// any label and bytes.
func FuzzCharsetDecode(f *testing.F) {
	for _, label := range charsetLabels {
		for _, in := range charsetInputs[:9] {
			f.Add(label, in, false)
		}
	}
	f.Fuzz(func(t *testing.T, label string, in []byte, cut bool) {
		end := io.EOF
		if cut {
			end = io.ErrUnexpectedEOF
		}
		checkCharsetParity(t, label, in, end)
	})
}
