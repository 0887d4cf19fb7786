package suppression

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// The bodies of the events Record announces are written by hand: through
// encoding/json's reflection they cost about as much CPU as the rest of
// the announcement. TestWebhookJSONMatchesEncodingJSON holds each one
// equal to marshalJSON of its type, whose tags document the format.
// Bodies go to programs, never into HTML: <, > and & are written as
// themselves (a Message-ID reads "<id@host>", not "\u003cid@host\u003e").

// jsonAppender is event data that writes itself as JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// appendBody appends the body {"type", "timestamp", "data"} of an event.
func appendBody(b []byte, typ string, now time.Time, data any) ([]byte, error) {
	b, err := appendData(appendHead(b, typ, now), data)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendHead appends a body up to its data: {"type":…,"timestamp":…,"data":
func appendHead(b []byte, typ string, now time.Time) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, typ)
	b = append(b, `,"timestamp":"`...)
	b = now.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, `","data":`...)
}

// appendData appends an event's data as JSON.
func appendData(b []byte, data any) ([]byte, error) {
	if a, ok := data.(jsonAppender); ok {
		return a.appendJSON(b), nil
	}
	d, err := marshalJSON(data)
	if err != nil {
		return nil, err
	}
	return append(b, d...), nil
}

// marshalJSON is json.Marshal without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// jsonObject appends the members of one object.
type jsonObject struct {
	b []byte
	n int
}

func openObject(b []byte) *jsonObject { return &jsonObject{b: append(b, '{')} }

func (o *jsonObject) close() []byte { return append(o.b, '}') }

func (o *jsonObject) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(append(append(o.b, '"'), k...), `":`...)
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

// strOmit is str, leaving the member out when v is empty (omitempty).
func (o *jsonObject) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObject) integer(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObject) boolean(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *jsonObject) time(k string, t time.Time) {
	o.key(k)
	o.b = append(t.AppendFormat(append(o.b, '"'), time.RFC3339Nano), '"')
}

func (o *jsonObject) nullTime(k string, t *time.Time) {
	if t == nil {
		o.key(k)
		o.b = append(o.b, "null"...)
		return
	}
	o.time(k, *t)
}

func (o *jsonObject) ints(k string, v []int64) {
	array(o, k, v, func(b []byte, x int64) []byte { return strconv.AppendInt(b, x, 10) })
}

// strs writes a member whose value is an array of strings.
func (o *jsonObject) strs(k string, v []string) { array(o, k, v, appendJSONString) }

// offsets writes a member whose value is an array of small integers.
func (o *jsonObject) offsets(k string, v []int) {
	array(o, k, v, func(b []byte, x int) []byte { return strconv.AppendInt(b, int64(x), 10) })
}

// array writes the member k of o, an array of v's values, each written by
// value.
func array[T any](o *jsonObject, k string, v []T, value func([]byte, T) []byte) {
	o.key(k)
	o.b = append(o.b, '[')
	for i, x := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = value(o.b, x)
	}
	o.b = append(o.b, ']')
}

// appendJSONString appends s as a JSON string the way marshalJSON does:
// ASCII escaped here, a string with any other byte through marshalJSON.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			q, _ := marshalJSON(s) // a string: cannot fail
			return append(b, q...)
		}
	}
	b = append(b, '"')
	from := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[from:i]...)
		from = i + 1
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default: // other control characters
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return append(append(b, s[from:]...), '"')
}

const hexDigits = "0123456789abcdef"

func (d SuppressionAdded) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("email", d.Email)
	o.str("domain", d.Domain)
	o.str("source", d.Source)
	o.strOmit("class", d.Class)
	o.str("reason", d.Reason)
	o.strOmit("status", d.Status)
	o.strOmit("diagnostic", d.Diagnostic)
	o.strOmit("stream", d.Stream)
	o.nullTime("suppressed_at", d.SuppressedAt)
	o.nullTime("expires_at", d.ExpiresAt)
	if len(d.Evidence) > 0 {
		o.ints("evidence", d.Evidence)
	}
	if d.Actor != nil {
		o.key("actor")
		a := openObject(o.b)
		a.str("who", d.Actor.Who)
		a.str("via", d.Actor.Via)
		a.strOmit("note", d.Actor.Note)
		o.b = a.close()
	}
	o.strOmit("note", d.Note)
	return o.close()
}

func (d EventData) appendJSON(b []byte) []byte {
	e := d.Event
	o := openObject(b)
	o.integer("id", e.ID)
	o.time("received_at", e.ReceivedAt)
	o.str("mailbox", e.Mailbox)
	o.str("message_key", e.MessageKey)
	o.str("message_id", e.MessageID)
	o.str("recipient", e.Recipient)
	o.str("domain", e.Domain)
	o.str("class", string(e.Class))
	o.str("reason", string(e.Reason))
	o.str("status", e.Status)
	o.str("reply_code", e.ReplyCode)
	o.str("diagnostic", e.Diagnostic)
	o.str("remote_mta", e.RemoteMTA)
	o.str("reporting_mta", e.ReportingMTA)
	o.str("feedback_type", e.FeedbackType)
	o.boolean("verified", e.Verified)
	o.str("original_message_id", e.OriginalMessageID)
	o.str("stream", e.Stream)
	o.str("action", e.Action)
	o.str("email", d.Email)
	return o.close()
}
