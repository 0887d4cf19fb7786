package dsn

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestFeedbackCorpus checks the ARF fields of the arf-mail-auth corpus
// against its expectations (stalwartlabs/mail-auth).
func TestFeedbackCorpus(t *testing.T) {
	f, err := os.Open("testdata/corpus/arf-mail-auth/expected.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var want struct {
			File             string   `json:"file"`
			FeedbackType     string   `json:"feedbacktype"`
			Recipient        string   `json:"recipient"`
			OriginalMailFrom string   `json:"original_mail_from"`
			SourceIP         *string  `json:"source_ip"`
			ReportedDomain   []string `json:"reported_domain"`
			AuthFailure      string   `json:"auth_failure"`
			UserAgent        string   `json:"user_agent"`
		}
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile("testdata/corpus/arf-mail-auth/" + want.File)
		if err != nil {
			t.Fatal(err)
		}
		rep := mustParse(t, data)
		if rep.Type != TypeARF || rep.Feedback == nil || len(rep.Recipients) != 1 {
			t.Fatalf("%s: type %q, %d records, want one arf record", want.File, rep.Type, len(rep.Recipients))
		}
		fb := rep.Feedback
		ip := ""
		if want.SourceIP != nil {
			ip = *want.SourceIP
		}
		auth := strings.ToLower(want.AuthFailure)
		if auth == "unspecified" {
			auth = ""
		}
		checks := []struct{ name, got, want string }{
			{"feedback type", fb.Type, want.FeedbackType},
			{"record feedback type", rep.Recipients[0].FeedbackType, want.FeedbackType},
			{"recipient", rep.Recipients[0].FinalRecipient, want.Recipient},
			{"original mail from", fb.OriginalMailFrom, want.OriginalMailFrom},
			{"source ip", fb.SourceIP, ip},
			{"reported domains", strings.Join(fb.ReportedDomains, ","), strings.Join(want.ReportedDomain, ",")},
			{"auth failure", fb.AuthFailure, auth},
			{"user agent", fb.UserAgent, want.UserAgent},
		}
		for _, c := range checks {
			if c.got != c.want && !(c.name == "recipient" && want.Recipient == "" && c.got != "") {
				t.Errorf("%s: %s = %q, want %q", want.File, c.name, c.got, c.want)
			}
		}
	}
}
