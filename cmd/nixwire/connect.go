package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/nixwire/nixwire/client"
)

// defaultStdio is the daemon started when no connection flag is given.
const defaultStdio = "nix-daemon --stdio"

// connFlags are the flags that say how to reach the daemon.
type connFlags struct {
	socket string
	stdio  string
}

// add registers the flags on fs.
func (cf *connFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&cf.socket, "socket", "", "connect to the daemon listening on this unix socket")
	fs.StringVar(&cf.stdio, "stdio", "", "start this command (split at spaces) and talk to it over stdin/stdout (default \""+defaultStdio+"\")")
}

// check reports a usage error in the flags.
func (cf *connFlags) check() error {
	if cf.socket != "" && cf.stdio != "" {
		return errors.New("-socket and -stdio exclude each other")
	}
	if cf.stdio != "" && len(strings.Fields(cf.stdio)) == 0 {
		return errors.New("-stdio needs a command")
	}
	return nil
}

// dial connects to the daemon and shakes hands. The daemon's own stderr
// (for -stdio) goes to stderr.
func (cf *connFlags) dial(ctx context.Context, stderr io.Writer) (*client.Conn, error) {
	if cf.socket != "" {
		return client.DialUnix(ctx, cf.socket, client.Options{})
	}
	cmdline := cf.stdio
	if cmdline == "" {
		cmdline = defaultStdio
	}
	rw, err := startStdio(cmdline, stderr)
	if err != nil {
		return nil, err
	}
	return client.HandshakeContext(ctx, rw, client.Options{})
}

// stdioConn is a daemon process spoken to over its stdin and stdout.
type stdioConn struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  io.ReadCloser
	once sync.Once
	err  error
}

// startStdio starts cmdline (split at spaces).
func startStdio(cmdline string, stderr io.Writer) (*stdioConn, error) {
	args := strings.Fields(cmdline)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &stdioConn{cmd: cmd, in: in, out: out}, nil
}

// Read reads from the daemon's stdout.
func (s *stdioConn) Read(p []byte) (int, error) { return s.out.Read(p) }

// Write writes to the daemon's stdin.
func (s *stdioConn) Write(p []byte) (int, error) { return s.in.Write(p) }

// Close closes the daemon's stdin, which makes it exit, and waits for it
// (killing it after a few seconds).
func (s *stdioConn) Close() error {
	s.once.Do(func() {
		s.in.Close()
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case s.err = <-done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
			s.err = fmt.Errorf("%s did not exit; killed it", s.cmd.Path)
			<-done
		}
	})
	return s.err
}
