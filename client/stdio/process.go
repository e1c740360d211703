// Package stdio runs a Nix daemon, or a command that runs one (such as
// `ssh host nix-daemon --stdio`), as a child process, and talks to it over
// its stdin and stdout.
//
// Start returns a Conn: an io.ReadWriteCloser with read and write
// deadlines (so that client.Conn can interrupt blocked I/O), whose Close
// closes the child's stdin, waits a few seconds for it to exit and then
// kills it with its process group. The child is also killed when the
// context passed to Start is done. StartProcess is the same without the
// pipes, for a daemon listening on a socket.
//
// Keep a Conn open until every reply has been read: nix-daemon watches
// its stdin for a hang-up and may abort the operation in progress once it
// sees one. So a Conn has no way to half-close.
//
// The package uses only the standard library.
package stdio

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sync"
	"time"
)

// Timeouts.
const (
	// DefaultExitTimeout is how long Close and Stop wait for the child to
	// exit on its own before killing it.
	DefaultExitTimeout = 5 * time.Second
	// waitDelay bounds how long exec waits for the child's output pipes
	// after it exited or was killed (its children may hold them open).
	waitDelay = 2 * time.Second
	// stderrLimit caps the stderr kept for error messages.
	stderrLimit = 1 << 20
)

// Process is a started child process whose exit is watched.
type Process struct {
	cmd    *exec.Cmd
	stderr *limitedBuffer
	done   chan struct{} // closed when Wait returned
	err    error         // Wait's result, valid after done
}

// StartProcess starts cmd in its own process group (on Linux; the kernel
// also kills it should this process die), killing the group when ctx is
// done. Unless cmd.Stderr is set, the first MiB of the child's stderr is
// kept for Stderr. cmd must not have been started, and cmd.Cancel must be
// unset: use ctx.
func StartProcess(ctx context.Context, cmd *exec.Cmd) (*Process, error) {
	p := &Process{stderr: &limitedBuffer{}, done: make(chan struct{})}
	if cmd.Stderr == nil {
		cmd.Stderr = p.stderr
	}
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = waitDelay
	}
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	p.cmd = cmd
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { killTree(cmd.Process) })
		go func() {
			<-p.done
			stop()
		}()
	}
	return p, nil
}

// Pid returns the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed once the child has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the child has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err returns the result of waiting for the child (nil for a successful
// exit) once it has exited; nil before.
func (p *Process) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.err
}

// Stderr returns what the child has written to its stderr so far (the
// first MiB), unless cmd.Stderr was set.
func (p *Process) Stderr() string { return p.stderr.String() }

// Terminate sends SIGTERM to the child's process group (on Linux; the
// child alone elsewhere).
func (p *Process) Terminate() error { return terminateTree(p.cmd.Process) }

// Kill sends SIGKILL to the child's process group.
func (p *Process) Kill() error { return killTree(p.cmd.Process) }

// WaitOrKill waits up to timeout for the child to exit, then kills it and
// its process group and waits for it. killed reports whether it had to.
func (p *Process) WaitOrKill(timeout time.Duration) (killed bool) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return false
	case <-t.C:
	}
	_ = killTree(p.cmd.Process)
	<-p.done
	return true
}

// limitedBuffer collects output up to stderrLimit bytes.
type limitedBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	truncated bool
}

// Write keeps what fits and reports everything written.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := stderrLimit - b.buf.Len(); len(p) > room {
		b.buf.Write(p[:max(room, 0)])
		b.truncated = true
	} else {
		b.buf.Write(p)
	}
	return len(p), nil
}

// String returns what was kept.
func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.truncated {
		return b.buf.String() + "\n[stderr truncated]"
	}
	return b.buf.String()
}
