package notify

import (
	"bytes"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

func TestNum(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45000, "-45,000"}} {
		if got := num(tt.n); got != tt.want {
			t.Errorf("num(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestDelta(t *testing.T) {
	for _, tt := range []struct {
		day, prev int
		want      string
	}{{5, 3, "+2"}, {3, 5, "-2"}, {4, 4, "0"}, {2000, 0, "+2,000"}} {
		if got := delta(tt.day, tt.prev); got != tt.want {
			t.Errorf("delta(%d, %d) = %q, want %q", tt.day, tt.prev, got, tt.want)
		}
	}
}

func TestCleanAndTrunc(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a\r\nb", "a b"},
		{"\x1b[31mred\x1b[0m", "[31mred [0m"},
		{"  spaced\tout  ", "spaced out"},
		{"bad \xff byte", "bad \uFFFD byte"},
	} {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		n       int
		in, out string
	}{{5, "hello", "hello"}, {4, "hello", "hel…"}, {3, "일일보고서", "일일…"}} {
		if got := trunc(tt.n, tt.in); got != tt.out {
			t.Errorf("trunc(%d, %q) = %q, want %q", tt.n, tt.in, got, tt.out)
		}
	}
}

func TestPercentOf(t *testing.T) {
	for _, tt := range []struct{ n, total, want int }{{0, 10, 0}, {1, 1000, 1}, {5, 10, 50}, {10, 10, 100}, {3, 0, 0}} {
		if got := percentOf(tt.n, tt.total); got != tt.want {
			t.Errorf("percentOf(%d, %d) = %d, want %d", tt.n, tt.total, got, tt.want)
		}
	}
}

func TestWriteCSVDefusesFormulas(t *testing.T) {
	rows := []suppression.NewSuppression{{
		Email: "a@example.com", Domain: "example.com", SuppressedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		Reason: "userunknown", Class: "hard", Status: "5.1.1", Diagnostic: `=HYPERLINK("http://evil","x"), "quoted"`, Source: "bounce",
	}}
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := "email,domain,suppressed_at,suppressed_reason,last_class,last_status,last_diagnostic,source\r\n" +
		`a@example.com,example.com,2026-11-24T09:00:00Z,userunknown,hard,5.1.1,"'=HYPERLINK(""http://evil"",""x""), ""quoted""",bounce` + "\r\n"
	if b.String() != want {
		t.Errorf("WriteCSV = %q, want %q", b.String(), want)
	}
}
