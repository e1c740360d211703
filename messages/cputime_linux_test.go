//go:build linux

package messages_test

import (
	"syscall"
	"unsafe"
)

// processCPU returns the CPU time the process has used, in nanoseconds
// (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)): unlike the wall time of a
// benchmark, it does not count the time other processes hold the CPU, so
// that figures taken on a shared machine stay comparable.
func processCPU() int64 {
	const clockProcessCPUTimeID = 2
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return ts.Nano()
}
