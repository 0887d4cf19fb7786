package dsn

import (
	"strings"
	"testing"
)

func TestListRefusal(t *testing.T) {
	tests := []struct {
		name, msg string
		rcpt      string // "" when no record is expected
		reason    Reason
	}{
		{"fml not a member", "From: list-admin@example.org\nTo: a@example.net\nSubject: You a@example.net are not member (list ML)\n\n" +
			"You are not a member of this mailing list <list@example.org>.\n\nIf you know the general guide of this list, ...\n",
			"list@example.org", ReasonRejected},
		{"majordomo owner", "From: owner-staff@example.org\nTo: a@example.net\nSubject: post refused\n\n" +
			"Your post to <staff@example.org> was refused: you are not a member of this list.\n",
			"staff@example.org", ReasonRejected},
		{"fml loop alert", "From: list-admin@example.co.jp\nTo: list-admin@example.co.jp\nSubject: Loop Alert: Duplicated Message-ID (list ML)\n\n" +
			"Duplicated Message-ID in <list@example.co.jp>.\n\n\nOriginal mail as follows:\n\nFrom: a@example.net\n",
			"list@example.co.jp", ReasonSystemError},
		{"a list post quoting the phrase", "From: someone@example.org\nTo: talk@example.org\nList-Id: <talk.example.org>\nSubject: re: members\n\n" +
			"He is not a member of this list <talk@example.org> any more.\n",
			"", ""},
		{"ordinary mail naming the phrase", "From: friend@example.org\nTo: a@example.net\nSubject: hi\n\n" +
			"You are not a member of this mailing list <list@example.org>, join!\n",
			"", ""},
		{"list manager without the phrase", "From: list-request@example.org\nTo: a@example.net\nSubject: Welcome\n\n" +
			"Welcome to <list@example.org>.\n",
			"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Parse(strings.NewReader(tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			if tt.rcpt == "" {
				if len(rep.Recipients) != 0 {
					t.Fatalf("records = %+v, want none", rep.Recipients)
				}
				return
			}
			if len(rep.Recipients) != 1 {
				t.Fatalf("records = %+v, want one for %s", rep.Recipients, tt.rcpt)
			}
			r := rep.Recipients[0]
			if r.FinalRecipient != tt.rcpt || r.Reason != tt.reason || rep.Type != TypeBounce {
				t.Errorf("got %s %q/%q, want bounce %q/%q", rep.Type, r.FinalRecipient, r.Reason, tt.rcpt, tt.reason)
			}
		})
	}
}
