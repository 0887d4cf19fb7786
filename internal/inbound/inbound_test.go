package inbound

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestTransient(t *testing.T) {
	refused := errors.New("value too long for type")
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{refused, false},
		{MarkTransient(refused), true},
		{fmt.Errorf("record: %w", MarkTransient(refused)), true},
		{fmt.Errorf("record: %w", context.DeadlineExceeded), true},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if m := MarkTransient(refused); m.Error() != refused.Error() || !errors.Is(m, refused) {
		t.Errorf("MarkTransient changed the error: %q", m)
	}
	if MarkTransient(nil) != nil {
		t.Error("MarkTransient(nil) != nil")
	}
}
