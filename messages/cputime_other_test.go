//go:build !linux

package messages_test

// processCPU is not measured outside Linux: the benchmark then reports
// wall time only.
func processCPU() int64 { return 0 }
