package poller

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/bouncer-mail/bouncer/internal/netaddr"
)

// Protocols.
const (
	ProtocolIMAP = "imap"
	ProtocolPOP3 = "pop3"
)

// TLS modes.
const (
	TLSImplicit = "implicit" // TLS from the first byte (IMAPS 993, POP3S 995)
	TLSStartTLS = "starttls" // plain connection upgraded by STARTTLS or STLS
	TLSNone     = "none"     // no encryption: loopback and tests only
)

// What happens to a recorded message.
const (
	AfterMove   = "move"   // move to ProcessedFolder (POP3: delete, it has no folders)
	AfterDelete = "delete" // delete
	AfterFlag   = "flag"   // IMAP: \Seen plus ProcessedKeyword; POP3: leave it, skip by UIDL
)

// Authentication methods.
const (
	AuthPlain   = "plain"   // SASL PLAIN when advertised, else LOGIN (IMAP) or USER/PASS (POP3)
	AuthLogin   = "login"   // SASL LOGIN when advertised, else the LOGIN command (IMAP); USER/PASS (POP3)
	AuthXOAUTH2 = "xoauth2" // SASL XOAUTH2 with a bearer token from TokenFile or TokenCommand
)

// ProcessedKeyword marks recorded messages for after: flag. Every IMAP pass
// skips messages that carry it.
const ProcessedKeyword = "$BouncerProcessed"

// ErrConfig reports an unusable Mailbox.
var ErrConfig = errors.New("poller: invalid mailbox")

// Mailbox is one configured bounce mailbox. The zero value of every field
// but Name, Protocol, Host and Username means its default.
type Mailbox struct {
	Name     string // configured name: the ledger's mailbox and the lock's key
	Protocol string // ProtocolIMAP or ProtocolPOP3
	Host     string
	Port     int    // 0: 993/143 (IMAP), 995/110 (POP3) by TLS mode
	TLS      string // TLSImplicit (default), TLSStartTLS or TLSNone

	// TLSCAFile names a PEM bundle trusted instead of the system roots.
	TLSCAFile string
	// TLSSkipVerify turns certificate verification off. Only when configured.
	TLSSkipVerify bool

	Username string
	Password string // never logged
	Auth     string // AuthPlain (default), AuthLogin or AuthXOAUTH2

	// TokenFile or TokenCommand supply the XOAUTH2 bearer token: the file's
	// content, or the standard output of the command run by /bin/sh -c,
	// trimmed. Read again at every connection, so a refresher can rotate it.
	TokenFile    string
	TokenCommand string

	Folder          string // IMAP folder to read; default INBOX
	After           string // AfterMove (default), AfterDelete or AfterFlag
	ProcessedFolder string // default Processed
	FailedFolder    string // default Unprocessed: non-reports and unparseable messages
}

// withDefaults returns mb with every zero field set to its default.
func (mb Mailbox) withDefaults() Mailbox {
	if mb.TLS == "" {
		mb.TLS = TLSImplicit
	}
	if mb.Auth == "" {
		mb.Auth = AuthPlain
	}
	if mb.Folder == "" {
		mb.Folder = "INBOX"
	}
	if mb.After == "" {
		mb.After = AfterMove
	}
	if mb.ProcessedFolder == "" {
		mb.ProcessedFolder = "Processed"
	}
	if mb.FailedFolder == "" {
		mb.FailedFolder = "Unprocessed"
	}
	if mb.Port == 0 {
		mb.Port = defaultPort(mb.Protocol, mb.TLS)
	}
	return mb
}

func defaultPort(protocol, tlsMode string) int {
	implicit := tlsMode == TLSImplicit
	switch {
	case protocol == ProtocolPOP3 && implicit:
		return 995
	case protocol == ProtocolPOP3:
		return 110
	case implicit:
		return 993
	default:
		return 143
	}
}

// validate reports every problem of a defaulted Mailbox at once.
func (mb Mailbox) validate() error {
	var errs []error
	bad := func(field, msg string) {
		errs = append(errs, fmt.Errorf("%w %q: %s %s", ErrConfig, mb.Name, field, msg))
	}
	if mb.Protocol != ProtocolIMAP && mb.Protocol != ProtocolPOP3 {
		bad("protocol", "must be imap or pop3")
	}
	if mb.Host == "" {
		bad("host", "is required")
	}
	if mb.TLS != TLSImplicit && mb.TLS != TLSStartTLS && mb.TLS != TLSNone {
		bad("tls", "must be implicit, starttls or none")
	}
	if mb.TLS == TLSNone && mb.Host != "" && !netaddr.Loopback(mb.Host) {
		bad("tls", "none sends the password in clear: only for a loopback host, not "+strconv.Quote(mb.Host))
	}
	if mb.After != AfterMove && mb.After != AfterDelete && mb.After != AfterFlag {
		bad("after", "must be move, delete or flag")
	}
	if mb.Auth == AuthXOAUTH2 && mb.TokenFile == "" && mb.TokenCommand == "" {
		bad("auth", "xoauth2 needs a token file or command")
	}
	if mb.Auth != AuthPlain && mb.Auth != AuthLogin && mb.Auth != AuthXOAUTH2 {
		bad("auth", "must be plain, login or xoauth2")
	}
	return errors.Join(errs...)
}

// addr is host:port.
func (mb Mailbox) addr() string { return net.JoinHostPort(mb.Host, strconv.Itoa(mb.Port)) }
