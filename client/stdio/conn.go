package stdio

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Conn is a child process spoken to over its stdin and stdout: reads come
// from its stdout, writes go to its stdin.
type Conn struct {
	*Process
	name   string
	stdin  *os.File // write end of the child's stdin
	stdout *os.File // read end of the child's stdout
	// ExitTimeout is how long Close waits for the child to exit before
	// killing it (default DefaultExitTimeout). Set it before Close.
	ExitTimeout time.Duration

	closeOnce sync.Once
	closeErr  error
}

// Start starts cmd with pipes for its stdin and stdout (which must be
// unset) as StartProcess does, and returns the connection to it. The
// child is killed when ctx is done; otherwise it lives until Close.
func Start(ctx context.Context, cmd *exec.Cmd) (*Conn, error) {
	if cmd.Stdin != nil || cmd.Stdout != nil {
		return nil, fmt.Errorf("stdio: %s: Stdin and Stdout must be unset", cmd.Path)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	p, err := StartProcess(ctx, cmd)
	// The child has its own copies of these ends now.
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, err
	}
	return &Conn{Process: p, name: cmd.Path, stdin: inW, stdout: outR}, nil
}

// Command is Start of exec.Command(name, args...).
func Command(ctx context.Context, name string, args ...string) (*Conn, error) {
	return Start(ctx, exec.Command(name, args...))
}

// Read reads from the child's stdout.
func (c *Conn) Read(p []byte) (int, error) { return c.stdout.Read(p) }

// Write writes to the child's stdin.
func (c *Conn) Write(p []byte) (int, error) { return c.stdin.Write(p) }

// SetReadDeadline sets a deadline for Read, as for os.File.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.stdout.SetReadDeadline(t) }

// SetWriteDeadline sets a deadline for Write, as for os.File.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.stdin.SetWriteDeadline(t) }

// Close closes the child's stdin, waits up to ExitTimeout for it to exit
// and kills it (and its process group) if it does not. It returns an
// error if the child had to be killed or exited unsuccessfully, quoting
// its stderr. Later calls return the same result.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		timeout := c.ExitTimeout
		if timeout <= 0 {
			timeout = DefaultExitTimeout
		}
		c.stdin.Close()
		killed := c.WaitOrKill(timeout)
		c.stdout.Close()
		switch {
		case killed:
			c.closeErr = fmt.Errorf("%s did not exit within %v of its stdin closing; killed it; stderr: %s", c.name, timeout, c.Stderr())
		case c.err != nil:
			c.closeErr = fmt.Errorf("%s: %w; stderr: %s", c.name, c.err, c.Stderr())
		}
	})
	return c.closeErr
}

var _ io.ReadWriteCloser = (*Conn)(nil)
