//go:build !linux

package stdio

import (
	"os"
	"os/exec"
)

// setProcAttr does nothing where process groups are not set up (Nix's daemon
// runs on Linux in nixwire's tests).
func setProcAttr(cmd *exec.Cmd) {}

// killTree kills p.
func killTree(p *os.Process) error {
	if p == nil {
		return nil
	}
	return p.Kill()
}

// terminateTree asks p to stop; where SIGTERM does not exist it kills p.
func terminateTree(p *os.Process) error {
	if p == nil {
		return nil
	}
	if err := p.Signal(os.Interrupt); err != nil {
		return p.Kill()
	}
	return nil
}
