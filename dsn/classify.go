package dsn

// classify sets r.Reason and r.Class for a record of a report of type t.
// Placeholder owned by the classification work; replaced by the table.
func classify(t Type, r *Recipient) {
	switch {
	case t == TypeAutoreply:
		r.Reason, r.Class = ReasonVacation, ClassIgnore
	case t == TypeARF:
		r.Reason, r.Class = ReasonFeedback, ClassComplaint
	case len(r.Status) > 0 && r.Status[0] == '5':
		r.Reason, r.Class = ReasonUndefined, ClassHard
	default:
		r.Reason, r.Class = ReasonUndefined, ClassSoft
	}
}
