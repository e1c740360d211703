package main

import "syscall"

// serveChildAttr makes the kernel kill a `nixwire serve` child when the
// test process dies, so that a test binary killed by its timeout leaves no
// server behind.
func serveChildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
