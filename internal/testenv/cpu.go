package testenv

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SelfCPU returns the user and system CPU time this process has used.
// Benchmarks report work per CPU-second with it, a figure that a busy
// machine disturbs less than a wall-clock rate.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ProcCPU returns the user and system CPU time of process pid, read from
// /proc (Linux; clock ticks of 10 ms), or 0 when it cannot be read.
func ProcCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// BackendCPU returns a function giving the CPU time the Postgres backends
// serving db's database have used since BackendCPU was called (the server
// on this machine, Linux; 0 otherwise). Backends started meanwhile count
// whole; db's own connection counts too (a few queries).
func BackendCPU(db *sql.DB) func() time.Duration {
	backends := func() []int {
		rows, err := db.QueryContext(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
		if err != nil {
			return nil // no figure then
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				pids = append(pids, pid)
			}
		}
		return pids
	}
	start := map[int]time.Duration{}
	for _, pid := range backends() {
		start[pid] = ProcCPU(pid)
	}
	return func() time.Duration {
		var sum time.Duration
		for _, pid := range backends() {
			sum += ProcCPU(pid) - start[pid]
		}
		return sum
	}
}
