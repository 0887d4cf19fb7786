package main

import "github.com/bouncer-mail/bouncer/notify"

// RatesConfig sets when bounce and complaint rates are shown and when they
// raise an alert. Rates are shares (0.02 = 2%).
type RatesConfig struct {
	// MinVolume is the fewest messages sent (in the day or window) before
	// a rate is shown or alarms; below it bouncer says "not enough
	// volume". Default 1000.
	MinVolume int64 `yaml:"min_volume"`
	// BounceWarning and BounceCritical are the trailing hard-bounce rates
	// (hard ÷ sent) of a stream that raise an alert; default 0.02 and 0.05
	// (SES reviews an account at 5%). 0 turns that level off.
	BounceWarning  float64 `yaml:"bounce_warning"`
	BounceCritical float64 `yaml:"bounce_critical"`
	// ComplaintWarning and ComplaintCritical are the same for complaints
	// ÷ sent; default 0.0008 and 0.001 (SES: 0.1%; Gmail: keep under 0.3%).
	ComplaintWarning  float64 `yaml:"complaint_warning"`
	ComplaintCritical float64 `yaml:"complaint_critical"`
	// AlertDays is the trailing window the alerts judge, in days ending
	// now; default 7.
	AlertDays int `yaml:"alert_days"`
}

// rateAlertOptions maps the config onto notify's options ("0 turns a
// level off" onto notify's negative).
func rateAlertOptions(c RatesConfig) notify.RateAlertOptions {
	off := func(v float64) float64 {
		if v == 0 {
			return -1
		}
		return v
	}
	return notify.RateAlertOptions{BounceWarning: off(c.BounceWarning), BounceCritical: off(c.BounceCritical),
		ComplaintWarning: off(c.ComplaintWarning), ComplaintCritical: off(c.ComplaintCritical),
		Days: c.AlertDays, MinVolume: c.MinVolume}
}

// defaultRates are the RatesConfig defaults.
func defaultRates() RatesConfig {
	return RatesConfig{MinVolume: 1000, BounceWarning: 0.02, BounceCritical: 0.05,
		ComplaintWarning: 0.0008, ComplaintCritical: 0.001, AlertDays: 7}
}

func (c *RatesConfig) validate(p *configProblems) {
	if c.MinVolume < 1 {
		p.errorf("rates.min_volume", "must be 1 or more")
	}
	for _, s := range []struct {
		key string
		v   float64
	}{{"bounce_warning", c.BounceWarning}, {"bounce_critical", c.BounceCritical},
		{"complaint_warning", c.ComplaintWarning}, {"complaint_critical", c.ComplaintCritical}} {
		if s.v < 0 || s.v > 1 {
			p.errorf("rates."+s.key, "must be a share between 0 and 1 (0.02 is 2%%), not %g", s.v)
		}
	}
	if c.BounceWarning > 0 && c.BounceCritical > 0 && c.BounceWarning >= c.BounceCritical {
		p.errorf("rates.bounce_warning", "must be below rates.bounce_critical")
	}
	if c.ComplaintWarning > 0 && c.ComplaintCritical > 0 && c.ComplaintWarning >= c.ComplaintCritical {
		p.errorf("rates.complaint_warning", "must be below rates.complaint_critical")
	}
	if c.AlertDays < 1 || c.AlertDays > 30 {
		p.errorf("rates.alert_days", "must be 1 to 30")
	}
}
