package suppression

import (
	"errors"

	"github.com/lib/pq"
	"modernc.org/sqlite"

	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// SQLite result codes (the low byte of an extended code) that say the
// database cannot take the transaction now, not that it refused the data.
const (
	sqliteBusy     = 5  // SQLITE_BUSY: another connection holds the lock
	sqliteLocked   = 6  // SQLITE_LOCKED
	sqliteIOErr    = 10 // SQLITE_IOERR
	sqliteFull     = 13 // SQLITE_FULL: the disk is full
	sqliteCantOpen = 14 // SQLITE_CANTOPEN
	sqliteProtocol = 15 // SQLITE_PROTOCOL: a locking race
)

// Transient reports whether err, from Record or any other store call, says
// the database could not be reached or could not take the work now —
// connection lost or refused, server shutting down or out of resources, a
// lock or serialization conflict, a full disk — rather than that it refused
// the data itself. The same call may succeed later unchanged, so a caller
// retries it later instead of setting the data aside.
func Transient(err error) bool {
	if inbound.Transient(err) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		if pqErr.Code == "08P01" {
			// protocol_violation: what we sent was malformed (a NUL byte in
			// the text of a statement), however often it is sent.
			return false
		}
		switch pqErr.Code.Class() {
		case "08", // connection exception
			"40", // transaction rollback: serialization failure, deadlock
			"53", // insufficient resources: disk full, out of memory, too many connections
			"57", // operator intervention: admin or crash shutdown, cannot connect now
			"58": // system error: I/O error
			return true
		}
		return false
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteFull, sqliteCantOpen, sqliteProtocol:
			return true
		}
	}
	return false
}
