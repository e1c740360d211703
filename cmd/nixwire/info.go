package main

import (
	"context"
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name: "info", summary: "show what the handshake with the store's daemon negotiated, and the number of valid paths",
		store: true,
		setup: func(*flag.FlagSet) func(context.Context, *env, []string) error { return info },
	})
	register(&command{
		name: "demo", summary: "encode sample values and decode them again, showing the bytes",
		setup: func(*flag.FlagSet) func(context.Context, *env, []string) error {
			return func(_ context.Context, e *env, _ []string) error { return demo(e.stdout) }
		},
	})
	register(&command{
		name: "packets", args: "[-max N]", summary: "read bytes packets from standard input and print each payload",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			maxLen := fs.Uint64("max", 1<<20, "largest payload accepted, in bytes")
			return func(_ context.Context, e *env, _ []string) error { return packets(e.stdin, e.stdout, *maxLen) }
		},
	})
}

// info prints what the handshake negotiated and the number of valid paths.
func info(ctx context.Context, e *env, _ []string) error {
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	paths, err := c.QueryAllValidPaths(ctx)
	if err != nil {
		return err
	}
	i := c.Info()
	features := i.Proto.Features.String()
	if features == "" {
		features = "(none)"
	}
	w := e.stdout
	fmt.Fprintf(w, "protocol: %s\n", i.Proto.Version)
	fmt.Fprintf(w, "daemon protocol: %s\n", i.DaemonProtocol)
	fmt.Fprintf(w, "daemon version: %s\n", orNone(i.DaemonVersion))
	fmt.Fprintf(w, "trusted: %s\n", i.Trusted)
	fmt.Fprintf(w, "features: %s\n", features)
	fmt.Fprintf(w, "valid paths: %d\n", len(paths))
	return nil
}

// orNone returns s, or "(none)" if it is empty.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
