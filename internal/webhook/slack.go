package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
)

// slackBody turns an event's body into a Slack/Mattermost incoming-webhook
// message, {"text": …}: one line saying what happened, with &, < and >
// escaped as Slack asks: a diagnostic comes from whoever sent the bounce,
// and "<!channel>" or "<https://…|sign in>" in it would otherwise notify
// the whole channel or show a link of the sender's.
func slackBody(body []byte) []byte {
	out, _ := json.Marshal(map[string]string{"text": slackEscaper.Replace(SlackText(body))}) // strings: cannot fail
	return out
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// SlackText is the line a chat message shows for an event body.
func SlackText(body []byte) string {
	var ev struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return "bouncer: an event that could not be read"
	}
	str := func(k string) string { s, _ := ev.Data[k].(string); return s }
	switch {
	case ev.Type == "suppression.added":
		why := strings.Trim(strings.Join([]string{str("class"), str("reason")}, " "), " ")
		if d := str("diagnostic"); d != "" {
			why += ": " + d
		}
		return fmt.Sprintf("bouncer: %s suppressed (%s, %s)", str("email"), str("source"), why)
	case ev.Type == "suppression.removed":
		who, _ := ev.Data["actor"].(map[string]any)
		return fmt.Sprintf("bouncer: %s no longer suppressed (removed by %v)", str("email"), who["who"])
	case ev.Type == "suppression.expired":
		return fmt.Sprintf("bouncer: the suppression of %s expired", str("email"))
	case ev.Type == "complaint.received":
		return fmt.Sprintf("bouncer: complaint about mail to %s", str("email"))
	case ev.Type == "bounce.recorded":
		return fmt.Sprintf("bouncer: %s bounce from %s (%s)", str("class"), str("email"), str("reason"))
	case strings.HasPrefix(ev.Type, "alert."):
		if t := str("text"); t != "" {
			return "bouncer alert: " + t
		}
		return fmt.Sprintf("bouncer alert: %s %s", strings.TrimPrefix(ev.Type, "alert."), str("subject"))
	case ev.Type == "webhook.ping":
		return "bouncer: test message (bouncer webhooks test)"
	}
	return "bouncer: " + ev.Type
}
