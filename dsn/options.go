package dsn

// Default limits used when the corresponding Options field is zero.
const (
	DefaultMaxSize        = 10 << 20 // bytes of input read
	DefaultMaxDepth       = 16       // nesting of MIME parts and message/rfc822
	DefaultMaxParts       = 128      // MIME parts visited in one message
	DefaultMaxHeaderBytes = 1 << 20  // bytes of one header block
	DefaultMaxRecipients  = 100      // recipient records of one report
	// maxTextBytes is how much of a text part is read when looking for a
	// bounce written in prose; bounce texts are short, originals are not.
	maxTextBytes = 32 << 10
	// maxReportBytes is how much of a delivery-status or feedback-report
	// part is read.
	maxReportBytes = 1 << 20
)

// Options tune Parse. A nil *Options and the zero value are both valid and
// mean the defaults.
type Options struct {
	// MaxSize caps the bytes read from the input (default 10 MiB). A longer
	// input is parsed from its first MaxSize bytes and reported with
	// ErrTooLarge.
	MaxSize int64
	// MaxDepth caps the nesting of MIME parts (default 16); deeper parts are
	// skipped and noted in Report.Problems.
	MaxDepth int
	// MaxParts caps the number of MIME parts visited (default 128).
	MaxParts int
	// MaxHeaderBytes caps the size of one header block (default 1 MiB).
	MaxHeaderBytes int64
	// MaxRecipients caps the recipient records of one report (default
	// 100: one forged message must not suppress thousands of addresses;
	// RFC 5321 servers need accept only 100 recipients per transaction).
	// The records past it are dropped and counted in Report.Problems.
	MaxRecipients int
	// OwnAddresses names addresses that are never a failed recipient: the
	// bounce mailbox and the senders whose mail comes back to it. A
	// record naming one is dropped and noted in Report.Problems. Nil
	// means none.
	OwnAddresses []string
	// KeepNameless keeps a failure record that names no address (an empty
	// or "<>" Final-Recipient) instead of dropping it, for a caller that can
	// name the recipient another way: the poller with signed return paths
	// configured, whose verified token names the address the notice leaves
	// out. The record's FinalRecipient stays empty; nothing is invented.
	KeepNameless bool
	// Headers names extra headers of the returned original message to copy
	// into Original.Headers (for example "X-Campaign-Id").
	Headers []string
}

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.MaxSize <= 0 {
		out.MaxSize = DefaultMaxSize
	}
	if out.MaxDepth <= 0 {
		out.MaxDepth = DefaultMaxDepth
	}
	if out.MaxParts <= 0 {
		out.MaxParts = DefaultMaxParts
	}
	if out.MaxRecipients <= 0 {
		out.MaxRecipients = DefaultMaxRecipients
	}
	if out.MaxHeaderBytes <= 0 {
		out.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return out
}
