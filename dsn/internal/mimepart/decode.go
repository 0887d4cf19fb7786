package mimepart

import (
	"mime"
	"strings"
	"sync"
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

var wordDecoder = mime.WordDecoder{CharsetReader: decodeWord}

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
