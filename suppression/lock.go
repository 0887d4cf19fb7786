package suppression

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/bouncer-mail/bouncer/migrations"
)

// TryLock takes the named lock without waiting. ok is false when another
// holder has it. On Postgres it is a session advisory lock
// (pg_try_advisory_lock(hashtext(name))) held on a dedicated connection until
// unlock is called (from a pool of its own, so held locks never starve
// Record of connections), so it guards replicas against each other; on SQLite it
// is a lock of the process and of the database file (see tryLocalLock). unlock is idempotent and
// releases the lock even when ctx has ended.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if s.dialect == migrations.SQLite {
		return s.tryLocalLock(name)
	}
	conn, err := s.ldb.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("suppression: lock %s: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, name).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("suppression: lock %s: %w", name, err)
		}
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			// Closing the connection would release the lock too; unlocking
			// first makes sure of it even if the pool kept the connection.
			_, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, name)
			if err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // drop the connection: that releases the lock
			}
			conn.Close()
		})
	}, true, nil
}

// tryLocalLock is TryLock on SQLite: a lock of this process, and on Linux
// a byte-range lock on the database's lock file, so that several processes
// on one SQLite file (two daemons, a cron poll beside a daemon) never poll
// one mailbox together.
func (s *Store) tryLocalLock(name string) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks[name] {
		return nil, false, nil
	}
	if ok, err := s.files.tryLock(name); err != nil || !ok {
		return nil, false, err
	}
	s.locks[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.files.unlock(name)
			delete(s.locks, name)
			s.mu.Unlock()
		})
	}, true, nil
}
