package verp

import (
	"context"
	"fmt"
	"log/slog"
	"net/textproto"
	"strings"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Verifier decides whether a parsed report arrived on a valid signed return
// path and for which recipient.
type Verifier struct {
	Codec Codec
	// Mailboxes are the return-path addresses (bounces@example.com) whose
	// signed forms are recognised; empty means any local+TOKEN@domain.
	Mailboxes []string
	// Header is the name of a header of the returned original that carries a
	// token (e.g. X-Bouncer-ID); empty means none. The parser must be asked
	// for it (dsn Options.Headers).
	Header string
	// Refs resolves reference tokens when the report names no recipient;
	// nil means reference tokens verify only against a named recipient.
	Refs RefLookup
	// Logger, when set, is told by PollerFunc why a report is not verified:
	// at warn level when a token was present (forged, tampered, a removed
	// key, or a token for another address), at debug level otherwise.
	Logger *slog.Logger
}

// Verdict is the outcome of Verifier.Check.
type Verdict struct {
	Verified  bool
	Recipient string // canonical recipient the token names; set when Verified
	Stream    string // the stream a valid token for Recipient carries, if any
	Note      string // why the report is not verified; empty when it is
	// Suspicious is set when the report carried a token that did not
	// verify it: forged, tampered, signed with a removed key, or for
	// another address than the report names.
	Suspicious bool
}

// Check reads tokens from the report's Delivered-To/X-Original-To and To
// addresses, the returned original's Return-Path and the signed header, and
// returns Verified when one valid token names the recipient every record of
// the report is counted against (its final recipient, else its original).
// A report naming no recipient takes the token's. A token for another
// address than the report's recipient, or tokens for different recipients
// with none named, are not verified.
//
// A complaint (an ARF report) is the exception: it is verified by one valid
// token alone, for the token's recipient, whatever address it names.
// Feedback loops redact, hash or replace the complainer's address
// (redacted@…, xxx@…), and the token names the address the mail was sent
// to, which is the one to stop mailing (RFC 6449); a forger
// holding a token can only name their own address that way.
func (v *Verifier) Check(ctx context.Context, r *dsn.Report) Verdict {
	if r == nil {
		return Verdict{Note: "no report"}
	}
	tokens := v.tokens(r)
	if len(tokens) == 0 {
		return Verdict{Note: "no signed return path"}
	}
	complaint := r.Type == dsn.TypeARF
	var named []string
	if !complaint {
		named = namedRecipients(r)
	}
	cands, streams, bad := v.candidates(ctx, tokens, named)
	if len(cands) == 0 {
		return Verdict{Suspicious: true, Note: fmt.Sprintf("%d token(s), none verifies (forged, tampered or signed with a removed key): %s", len(tokens), bad)}
	}
	for _, c := range cands {
		if (complaint || covers(r, c)) && (len(named) > 0 || len(cands) == 1) {
			return Verdict{Verified: true, Recipient: c, Stream: streams[c]}
		}
	}
	if len(named) == 0 {
		return Verdict{Suspicious: true, Note: fmt.Sprintf("tokens name different recipients %q", cands)}
	}
	return Verdict{Suspicious: true, Note: fmt.Sprintf("token is for %q, the report names %q", cands, named)}
}

// PollerFunc adapts Check to the poller's Verifier seam (poller.Verifier).
// The raw header block is not needed: the report carries the addresses.
// Reference lookups run under context.Background, since the seam takes no
// context.
func (v *Verifier) PollerFunc() func(ctx context.Context, r *dsn.Report, header []byte) (bool, string) {
	return func(ctx context.Context, r *dsn.Report, _ []byte) (bool, string) {
		vd := v.Check(ctx, r)
		v.log(r, vd)
		return vd.Verified, vd.Recipient
	}
}

// log tells v.Logger why r is not verified.
func (v *Verifier) log(r *dsn.Report, vd Verdict) {
	if v.Logger == nil || vd.Verified || r == nil {
		return
	}
	level := slog.LevelDebug
	if vd.Suspicious {
		level = slog.LevelWarn
	}
	v.Logger.Log(context.Background(), level, "verp: bounce not verified",
		slog.String("message_id", r.Message.MessageID), slog.String("note", vd.Note))
}

// tokens returns the distinct tokens found in the report's addresses.
func (v *Verifier) tokens(r *dsn.Report) []string {
	addrs := append(append([]string{}, r.Message.DeliveredTo...), r.Message.To...)
	addrs = append(addrs, r.Original.ReturnPath)
	var out set
	for _, a := range addrs {
		for _, one := range strings.Split(a, ",") {
			out.add(lower(v.split(one)))
		}
	}
	if v.Header != "" {
		out.add(lower(r.Original.Headers[textproto.CanonicalMIMEHeaderKey(v.Header)]))
	}
	return out.list
}

// split returns the token of addr for any of the mailboxes, or "".
func (v *Verifier) split(addr string) string {
	t, _ := v.Codec.SplitAny(v.Mailboxes, addr)
	return t
}

// set collects distinct non-empty strings in order.
type set struct {
	list []string
	seen map[string]bool
}

func (s *set) add(a string) {
	if a == "" || s.seen[a] {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[a] = true
	s.list = append(s.list, a)
}

// candidates returns the distinct recipients named by valid tokens, the
// stream of the first valid stream token for each, and a summary of why
// the others failed.
func (v *Verifier) candidates(ctx context.Context, tokens, named []string) (cands []string, streams map[string]string, bad string) {
	var out set
	streams = map[string]string{}
	for _, t := range tokens {
		for _, rc := range v.recipientsOf(ctx, t, named) {
			out.add(rc)
			if st := StreamOf(t); st != "" && streams[rc] == "" {
				streams[rc] = st
			}
		}
		if len(out.list) == 0 {
			bad = t
		}
	}
	return out.list, streams, bad
}

// recipientsOf returns the recipients token is valid for: the one a direct
// token carries; for a reference, those named recipients it was signed for,
// or its stored mapping when the report names none.
func (v *Verifier) recipientsOf(ctx context.Context, token string, named []string) []string {
	if isDirect(token[0]) || len(named) == 0 {
		rc, err := v.Codec.VerifyToken(ctx, token, v.Refs)
		if err != nil {
			return nil
		}
		return []string{rc}
	}
	var out []string
	for _, n := range named {
		if v.Codec.Keys.Matches(token, n) {
			out = append(out, n)
		}
	}
	return out
}

// namedRecipients returns the distinct canonical addresses the report names.
func namedRecipients(r *dsn.Report) []string {
	var out set
	for _, rc := range r.Recipients {
		out.add(recordRecipient(rc))
	}
	if r.Feedback != nil {
		for _, a := range r.Feedback.OriginalRcptTo {
			out.add(Canonical(a))
		}
	}
	return out.list
}

// recordRecipient is the address a record is counted against, as the
// suppression store picks it (dsn.Recipient.Address: the final recipient,
// or the original one after an alias inside the mailed domain).
func recordRecipient(rc dsn.Recipient) string {
	return Canonical(rc.Address())
}

// covers reports whether every recipient the report names is rcpt: each
// record by the address it is counted against (recordRecipient), each ARF
// Original-Rcpt-To. Only the address a record is counted against counts: a
// token for one address never covers a record that would be counted
// against another.
func covers(r *dsn.Report, rcpt string) bool {
	for _, rc := range r.Recipients {
		if a := recordRecipient(rc); a != "" && a != rcpt {
			return false
		}
	}
	if r.Feedback != nil {
		for _, a := range r.Feedback.OriginalRcptTo {
			if Canonical(a) != rcpt {
				return false
			}
		}
	}
	return true
}
