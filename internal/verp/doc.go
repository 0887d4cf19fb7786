// Package verp owns signed return paths: the token format, signing and
// verifying addresses such as bounces+TOKEN@example.com under a ring of HMAC
// keys, and deciding whether a parsed bounce arrived on a valid signed
// address (Verifier).
//
// A token names one recipient and carries a truncated HMAC-SHA256 over a
// version byte and that recipient, encoded in lower-case base32 so that mail
// servers that lower-case local parts do not break it. When the recipient is
// too long for the 64-octet local part, the token is a short signed reference
// instead, and the caller stores the reference → recipient mapping (RefLookup).
// The algorithm is documented in docs/signed-return-paths.md so that other
// senders can compute the same addresses.
//
// The package does no I/O besides reading the key file; it does not log,
// never puts key material in errors or formatted output, and knows nothing of
// mailboxes or databases.
package verp
