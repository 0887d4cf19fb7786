package suppression

import (
	"fmt"
	"hash/fnv"
	"os"

	"golang.org/x/sys/unix"
)

// fileLocks are the locks of a SQLite store shared by every process that
// opens the same database: byte-range locks on PATH.lock, one byte per
// lock name, taken as open file description locks (F_OFD_SETLK), so they
// exclude other processes and other stores of this one alike, and end
// with the file's last descriptor (a killed process leaves none behind).
type fileLocks struct {
	f *os.File
}

func openFileLocks(dbPath string) (*fileLocks, error) {
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("suppression: lock file: %w", err)
	}
	return &fileLocks{f: f}, nil
}

// offset is the byte that stands for name.
func lockOffset(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64() >> 2) // positive, well below the largest file offset
}

// tryLock takes name's byte without waiting; ok is false when another
// holder has it.
func (l *fileLocks) tryLock(name string) (ok bool, err error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: lockOffset(name), Len: 1}
	err = unix.FcntlFlock(l.f.Fd(), unix.F_OFD_SETLK, &lk)
	switch err {
	case nil:
		return true, nil
	case unix.EAGAIN, unix.EACCES:
		return false, nil
	}
	return false, fmt.Errorf("suppression: lock %s: %w", name, err)
}

// unlock releases name's byte.
func (l *fileLocks) unlock(name string) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: 0, Start: lockOffset(name), Len: 1}
	unix.FcntlFlock(l.f.Fd(), unix.F_OFD_SETLK, &lk) //nolint:errcheck // closing the file releases it too
}

func (l *fileLocks) close() error { return l.f.Close() }
