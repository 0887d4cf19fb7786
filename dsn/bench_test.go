package dsn

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseCorpus parses every corpus message held in memory and
// reports messages per second and bytes allocated per message.
func BenchmarkParseCorpus(b *testing.B) {
	var msgs [][]byte
	var total int64
	for _, path := range corpusFiles(b) {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, data)
		total += int64(len(data))
	}
	b.SetBytes(total / int64(len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	n := 0
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(msgs[n%len(msgs)])); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	// On a shared machine wall time includes waiting for a core; messages
	// per CPU-second is the figure to compare with the target.
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "msgs/cpu-s")
	}
}
