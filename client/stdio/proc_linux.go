//go:build linux

package stdio

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group, so that it and the
// processes it forks (a daemon forks one per connection) can be signalled together, and has the
// kernel kill it should this process die first.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killTree sends SIGKILL to p's process group.
func killTree(p *os.Process) error {
	return signalTree(p, syscall.SIGKILL)
}

// terminateTree sends SIGTERM to p's process group.
func terminateTree(p *os.Process) error {
	return signalTree(p, syscall.SIGTERM)
}

func signalTree(p *os.Process, sig syscall.Signal) error {
	if p == nil {
		return nil
	}
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		// The group may already be gone; make sure the leader is.
		return p.Signal(sig)
	}
	return nil
}
