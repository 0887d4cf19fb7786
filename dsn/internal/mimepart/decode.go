package mimepart

import (
	"io"
	"mime"
	"strings"
	"sync"

	"github.com/emersion/go-message/charset"
)

// DecodeHeader decodes RFC 2047 encoded words; undecodable text is kept.
func DecodeHeader(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

var wordDecoder = mime.WordDecoder{CharsetReader: func(label string, input io.Reader) (io.Reader, error) {
	r, err := charset.Reader(label, input)
	if err != nil {
		return nil, err
	}
	return smallCopier{r}, nil
}}

// smallCopier lets io.Copy, with which mime.WordDecoder reads a decoded
// word, copy through a small buffer instead of allocating 32 KiB.
type smallCopier struct{ io.Reader }

// WriteTo copies the rest of the reader to w, as io.Copy does.
func (c smallCopier) WriteTo(w io.Writer) (int64, error) {
	var buf [512]byte
	var total int64
	for {
		n, err := c.Read(buf[:])
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
			if m != n {
				return total, io.ErrShortWrite
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// buffers recycles the buffers inputs and decoded parts are read into;
// nothing a caller keeps may point into a buffer once it is put back.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// maxPooledBuffer keeps large one-off buffers out of the pool.
const maxPooledBuffer = 1 << 20

// GetBuffer takes an empty buffer from the pool shared with Entity.Decoded.
func GetBuffer() *[]byte { return buffers.Get().(*[]byte) }

// PutBuffer gives b back to the pool; its bytes must no longer be used.
func PutBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		buffers.Put(b)
	}
}
