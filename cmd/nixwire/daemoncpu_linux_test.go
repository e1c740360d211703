package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nixwire/nixwire/internal/peercred"
)

// daemonPID is the pid of the process listening on the unix socket sock:
// for a Nix daemon, the parent that forks a worker per connection.
func daemonPID(sock string) (int, error) {
	c, err := net.Dial("unix", sock)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	pid, _, ok := peercred.Of(c)
	if !ok {
		return 0, fmt.Errorf("no peer credentials on %s", sock)
	}
	return pid, nil
}

// childPIDs lists the children of process pid (its main thread's).
func childPIDs(pid int) ([]int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		pids = append(pids, n)
	}
	return pids, nil
}

// newChild waits up to a second for a child of pid that is not in before,
// and returns it: the worker a Nix daemon forked for a new connection.
func newChild(pid int, before []int) (int, error) {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		now, err := childPIDs(pid)
		if err != nil {
			return 0, err
		}
		for _, c := range now {
			if !slices.Contains(before, c) {
				return c, nil
			}
		}
	}
	return 0, fmt.Errorf("no new child of %d", pid)
}

// cpuTime is the CPU time all threads of process pid have run so far,
// from the scheduler's own nanosecond account (/proc/PID/task/*/schedstat),
// not the 10 ms ticks of /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(stats) == 0 {
		return 0, fmt.Errorf("no schedstat for process %d", pid)
	}
	var total time.Duration
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("%s: empty", s)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", s, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}
