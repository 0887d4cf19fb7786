package dsn

import (
	"encoding/json"
	"strings"
	"time"
)

// sesNotification is the JSON an Amazon SES notification carries (directly
// or inside an SNS envelope's "Message" string).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Message          string `json:"Message"` // SNS envelope
	Bounce           struct {
		BouncedRecipients []sesRecipient `json:"bouncedRecipients"`
		ReportingMTA      string         `json:"reportingMTA"`
		Timestamp         string         `json:"timestamp"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients  []sesRecipient `json:"complainedRecipients"`
		ComplaintFeedbackType string         `json:"complaintFeedbackType"`
		UserAgent             string         `json:"userAgent"`
		ArrivalDate           string         `json:"arrivalDate"`
	} `json:"complaint"`
	Delivery struct {
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		ReportingMTA string   `json:"reportingMTA"`
		RemoteMtaIP  string   `json:"remoteMtaIp"`
	} `json:"delivery"`
	Mail struct {
		Source        string `json:"source"`
		MessageID     string `json:"messageId"`
		CommonHeaders struct {
			From      []string `json:"from"`
			To        []string `json:"to"`
			Subject   string   `json:"subject"`
			MessageID string   `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
}

type sesRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

// amazonSES reads an Amazon SES bounce, complaint or delivery notification
// sent as JSON by e-mail (QUIRK: Amazon SES through SNS e-mail
// subscriptions has no MIME report at all).
func (p *parser) amazonSES() bool {
	if len(p.texts) == 0 {
		return false
	}
	t := strings.TrimSpace(p.texts[0])
	if !strings.HasPrefix(t, "{") || !strings.Contains(t, "Type") {
		return false
	}
	if end := strings.LastIndexByte(t, '}'); end > 0 {
		t = t[:end+1]
	}
	// QUIRK: the JSON arrives wrapped at 76 columns, inside strings too.
	t = strings.ReplaceAll(t, "\n", "")
	var n sesNotification
	if err := json.Unmarshal([]byte(t), &n); err != nil {
		p.problem("amazon ses: %v", err)
		return false
	}
	if n.Message != "" {
		var inner sesNotification
		if err := json.Unmarshal([]byte(n.Message), &inner); err != nil {
			p.problem("amazon ses: %v", err)
			return false
		}
		n = inner
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	switch kind {
	case "Bounce":
		p.sesBounce(&n)
	case "Complaint":
		p.sesComplaint(&n)
	case "Delivery":
		p.sesDelivery(&n)
	default:
		return false
	}
	p.rep.Original = Original{MessageID: n.Mail.CommonHeaders.MessageID, Subject: n.Mail.CommonHeaders.Subject, ReturnPath: n.Mail.Source}
	if len(n.Mail.CommonHeaders.From) > 0 {
		p.rep.Original.From = firstAddr(n.Mail.CommonHeaders.From[0])
	}
	if len(n.Mail.CommonHeaders.To) > 0 {
		p.rep.Original.To = strings.Join(n.Mail.CommonHeaders.To, ", ")
	}
	return len(p.rep.Recipients) > 0
}

func (p *parser) sesBounce(n *sesNotification) {
	p.rep.Type = TypeDSN
	p.rep.ReportingMTA = stripType(n.Bounce.ReportingMTA)
	for _, r := range n.Bounce.BouncedRecipients {
		rc := Recipient{FinalRecipient: cleanAddr(r.EmailAddress), Action: strings.ToLower(r.Action),
			Status: parseStatus(r.Status), ReportedStatus: r.Status, Diagnostic: stripType(r.DiagnosticCode)}
		if rc.Action == "" {
			rc.Action = "failed"
		}
		completeCodes(&rc)
		p.addRecord(rc)
	}
}

func (p *parser) sesComplaint(n *sesNotification) {
	p.rep.Type = TypeARF
	ft := strings.ToLower(n.Complaint.ComplaintFeedbackType)
	if ft == "" {
		ft = "abuse"
	}
	fb := &Feedback{Type: ft, UserAgent: n.Complaint.UserAgent, OriginalMailFrom: n.Mail.Source}
	if t, err := time.Parse(time.RFC3339, n.Complaint.ArrivalDate); err == nil {
		fb.ArrivalDate = t.UTC()
	}
	for _, r := range n.Complaint.ComplainedRecipients {
		a := cleanAddr(r.EmailAddress)
		fb.OriginalRcptTo = append(fb.OriginalRcptTo, a)
		p.addRecord(Recipient{FinalRecipient: a, FeedbackType: ft})
	}
	p.rep.Feedback = fb
}

func (p *parser) sesDelivery(n *sesNotification) {
	p.rep.Type = TypeDSN
	p.rep.ReportingMTA = n.Delivery.ReportingMTA
	for _, a := range n.Delivery.Recipients {
		rc := Recipient{FinalRecipient: cleanAddr(a), Action: "delivered", Diagnostic: n.Delivery.SMTPResponse, RemoteMTA: n.Delivery.RemoteMtaIP}
		rc.Status = findStatus(rc.Diagnostic)
		completeCodes(&rc)
		p.addRecord(rc)
	}
}
