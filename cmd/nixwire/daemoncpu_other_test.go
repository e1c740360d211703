//go:build !linux

package main

import (
	"errors"
	"time"
)

var errNoProc = errors.New("a daemon's CPU time is read from Linux's /proc")

func daemonPID(string) (int, error)      { return 0, errNoProc }
func childPIDs(int) ([]int, error)       { return nil, errNoProc }
func newChild(int, []int) (int, error)   { return 0, errNoProc }
func cpuTime(int) (time.Duration, error) { return 0, errNoProc }
