package dsn

import (
	"slices"
)

// textRule maps a phrase of a diagnostic to a Reason. The phrase is lower
// case with single spaces; "*" stands for a run of up to maxGap characters,
// so "user * unknown" matches "user kijitora@example.org unknown". A phrase
// starts at the start of a word; a leading "*" lets it start anywhere, as
// does a phrase in a CJK script (its UTF-8 lead byte 0xE3 or above).
type textRule struct {
	phrase string
	reason Reason
	weight weight
}

// textRules is the whole phrase table: the sections below, in this order.
// A text is given the reason of the heaviest row it matches (decisive, then
// hint, then vague: see compiledRules and matchText); only among rows of the
// same weight does the first in table order win. So a precise phrase comes
// before any looser one of the same weight that would also match its text,
// while a heavier row wins wherever it stands: placing a row earlier never
// lets it beat a heavier one. The pairs of rows where this decides (a
// heavier row whose texts also match an earlier, lighter row of another
// reason) are listed and pinned in textorder_test.go.
var textRules = slices.Concat(
	serverCodeRows,
	mailboxRows,
	ourSideRows,
	routeRows,
	userRows,
	systemRows,
)

// serverCodeRows are servers' own status names and codes.
var serverCodeRows = []textRule{
	// Amazon SES "Throttling failure: Daily message quota exceeded": our sending
	// quota, not a mailbox (sisimai toomanyconn).
	{"throttling failure", ReasonSpeeding, decisive},

	// Exchange's own status names and Exchange 2003's native NDR codes (as
	// sisimai's Exchange modules list them): the server's own directory or
	// transport speaking, decisive.
	{"smtpsend.dns.nonexistentdomain", ReasonHostUnknown, decisive}, // Exchange 2007+ "554 5.4.4 SMTPSEND.DNS.NonExistentDomain"
	{"infodomainnonexistent", ReasonHostUnknown, decisive},          // Exchange Online "550 5.4.310 DNS domain x does not exist [Message=InfoDomainNonexistent]"
	{"dns domain * does not exist", ReasonHostUnknown, decisive},    // the same without its bracketed detail
	{"smtpsend.dns.mxloopback", ReasonNetworkError, decisive},       // Exchange 2007+ "554 5.4.4 SMTPSEND.DNS.MxLoopback"
	{"resolver.adr.exrecipnotfound", ReasonUserUnknown, decisive},   // Exchange "550 5.1.1 RESOLVER.ADR.ExRecipNotFound"
	{"resolver.adr.reciplimit", ReasonTooManyConn, decisive},        // Exchange "550 5.5.3 RESOLVER.ADR.RecipLimit": too many recipients
	{"resolver.adr.badprimary", ReasonSystemError, decisive},        // Exchange "550 5.2.0 RESOLVER.ADR.BadPrimary"
	{"resolver.adr.invalidinsmtp", ReasonSystemError, decisive},     // Exchange "550 5.1.0 RESOLVER.ADR.InvalidInSmtp"
	{"resolver.rst.authrequired", ReasonSecurityError, decisive},    // Exchange "550 5.7.1 RESOLVER.RST.AuthRequired"
	{"(000c05a6)", ReasonUserUnknown, decisive},                     // Exchange 2003 "MSEXCH:IMS:... (000C05A6) Unknown Recipient"
	{"(000c0595)", ReasonFiltered, decisive},                        // Exchange 2003 "(000C0595) Ambiguous Recipient"
	{"(000b0981)", ReasonSecurityError, decisive},                   // Exchange 2003 "(000B0981) 502 Server does not support AUTH"
	{"(00050311)", ReasonContentError, decisive},                    // Exchange 2003 "Conversion to Internet format failed"
	{"(000502cc)", ReasonContentError, decisive},                    // Exchange 2003 "Conversion to Internet format failed"
	{"(000d06b5)", ReasonSystemError, decisive},                     // Exchange 2003 "No proxy for recipient"
	{"(00120270)", ReasonNetworkError, decisive},                    // Exchange 2003 "Too Many Hops"

	// Postfix reject_unverified_recipient while its probe has no verdict yet
	// ("450 4.1.1 <a@example.org>: Recipient address rejected: unverified
	// address: Address verification in progress", or the probe's own
	// deferral): its 4.1.1 says nothing about the mailbox. A probe that did
	// bounce reads "undeliverable address: ..." and is judged by its cause.
	{"recipient address rejected: unverified address", ReasonOnHold, decisive}, // (the sender's, "Sender address rejected: unverified address", is rejected below)
}
