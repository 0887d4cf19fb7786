package dsn

import (
	"testing"
)

func TestRecipientLine(t *testing.T) {
	tests := []struct{ in, addr, rest string }{
		{"<user@example.jp>: host mx said: 550 unknown", "user@example.jp", "host mx said: 550 unknown"},
		{"<user@example.jp>:", "user@example.jp", ""},
		{"user@example.jp", "user@example.jp", ""},
		{"user@example.jp<mailto:user@example.jp>", "user@example.jp", ""},
		{"user@example.jp on Thu, 29 Apr 2010", "user@example.jp", "on Thu, 29 Apr 2010"},
		{"550 5.1.1 user@example.jp... User unknown", "user@example.jp", "550 5.1.1 user@example.jp... User unknown"},
		{"user@example.jp Invalid Address, ERROR_CODE :550", "user@example.jp", "Invalid Address, ERROR_CODE :550"},
		{"Recipient address: user@example.jp", "user@example.jp", ""},
		{"* user@example.jp", "user@example.jp", ""},
		{`"user@example.jp":`, "user@example.jp", ""},
		{"To: sender@example.com", "", ""},
		{"Could not be delivered to: <user@example.jp>", "user@example.jp", ""},
		{"Delivered-To: user@example.jp", "", ""},
		{"Please contact user@example.jp for help", "", ""},
		{"<<< 550 5.1.1 <user@example.jp>... User unknown", "", ""},
		{"Russ Winter (russ@example.net)", "russ@example.net", ""},
		{"山田 太郎 (taro@example.jp)", "taro@example.jp", ""},
		{"Jiri Pirko <jiri@example.us>", "", ""},                             // a To/Cc line of a forwarded original
		{"For further assistance, please contact (help@example.jp)", "", ""}, // a sentence
		{"上記のサイトでも解決できない場合は、(support@example.jp)", "", ""},                   // a sentence
		{"Delivery failed for this recipient (user@example.jp)", "", ""},     // failure words: a sentence
	}
	for _, tt := range tests {
		addr, rest, ok := recipientLine(tt.in)
		if addr != tt.addr || rest != tt.rest || ok != (tt.addr != "") {
			t.Errorf("recipientLine(%q) = %q, %q, %v, want %q, %q", tt.in, addr, rest, ok, tt.addr, tt.rest)
		}
	}
}

func TestScanNotice(t *testing.T) {
	tests := []struct {
		name, notice string
		want         map[string]string // address -> diagnostic
	}{
		{
			name: "postfix",
			notice: "This is the mail system at host mx.example.com.\n\n                   The mail system\n\n" +
				"<a@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1\n    <a@example.jp>... User Unknown (in reply to RCPT TO\n    command)\n\n" +
				"<b@example.jp>: mailbox full\n",
			want: map[string]string{
				"a@example.jp": "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <a@example.jp>... User Unknown (in reply to RCPT TO command)",
				"b@example.jp": "mailbox full",
			},
		},
		{
			name: "exim",
			notice: "A message that you sent could not be delivered to one or more of its\nrecipients. The following address(es) failed:\n\n" +
				"  a@example.jp\n    SMTP error from remote mail server after RCPT TO:<a@example.jp>:\n    host mx.example.jp [192.0.2.2]: 550 5.1.1 unknown\n",
			want: map[string]string{"a@example.jp": "SMTP error from remote mail server after RCPT TO:<a@example.jp>: host mx.example.jp [192.0.2.2]: 550 5.1.1 unknown"},
		},
		{
			name: "sendmail with a reason section",
			notice: "   ----- The following addresses had permanent fatal errors -----\n<a@example.jp>\n    (reason: 550 5.1.1 User Unknown)\n\n" +
				"   ----- Transcript of session follows -----\n... while talking to mx.example.jp.:\n>>> RCPT To:<a@example.jp>\n<<< 550 5.1.1 <a@example.jp>... User Unknown\n",
			want: map[string]string{"a@example.jp": "(reason: 550 5.1.1 User Unknown)"},
		},
		{
			name: "sentence and a multi-line reply",
			notice: "There was an error delivering your mail to <a@example.org>.\n\nmx [192.0.2.3] did not like our final DATA:\n" +
				"550-5.7.26 Unauthenticated email is not accepted due to\n550 5.7.26 the domain's DMARC policy.\n",
			want: map[string]string{"a@example.org": "There was an error delivering your mail to <a@example.org>. " +
				"mx [192.0.2.3] did not like our final DATA: 550 5.7.26 Unauthenticated email is not accepted due to the domain's DMARC policy."},
		},
		{
			name:   "reason in its own section",
			notice: "   ----- The following addresses had delivery problems -----\npostmaster@example.jp\n\n   ----- Non-delivered information -----\nThe mailbox is full.\n",
			want:   map[string]string{"postmaster@example.jp": "The mailbox is full."},
		},
		{
			name:   "prose only",
			notice: "Hello,\nplease send mail to help@example.com if you have questions.\n",
			want:   map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanNotice(tt.notice, addrSet{}, true)
			if len(got) != len(tt.want) {
				t.Fatalf("scanNotice found %d records %+v, want %d", len(got), got, len(tt.want))
			}
			for _, r := range got {
				if d := joinReply(r.diag); d != tt.want[r.addr] {
					t.Errorf("diagnostic of %q = %q, want %q", r.addr, d, tt.want[r.addr])
				}
			}
		})
	}
}

