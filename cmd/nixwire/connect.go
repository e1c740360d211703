package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os/exec"
	"strings"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/stdio"
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
	args := strings.Fields(cmdline)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = stderr
	rw, err := stdio.Start(ctx, cmd)
	if err != nil {
		return nil, err
	}
	return client.HandshakeContext(ctx, rw, client.Options{})
}
