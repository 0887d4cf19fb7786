package dsn

import (
	"errors"
	"fmt"
)

// ErrTooLarge is returned (wrapped) when the input is longer than
// Options.MaxSize. The Report decoded from the first MaxSize bytes is
// returned with it.
var ErrTooLarge = errors.New("dsn: message exceeds the size limit")

// ErrHeaderTooLong is matched (errors.Is) by a HeaderTooLongError.
var ErrHeaderTooLong = errors.New("dsn: header block exceeds the size limit")

// HeaderTooLongError reports that the message's top-level header block is
// longer than Options.MaxHeaderBytes.
type HeaderTooLongError struct {
	Limit int64 // the limit in bytes
}

func (e *HeaderTooLongError) Error() string {
	return fmt.Sprintf("dsn: header block longer than %d bytes", e.Limit)
}

// Is makes errors.Is(err, ErrHeaderTooLong) true.
func (e *HeaderTooLongError) Is(target error) bool { return target == ErrHeaderTooLong }
