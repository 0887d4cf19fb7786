package dsn

// challengePhrases are the words by which a challenge/response system
// (Boxbe, Spam Arrest, Mailblocks, "please verify you are human") holds a
// message until its sender proves to be a person (lower case). Such a
// message is an auto-reply: the mailbox exists and answered.
var challengePhrases = []string{
	"guest list", "has been waitlisted", "not pre-approved", "verify you are human", "verify that you are human",
	"verify that you are a human", "prove you are human", "prove that you are human", "confirm you are human",
	"confirm that you are human", "confirm that you are a real person", "verify you are a real person",
	"not a robot", "approved senders list", "add yourself to my", "spam arrest", "challenge/response",
	"challenge-response",
}

// challengeResponse reports whether the message is a challenge/response
// system's hold notice rather than a failure: it does not come from a mail
// system, and its first text part asks the sender to prove itself. QUIRK:
// Boxbe writes its challenge as a multipart/report with a delivery-status
// part ("X-Boxbe-Notice; Sender not pre-approved", Status 4.7.0).
func (p *parser) challengeResponse() bool {
	if fromMailSystem(p.outer) || len(p.texts) == 0 {
		return false
	}
	notice, _ := splitOriginal(p.texts[0])
	return hasAnyLower(notice, challengePhrases)
}

// challengeRecords makes the records of a challenge/response notice
// auto-reply records: those of its delivery-status part, else one for the
// returned original's recipient, else for the notice's sender.
func (p *parser) challengeRecords() {
	if len(p.rep.Recipients) == 0 {
		a := ""
		if p.original != nil {
			a = findAddr(p.original.get("To"))
		}
		if a == "" {
			a = p.rep.Message.From
		}
		p.rep.Recipients = append(p.rep.Recipients, Recipient{FinalRecipient: a})
	}
	for i := range p.rep.Recipients {
		p.rep.Recipients[i].Action = "autoreply"
	}
}
