package cputime

import (
	"runtime"
	"testing"
)

// TestProcessCounts checks that spinning shows up as CPU time on Linux.
func TestProcessCounts(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("CPU time is read on Linux only")
	}
	start := Process()
	x := 0
	for i := range 50_000_000 {
		x += i
	}
	if Process() <= start {
		t.Errorf("CPU time did not grow (%d)", x)
	}
}
