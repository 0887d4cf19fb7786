package suppression

import "strings"

// csvTriggers are the first characters that make a spreadsheet evaluate a
// cell as a formula (OWASP's list for CSV injection).
const csvTriggers = "=+-@\t\r"

// DefuseCSV returns v safe to write as a CSV cell: a value a spreadsheet
// would run as a formula (=HYPERLINK(…), =cmd|'/C calc'!A0, +, -, @, a tab
// or carriage return first) gets a single quote in front. Diagnostics,
// notes and even addresses (=1+2@example.com) are written by strangers.
// Every CSV bouncer writes passes its cells through here; import undoes it
// (undefuseCSV), so an export imports back unchanged.
func DefuseCSV(v string) string {
	if v != "" && strings.ContainsRune(csvTriggers, rune(v[0])) {
		return "'" + v
	}
	return v
}

// undefuseCSV removes the quote DefuseCSV adds, and nothing else: a cell
// that starts with a quote not followed by a trigger is left as it is.
func undefuseCSV(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune(csvTriggers, rune(v[1])) {
		return v[1:]
	}
	return v
}
