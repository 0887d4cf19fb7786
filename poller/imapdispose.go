package poller

import (
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"
)

// disposal is what a pass still has to do with committed messages: their
// UIDs only, so waiting for a larger group holds no reports.
type disposal struct {
	done, failed imap.UIDSet
	asked        int // UIDs asked for by the batches it covers (some may have vanished)
	n            int // messages in done and failed
}

// add adds the messages of a committed batch.
func (d *disposal) add(b *batch) {
	for _, f := range b.items {
		if f.failed() {
			d.failed.AddNum(imap.UID(f.uid))
		} else {
			d.done.AddNum(imap.UID(f.uid))
		}
	}
	d.asked += b.uids
	d.n += len(b.items)
}

// dispose applies mb.After to the recorded messages of d and moves the
// failed ones (not reports, or unparseable) to the failed folder. It runs
// only after the batches d covers have been committed.
func (ic *imapConn) dispose(mb Mailbox, d *disposal) error {
	done, failed := d.done, d.failed
	if len(failed) > 0 {
		if err := ic.moveTo(failed, mb.FailedFolder); err != nil {
			return fmt.Errorf("move to %s: %w", mb.FailedFolder, err)
		}
	}
	if len(done) == 0 {
		return nil
	}
	var err error
	switch mb.After {
	case AfterMove:
		err = ic.moveTo(done, mb.ProcessedFolder)
	case AfterDelete:
		err = ic.remove(done)
	default:
		err = ic.flag(done)
	}
	if err != nil {
		return fmt.Errorf("after %s: %w", mb.After, err)
	}
	return nil
}

// maxRanges is how many UID ranges one command names at most: a large
// group of scattered UIDs (reports and junk interleaved) makes a long
// command line, and servers cap its length (Dovecot: 64 KB by default).
const maxRanges = 2000

// inChunks calls fn for consecutive parts of uids of at most maxRanges
// ranges each, stopping at the first error.
func inChunks(uids imap.UIDSet, fn func(imap.UIDSet) error) error {
	for len(uids) > 0 {
		n := min(len(uids), maxRanges)
		if err := fn(uids[:n]); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// expungedRetries is how many times a disposal command refused with
// EXPUNGEISSUED is run again.
const expungedRetries = 3

// tolerateExpunged runs cmd, a disposal command on UIDs. When the server
// answers NO [EXPUNGEISSUED] (another client expunged some of them since
// this session last heard: a crashed pass's MOVE finishing late, a
// concurrent client), it refused the whole command; a NOOP lets it
// report the expunges, and cmd runs again, now on the messages that
// remain: the vanished ones are gone, which is what disposing of them
// meant. A UID command names no message that no longer exists, so the
// retry touches nothing twice.
func (ic *imapConn) tolerateExpunged(cmd func() error) error {
	err := cmd()
	for try := 0; try < expungedRetries && expungeIssued(err); try++ {
		if nerr := ic.c.Noop().Wait(); nerr != nil {
			return fmt.Errorf("noop after %w: %w", err, nerr)
		}
		err = cmd()
	}
	return err
}

// codeExpungeIssued is RFC 9051's response code for a command naming
// messages that another session expunged (go-imap has no constant).
const codeExpungeIssued imap.ResponseCode = "EXPUNGEISSUED"

// expungeIssued reports whether err is a server's NO [EXPUNGEISSUED].
func expungeIssued(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && ie.Code == codeExpungeIssued
}

// moveTo moves uids to folder: MOVE when the server has it, else COPY then
// remove. Never a plain EXPUNGE.
func (ic *imapConn) moveTo(uids imap.UIDSet, folder string) error {
	return inChunks(uids, func(uids imap.UIDSet) error {
		if ic.move {
			return ic.tolerateExpunged(func() error {
				_, err := ic.c.Move(uids, folder).Wait()
				return err
			})
		}
		err := ic.tolerateExpunged(func() error {
			_, err := ic.c.Copy(uids, folder).Wait()
			return err
		})
		if err != nil {
			return err
		}
		return ic.remove(uids)
	})
}

// remove deletes uids with \Deleted and UID EXPUNGE, which touches only
// those UIDs. Without UIDPLUS a plain EXPUNGE would also remove other
// clients' \Deleted mail, so the messages are flagged instead and later
// passes skip them.
func (ic *imapConn) remove(uids imap.UIDSet) error {
	if !ic.uidplus {
		return ic.flag(uids)
	}
	return inChunks(uids, func(uids imap.UIDSet) error {
		if err := ic.store(uids, imap.FlagDeleted); err != nil {
			return err
		}
		return ic.tolerateExpunged(ic.c.UIDExpunge(uids).Close)
	})
}

// flag marks uids seen and processed.
func (ic *imapConn) flag(uids imap.UIDSet) error {
	return inChunks(uids, func(uids imap.UIDSet) error {
		return ic.store(uids, imap.FlagSeen, ProcessedKeyword)
	})
}

func (ic *imapConn) store(uids imap.UIDSet, flags ...imap.Flag) error {
	return ic.tolerateExpunged(func() error {
		return ic.c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close()
	})
}
