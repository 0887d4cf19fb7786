package suppression

import (
	"context"
	"math/rand"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/lib/pq"
)

// TestSQLNormalizeMatchesGo checks Postgres's bouncer_normalize (migration
// 00045), the look-up form for applications that query the table in SQL,
// against Normalize: on the addresses such applications meet it must give
// exactly Normalize's answer, and on any input it may decline (NULL: "ask
// the API") but never answer a different form, which would miss a
// suppressed address. The code point sweep covers Latin, Greek, Cyrillic
// and every 7th other code point; BOUNCER_NORMALIZE_SWEEP=all sweeps all
// of them (about 90 s).
func TestSQLNormalizeMatchesGo(t *testing.T) {
	s := openTest(t, "postgres", Options{})
	ctx := context.Background()
	sqlNormalize := func(t *testing.T, inputs []string, caseSensitive bool) []*string {
		t.Helper()
		rows, err := s.db.QueryContext(ctx, `SELECT bouncer_normalize(x, $2) FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i`,
			pq.Array(inputs), caseSensitive)
		if err != nil {
			t.Fatalf("bouncer_normalize: %v", err)
		}
		defer rows.Close()
		var out []*string
		for rows.Next() {
			var v *string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil || len(out) != len(inputs) {
			t.Fatalf("bouncer_normalize gave %d rows for %d inputs: %v", len(out), len(inputs), err)
		}
		return out
	}

	t.Run("addresses", func(t *testing.T) {
		inputs := []string{"Alice@Example.COM", " <Bob@Bücher.example> ", "Jörg@München.DE.", "x@XN--BCHER-KVA.example",
			"user@straße.de", "u@ＥＸＡＭＰＬＥ.com", "a+tag@sub.例え.jp", "ops@[192.0.2.1]", "ops@[IPv6:2001:DB8::1]",
			"Иван@Пример.РФ", "info@παράδειγμα.ελ", "contact@exemple.français", "ventas@españa.es", "user@例子。中国",
			"admin@실례.테스트", "m@مثال.إختبار", "q@ทดสอบ.ไทย", "\u00a0zoë@Ünïcödé.example\u3000", `"John Doe"@Example.org`,
			"user@ｆｕｌｌ．ｗｉｄｔｈ．jp", "Σίσυφος@example.gr", "user@xn--bcher-kva.例え.jp"}
		for _, cs := range []bool{false, true} {
			got := sqlNormalize(t, inputs, cs)
			for i, in := range inputs {
				want, err := Normalize(in, cs)
				if err != nil {
					t.Fatalf("Normalize(%q, %v): %v", in, cs, err)
				}
				if got[i] == nil || *got[i] != want {
					t.Errorf("bouncer_normalize(%q, %v) = %v, Normalize = %q", in, cs, deref(got[i]), want)
				}
			}
		}
	})

	t.Run("code points", func(t *testing.T) {
		var inputs []string
		for r := rune(0x80); r <= 0x2FFFF; r++ {
			if !utf8.ValidRune(r) || r > 0x52F && r%7 != 0 && os.Getenv("BOUNCER_NORMALIZE_SWEEP") != "all" {
				continue
			}
			c := string(r)
			inputs = append(inputs, "a@x"+c+"y.example", "a@example.x"+c, "x"+c+"y@example.org", "x"+c+"@example.org")
		}
		agree(t, inputs, sqlNormalize(t, inputs, false), 1)
	})

	// Sequences: combining marks, Hangul jamo and final sigmas compose or
	// change with their neighbours, which single code points do not show.
	// The pool holds code points the function declines on purpose, so only
	// wrong answers count here.
	t.Run("sequences", func(t *testing.T) {
		pool := []rune("aAzZ.-ÄäÖößẞΣσςΑάΐΰİıIJĳǅǄﬁﬀ①Ⅻ㎏ＡＺａ。．각한가각\u0300\u0301\u0308\u0327\u0345\u034f\u200c\u200dé\u00ad")
		rng := rand.New(rand.NewSource(1))
		var inputs []string
		for i := 0; i < 3000; i++ {
			b := make([]rune, 1+rng.Intn(5))
			for j := range b {
				b[j] = pool[rng.Intn(len(pool))]
			}
			inputs = append(inputs, "u@"+string(b)+".example", string(b)+"@example.org", "u@ex."+string(b))
		}
		agree(t, inputs, sqlNormalize(t, inputs, false), 100)
	})
}

// agree fails for every input Normalize accepts on which bouncer_normalize
// gave another answer, and when it declined more than maxDeclined percent
// of them.
func agree(t *testing.T, inputs []string, got []*string, maxDeclined int) {
	t.Helper()
	var ok, declined int
	for i, in := range inputs {
		want, err := Normalize(in, false)
		if err != nil {
			continue // bouncer never stores it: no answer can match a row
		}
		ok++
		switch {
		case got[i] == nil:
			declined++
		case *got[i] != want:
			t.Errorf("bouncer_normalize(%+q) = %+q, Normalize = %+q", in, *got[i], want)
		}
	}
	t.Logf("%d inputs, %d valid, %d declined (NULL)", len(inputs), ok, declined)
	if declined*100 > ok*maxDeclined {
		t.Errorf("bouncer_normalize declined %d of %d valid inputs (more than %d%%)", declined, ok, maxDeclined)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
