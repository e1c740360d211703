//go:build !linux

package main

import "syscall"

// serveChildAttr is nil where there is no parent-death signal: a test
// binary killed by its timeout may leave a server behind.
func serveChildAttr() *syscall.SysProcAttr { return nil }
