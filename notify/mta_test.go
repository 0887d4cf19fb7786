package notify

import (
	"fmt"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

func TestMergeMTAsShowsOneFormPerServer(t *testing.T) {
	rows := []suppression.Count{
		{Key: "[192.0.2.1]", N: 5},
		{Key: "mx.example.com", N: 4},
		{Key: "MX.example.com. [192.0.2.1]", N: 3},
		{Key: "[IPv6:2001:db8::1]", N: 2},
		{Key: "203.0.113.9", N: 2},
		{Key: "other.example [203.0.113.7]", N: 1},
	}
	got := fmt.Sprint(mergeMTAs(rows, 0))
	want := "[{mx.example.com 12} {2001:db8::1 2} {203.0.113.9 2} {other.example 1}]"
	if got != want {
		t.Errorf("mergeMTAs = %s\nwant %s", got, want)
	}
	if got := fmt.Sprint(mergeMTAs(rows, 2)); got != "[{mx.example.com 12} {2001:db8::1 2}]" {
		t.Errorf("mergeMTAs limit 2 = %s", got)
	}
}
