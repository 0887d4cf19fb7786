// Package notify owns what bouncer tells people: the daily failure report
// (figures from the suppression store rendered as plain text and HTML with
// a CSV attachment), the alerts sent when something is wrong, and sending
// both over SMTP.
//
// It reads figures through the Store interface (implemented by
// *suppression.Store), decides nothing about suppression policy, and never
// touches a mailbox. Time always comes from the caller: every function that
// needs "now" takes it, and Scheduler takes a clock.
//
// Exactly once per day: Scheduler sends a day's report under an advisory
// lock and records it in the report_runs table, so replicas sharing one
// Postgres and restarts of one daemon send it once. A run missed while the
// daemon was down is sent when it starts again and says it is late.
package notify
