package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nixwire/nixwire/trace"
)

func init() {
	register(&command{
		name: "trace", args: "--socket LISTEN [--upstream unix://PATH] [--out FILE] [--text]",
		summary: "a transparent proxy to a daemon that logs every decoded message (JSON lines, or text)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			listen := fs.String("socket", "", "unix socket to listen on (required)")
			upstream := fs.String("upstream", "unix:///nix/var/nix/daemon-socket/socket", "daemon to forward to, as unix://PATH")
			out := fs.String("out", "", "write the trace to this file instead of standard output")
			text := fs.Bool("text", false, "write readable text instead of JSON lines")
			maxQueue := fs.Int("max-queue", trace.DefaultMaxQueue, "bytes per direction the decoder may fall behind before it stops decoding a connection")
			return func(ctx context.Context, e *env, _ []string) error {
				if *listen == "" {
					return usagef("--socket LISTEN is required")
				}
				if *maxQueue <= 0 {
					return usagef("--max-queue %d: want a positive number of bytes", *maxQueue)
				}
				target, ok := strings.CutPrefix(*upstream, "unix://")
				if !ok || target == "" {
					return usagef("--upstream %q is not unix://PATH", *upstream)
				}
				return runTrace(ctx, *listen, target, *out, *text, *maxQueue, e.stdout, e.stderr)
			}
		},
	})
}

// runTrace listens on listen and proxies every connection to the daemon
// at target until ctx is done (Ctrl-C, SIGTERM), writing the trace to
// outFile or stdout.
func runTrace(ctx context.Context, listen, target, outFile string, text bool, maxQueue int, stdout, stderr io.Writer) (err error) {
	w := stdout
	if outFile != "" {
		f, err := os.Create(outFile)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = &outputError{fmt.Errorf("writing the trace: %w", cerr)}
			}
		}()
		w = f
	}
	// The trace may fail (a full disk, a closed pipe) while forwarding
	// goes on: say so at once, and once.
	w = &reportOnce{w: w, report: func(err error) {
		fmt.Fprintf(stderr, "nixwire trace: writing the trace: %v (forwarding goes on untraced)\n", err)
	}}
	var sink interface {
		trace.Sink
		trace.Flusher
	} = trace.NewJSONSink(w)
	if text {
		sink = trace.NewTextSink(w)
	}
	// The proxy flushes whenever it is quiet; this is for what the last
	// connections left, and to see that the trace was written.
	defer func() {
		if ferr := sink.Flush(); ferr != nil && err == nil {
			err = &outputError{fmt.Errorf("writing the trace: %w", ferr)}
		}
	}()
	removeStaleSocket(listen)
	ln, err := net.Listen("unix", listen)
	if err != nil {
		return err
	}
	defer os.Remove(listen)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM) // Ctrl-C already ends ctx
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

// reportOnce is w, reporting its first write error.
type reportOnce struct {
	w        io.Writer
	report   func(error)
	reported bool
}

func (r *reportOnce) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	return n, r.note(err)
}

// Flush flushes w if it buffers (the CLI's standard output does).
func (r *reportOnce) Flush() error {
	if f, ok := r.w.(interface{ Flush() error }); ok {
		return r.note(f.Flush())
	}
	return nil
}

// note reports err if it is the first error, and returns it.
func (r *reportOnce) note(err error) error {
	if err != nil && !r.reported {
		r.reported = true
		r.report(err)
	}
	return err
}

// removeStaleSocket removes a socket file left by an earlier run (and
// nothing that is not a socket), as daemons do before they listen.
func removeStaleSocket(name string) {
	if fi, err := os.Lstat(name); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(name)
	}
}
