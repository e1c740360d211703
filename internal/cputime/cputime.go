// Package cputime reads the CPU time the process has used, for benchmarks
// on a shared machine: unlike wall time, it does not count the time other
// processes hold the CPU, so that figures taken under load stay
// comparable.
package cputime

import "time"

// Process returns the CPU time (user and system, all threads) this process
// has used so far, or 0 where it cannot be read (a benchmark then reports
// 0 for it).
func Process() time.Duration { return process() }
