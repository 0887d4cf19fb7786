package suppression

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// badRequest is a 400 answer whose message is already one sentence for the
// client.
type badRequest string

func (b badRequest) Error() string { return string(b) }

func badRequestf(format string, args ...any) error { return badRequest(fmt.Sprintf(format, args...)) }

// inputError is an error about the caller's input whose message is in the
// caller's terms, whatever wraps it; errors.Is matches its sentinel.
type inputError struct {
	msg string
	is  error
}

func (e *inputError) Error() string { return e.msg }

func (e *inputError) Unwrap() error { return e.is }

// inputErrorf returns an inputError matching is.
func inputErrorf(is error, format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...), is: is}
}

// clientMessage returns the one-sentence message an API client sees for
// err, which fail has classified as a client error: ClientMessage, with
// the address or entry of the request's path where the error is about it.
func clientMessage(r *http.Request, err error) string {
	switch {
	case errors.Is(err, ErrNotFound) && r.PathValue("entry") != "":
		return fmt.Sprintf("%s is not on the allowlist", r.PathValue("entry"))
	case errors.Is(err, ErrNotFound) && r.PathValue("email") != "":
		return fmt.Sprintf("%s: not found", r.PathValue("email"))
	case errors.Is(err, ErrAllowlisted) && r.PathValue("email") != "":
		return fmt.Sprintf("%s is allowlisted: take it off the allowlist first", r.PathValue("email"))
	}
	return ClientMessage(err)
}

// ClientMessage returns the message a person or program that sent bad
// input should see for err (an error of this package wrapping one of its
// input sentinels): what is wrong in their terms, without the store's
// wrapping ("suppression: remove …:") and without Go type names.
func ClientMessage(err error) string {
	var br badRequest
	var ie *inputError
	var ae *AddressError
	switch {
	case errors.As(err, &br):
		return string(br)
	case errors.As(err, &ie):
		return ie.msg
	case errors.As(err, &ae):
		return addressMessages(err)
	case errors.Is(err, ErrBadCursor):
		return "cursor is not one this API issued: pass next_cursor from the previous page unchanged"
	case errors.Is(err, ErrBadFilter):
		_, detail, _ := strings.Cut(err.Error(), ErrBadFilter.Error()+": ")
		return detail
	case errors.Is(err, ErrAllowlisted):
		return "the address is allowlisted: take it off the allowlist first"
	}
	return strings.ReplaceAll(err.Error(), "suppression: ", "")
}

// addressMessages lists every invalid address in err, "; "-separated.
func addressMessages(err error) string {
	var msgs []string
	var walk func(error)
	walk = func(e error) {
		switch u := e.(type) {
		case *AddressError:
			msgs = append(msgs, u.Error())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return strings.Join(msgs, "; ")
}

// decodeOptional decodes a JSON body into v (a pointer to a struct); an
// empty body leaves v as is. A field v does not have is refused, naming the
// fields it has (a misspelt key must not be read as an empty request), as is
// anything after the JSON value; a decoding error is told in terms of the
// body (field and expected type), not of Go types.
func decodeOptional(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if f, ok := strings.CutPrefix(fmt.Sprint(err), "json: unknown field "); ok {
		return badRequestf("unknown field %s: the body takes %s", f, jsonFields(v))
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		if _, err = dec.Token(); errors.Is(err, io.EOF) {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return badRequest("body has data after its JSON object: send one object")
	}
	return jsonError(err)
}

// jsonError turns a decoding error into a client message.
func jsonError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &syntax):
		return badRequestf("body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body is not valid JSON: it ends early")
	case errors.As(err, &typ) && typ.Field != "":
		return badRequestf("body field %q must be %s", typ.Field, jsonKind(typ.Type.Kind().String()))
	case errors.As(err, &typ):
		return badRequestf("body must be a JSON object, not %s", typ.Value)
	}
	return badRequest("body is not the expected JSON object")
}

// jsonKind names a Go kind as a JSON type.
func jsonKind(k string) string {
	switch k {
	case "slice", "array":
		return "a list"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// jsonFields lists the JSON names of the fields of the struct v points to,
// for an error message: "emails", or "reason", "note" and "expires_at".
func jsonFields(v any) string {
	t := reflect.TypeOf(v).Elem()
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, strconv.Quote(name))
		}
	}
	switch len(names) {
	case 0:
		return "no fields"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
