package dsn

import (
	"strconv"
	"strings"
)

// arfRecords fills Report.Feedback from the feedback-report fields and
// makes one record per complaining recipient: each Original-Rcpt-To (and
// Removal-Recipient), else the To of the returned original.
func (p *parser) arfRecords() {
	fb := &Feedback{}
	var rcpts []string
	for _, f := range p.feedback {
		name, v := strings.ToLower(f.name), strings.TrimSpace(f.value)
		switch name {
		case "original-rcpt-to":
			if a := cleanAddr(v); a != "" {
				fb.OriginalRcptTo = append(fb.OriginalRcptTo, a)
				rcpts = appendNew(rcpts, a)
			}
		case "removal-recipient":
			// QUIRK: some providers name the complainant in
			// Removal-Recipient (opt-out reports) instead of, or as well
			// as, Original-Rcpt-To.
			if a := cleanAddr(v); a != "" {
				rcpts = appendNew(rcpts, a)
			}
		default:
			p.feedbackField(fb, name, v)
		}
	}
	if fb.Type == "" {
		p.problem("feedback-report: no Feedback-Type")
		fb.Type = "other"
	}
	p.rep.Feedback = fb
	p.rep.ArrivalDate = fb.ArrivalDate
	if len(rcpts) == 0 {
		rcpts = []string{p.originalRecipient()}
	}
	for _, a := range rcpts {
		p.addRecord(Recipient{FinalRecipient: a, FeedbackType: fb.Type})
	}
}

// feedbackField sets one RFC 5965 field other than the recipients.
func (p *parser) feedbackField(fb *Feedback, name, v string) {
	switch name {
	case "feedback-type":
		fb.Type = strings.ToLower(v)
	case "user-agent":
		fb.UserAgent = v
	case "version":
		fb.Version = v
	case "source-ip":
		// The address may be followed by a comment with the host name.
		fb.SourceIP = strings.Trim(strings.SplitN(v, " ", 2)[0], "[]")
	case "original-mail-from":
		fb.OriginalMailFrom = cleanAddr(v)
	case "reported-domain":
		fb.ReportedDomains = append(fb.ReportedDomains, v)
	case "reported-uri":
		fb.ReportedURIs = append(fb.ReportedURIs, v)
	case "arrival-date", "received-date":
		if t, ok := p.date(name, v); ok && fb.ArrivalDate.IsZero() {
			fb.ArrivalDate = t
		}
	case "incidents":
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			fb.Incidents = n
		} else {
			p.problem("incidents: cannot read %q", v)
		}
	case "reporting-mta":
		p.rep.ReportingMTA = stripType(v)
	default:
		authField(fb, name, v)
	}
}

// originalRecipient returns the first address in the To of the returned
// original, or "".
func (p *parser) originalRecipient() string {
	if p.original == nil {
		return ""
	}
	return findAddr(p.original.get("To"))
}

// jmrpRecords makes the single record of a Microsoft JMRP complaint.
func (p *parser) jmrpRecords() {
	rcpt := p.jmrpRcpt
	if rcpt == "" {
		rcpt = p.originalRecipient()
	}
	p.rep.Feedback = &Feedback{Type: "abuse", OriginalRcptTo: []string{rcpt}}
	if p.original != nil {
		p.rep.Feedback.OriginalMailFrom = firstAddr(p.original.get("From"))
	}
	p.rep.Recipients = append(p.rep.Recipients, Recipient{FinalRecipient: rcpt, FeedbackType: "abuse"})
}

// appleUnsubscribe recognises the unsubscribe request Apple Mail sends on
// the user's behalf and reports it as an opt-out complaint.
func (p *parser) appleUnsubscribe() bool {
	// QUIRK: Apple Mail (iCloud) sends "X-Apple-Unsubscribe: true" mail to
	// the List-Unsubscribe mailto address; the sender is the recipient
	// opting out.
	if !strings.EqualFold(strings.TrimSpace(p.outer.get("X-Apple-Unsubscribe")), "true") {
		return false
	}
	from := p.rep.Message.From
	p.rep.Type = TypeARF
	p.rep.Feedback = &Feedback{Type: "opt-out", OriginalRcptTo: []string{from}}
	p.rep.Recipients = append(p.rep.Recipients, Recipient{FinalRecipient: from, FeedbackType: "opt-out"})
	return true
}

// appendNew appends a to list unless it is there already (ignoring case).
func appendNew(list []string, a string) []string {
	for _, x := range list {
		if strings.EqualFold(x, a) {
			return list
		}
	}
	return append(list, a)
}

// authField sets the RFC 5965/6591 authentication-failure fields.
func authField(fb *Feedback, name, v string) {
	switch name {
	case "original-envelope-id":
		fb.OriginalEnvelopeID = v
	case "source-port":
		fb.SourcePort = v
	case "authentication-results":
		fb.AuthenticationResults = append(fb.AuthenticationResults, v)
	case "auth-failure":
		fb.AuthFailure = strings.ToLower(v)
	case "delivery-result":
		fb.DeliveryResult = strings.ToLower(v)
	case "dkim-domain":
		fb.DKIMDomain = v
	case "dkim-identity":
		fb.DKIMIdentity = v
	case "dkim-selector":
		fb.DKIMSelector = v
	case "spf-dns":
		fb.SPFDNS = v
	case "identity-alignment":
		fb.IdentityAlignment = strings.ToLower(v)
	}
}
