//go:build !linux

package suppression

// fileLocks is a no-op outside Linux: there a SQLite store's locks hold
// within the process only (one process per SQLite database).
type fileLocks struct{}

func openFileLocks(string) (*fileLocks, error) { return &fileLocks{}, nil }

func (*fileLocks) tryLock(string) (bool, error) { return true, nil }

func (*fileLocks) unlock(string) {}

func (*fileLocks) close() error { return nil }
