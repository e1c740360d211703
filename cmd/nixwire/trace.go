package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nixwire/nixwire/trace"
)

const traceUsage = `usage: nixwire trace --socket LISTEN [--upstream unix://PATH] [--out FILE] [--text]

Listen on the unix socket LISTEN, forward every connection unchanged to the
daemon at --upstream, and write each decoded message (handshake, requests,
STDERR frames, replies, stream sizes and hashes) as a JSON line, or as text
with --text. Stops on SIGINT or SIGTERM.
`

// traceCmd is `nixwire trace`: it parses its flags and runs the proxy
// until a signal, returning the exit status.
func traceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trace", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, traceUsage) }
	listen := fs.String("socket", "", "unix socket to listen on (required)")
	upstream := fs.String("upstream", "unix:///nix/var/nix/daemon-socket/socket", "daemon to forward to, as unix://PATH")
	out := fs.String("out", "", "write the trace to this file instead of standard output")
	text := fs.Bool("text", false, "write readable text instead of JSON lines")
	maxQueue := fs.Int("max-queue", trace.DefaultMaxQueue, "bytes per direction the decoder may fall behind before it stops decoding a connection")
	if fs.Parse(args) != nil {
		return 2
	}
	if fs.NArg() != 0 || *listen == "" {
		fmt.Fprint(stderr, traceUsage)
		return 2
	}
	target, ok := strings.CutPrefix(*upstream, "unix://")
	if !ok || target == "" {
		fmt.Fprintf(stderr, "nixwire trace: --upstream %q is not unix://PATH\n", *upstream)
		return 2
	}
	if err := runTrace(ctx, *listen, target, *out, *text, *maxQueue, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "nixwire trace: %v\n", err)
		return 1
	}
	return 0
}

func runTrace(ctx context.Context, listen, target, outFile string, text bool, maxQueue int, stdout, stderr io.Writer) error {
	w := stdout
	if outFile != "" {
		f, err := os.Create(outFile)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	var sink trace.Sink = trace.NewJSONSink(w)
	if text {
		sink = trace.NewTextSink(w)
	}
	removeStaleSocket(listen)
	ln, err := net.Listen("unix", listen)
	if err != nil {
		return err
	}
	defer os.Remove(listen)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &trace.Proxy{
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", target)
		},
		Sink:     sink,
		MaxQueue: maxQueue,
	}
	fmt.Fprintf(stderr, "nixwire trace: listening on %s, forwarding to unix://%s\n", listen, target)
	if err := p.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// removeStaleSocket removes a socket file left by an earlier run (and
// nothing that is not a socket), as daemons do before they listen.
func removeStaleSocket(name string) {
	if fi, err := os.Lstat(name); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(name)
	}
}