func TestSplitOriginal(t *testing.T) {
	tests := []struct{ in, notice string }{
		{"notice\n------ This is a copy of the message, including all the headers. ------\nReceived: x\n", "notice\n"},
		{"notice\n--- Below this line is a copy of the message.\n\nReturn-Path: <a@b>\n", "notice\n"},
		{"notice\nReceived: from x\nSubject: y\n", "notice\n"},
		{"I will send the original message to you tomorrow, if that suits you\n", "I will send the original message to you tomorrow, if that suits you\n"},
		// Postfix's notice ends a sentence on a line of its own: not a separator.
		{"If you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n   The mail system\n\n<a@example.org>: host mx said: 550 5.1.1 unknown (in reply to RCPT TO command)\n",
			"If you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n   The mail system\n\n<a@example.org>: host mx said: 550 5.1.1 unknown (in reply to RCPT TO command)\n"},
		{"notice\nThe original message.\nReceived: x\n", "notice\n"},
		// PowerMTA wraps a sentence so that a line opens with "(": not a separator.
		{"attached is a Delivery Status Notification\n(DSN) report in standard format, as well as the headers of the original\nmessage.\n\n  <a@example.jp>  delivery failed; will not continue trying\n",
			"attached is a Delivery Status Notification\n(DSN) report in standard format, as well as the headers of the original\nmessage.\n\n  <a@example.jp>  delivery failed; will not continue trying\n"},
		{"notice\n(original message follows)\nReceived: x\n", "notice\n"},
	}
	for _, tt := range tests {
		if notice, _ := splitOriginal(tt.in); notice != tt.notice {
			t.Errorf("splitOriginal(%q) notice = %q, want %q", tt.in, notice, tt.notice)
		}
	}
}

func TestJoinReply(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"550-5.7.1 first", "550-5.7.1 second", "550 5.7.1 third"}, "550 5.7.1 first second third"},
		{[]string{"host said:", "550 5.1.1 unknown"}, "host said: 550 5.1.1 unknown"},
		{[]string{"550"}, "550"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := joinReply(tt.in); got != tt.want {
			t.Errorf("joinReply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	in := "> line one\n> line two\n>>>> DATA\n> line four\n"
	want := "line one\nline two\n>>> DATA\nline four\n"
	if got := unquote(in); got != want {
		t.Errorf("unquote(%q) = %q, want %q", in, got, want)
	}
	if got := unquote("plain\ntext\n"); got != "plain\ntext\n" {
		t.Errorf("unquote left %q", got)
	}
}

func TestGeneralDiagnostic(t *testing.T) {
	tests := []struct{ name, notice, want string }{
		{"reply lines", "Delivery failed.\n\nRemote host said:\n550 5.1.1 unknown\n", "Remote host said: 550 5.1.1 unknown"},
		{"introduced reply", "** Message not delivered **\n\nThe response was:\n\nUnspecified Error: no AUTH\n", "The response was: Unspecified Error: no AUTH"},
		{"indented block", "The following address(es) failed:\n\n  save to /var/mail/x\n    mailbox is full\n", "save to /var/mail/x mailbox is full"},
		{"summary", "Message could not be delivered.\nError: No valid recipients\n\nThanks\n\nMore\n", "Message could not be delivered. Error: No valid recipients Thanks"},
	}
	for _, tt := range tests {
		if got := generalDiagnostic(tt.notice); got != tt.want {
			t.Errorf("%s: generalDiagnostic(%q) = %q, want %q", tt.name, tt.notice, got, tt.want)
		}
	}
}
