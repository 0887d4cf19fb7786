// Package mimepart reads MIME entities held in memory: Content-Type values,
// multipart bodies split into their parts, and part bodies decoded
// (quoted-printable, base64, charsets) only as far as a caller asks. It
// finds the parts and gives the bytes and errors go-message would, without
// copying each part through buffered readers; dsn's walk parity fuzzer
// (FuzzWalkParity) checks that, and this package's fuzzers check its
// pieces against the standard library.
//
// It knows nothing of delivery reports: which parts matter, and what they
// mean, is dsn's business.
package mimepart
