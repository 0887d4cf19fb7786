package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100
// on every Linux port this runs on).
const clockTick = 10 * time.Millisecond

// treeCPU is the CPU time (user + system) spent so far by process root and
// all its descendants, living or reaped: each living process's own time
// plus what it has reaped (cutime, cstime). It is 0 when pid is 0 or /proc
// cannot be read. Compare two readings for the CPU a server spent between
// them.
func treeCPU(root int) time.Duration {
	if root == 0 {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	type proc struct {
		ppid  int
		ticks int64
	}
	procs := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name may hold spaces: fields start after its ")".
		s := string(raw)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 15 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		var ticks int64
		for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			n, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += n
		}
		procs[pid] = proc{ppid: ppid, ticks: ticks}
	}
	var total int64
	for pid, p := range procs {
		for q := pid; q > 1; q = procs[q].ppid {
			if q == root {
				total += p.ticks
				break
			}
			if _, ok := procs[q]; !ok {
				break
			}
		}
	}
	return time.Duration(total) * clockTick
}

// serverPIDs returns the PIDs of the test Dovecot and Postgres masters that
// scripts/bench-poll passes in BOUNCER_BENCH_DOVECOT_PID and
// BOUNCER_BENCH_POSTGRES_PID (0 when not given).
func serverPIDs() (dovecot, postgres int) {
	dovecot, _ = strconv.Atoi(os.Getenv("BOUNCER_BENCH_DOVECOT_PID"))
	postgres, _ = strconv.Atoi(os.Getenv("BOUNCER_BENCH_POSTGRES_PID"))
	return dovecot, postgres
}

// cpuReading is the CPU spent so far by the test servers.
type cpuReading struct{ dovecot, postgres time.Duration }

func readServerCPU() cpuReading {
	d, p := serverPIDs()
	return cpuReading{dovecot: treeCPU(d), postgres: treeCPU(p)}
}

// loadAvg is the first field of /proc/loadavg, or "?".
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(raw))[0]
}
