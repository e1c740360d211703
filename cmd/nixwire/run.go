package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/nixwire/nixwire/wire"
)

const usage = `usage: nixwire <command> [flags] [args]

commands:
  demo                               encode sample values and decode them again, showing the bytes
  packets [-max N]                   read bytes packets from standard input and print each payload
  info [conn flags]                  show what the handshake with a daemon negotiated, and the number of valid paths
  path-info [conn flags] PATH...     print the metadata of store paths as "key: value" lines
  nar [conn flags] PATH              write the NAR of a store path to standard output
  trace --socket LISTEN [--upstream unix://PATH] [--out FILE] [--text]
                                     proxy to a daemon and log every decoded message
  serve --socket PATH --data DIR [--require-sigs] [--trusted-public-key NAME:BASE64]...
                                     serve a store kept in DIR over the worker protocol

conn flags (default: start "nix-daemon --stdio"):
  -socket PATH                       connect to the daemon on this unix socket (system daemon: /nix/var/nix/daemon-socket/socket)
  -stdio CMD                         start CMD (split at spaces) and talk to it over its stdin and stdout

exit status: 0 ok, 1 error, 2 usage error
`

// run is the whole program: it parses args, does the work and returns the
// exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx := context.Background()
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "demo":
		err = demo(stdout)
	case "packets":
		fs := newFlagSet(cmd, stderr)
		maxLen := fs.Uint64("max", 1<<20, "largest payload accepted, in bytes")
		if fs.Parse(rest) != nil {
			return 2
		}
		err = packets(stdin, stdout, *maxLen)
	case "info", "path-info", "nar":
		fs := newFlagSet(cmd, stderr)
		var cf connFlags
		cf.add(fs)
		if fs.Parse(rest) != nil {
			return 2
		}
		if err := cf.check(); err != nil {
			return usageError(stderr, cmd, err.Error())
		}
		paths := fs.Args()
		switch {
		case cmd == "info" && len(paths) != 0:
			return usageError(stderr, cmd, "takes no arguments")
		case cmd == "path-info" && len(paths) == 0:
			return usageError(stderr, cmd, "needs at least one store path")
		case cmd == "nar" && len(paths) != 1:
			return usageError(stderr, cmd, "needs exactly one store path")
		}
		switch cmd {
		case "info":
			err = info(ctx, &cf, stdout, stderr)
		case "path-info":
			err = pathInfo(ctx, &cf, paths, stdout, stderr)
		default:
			err = narOf(ctx, &cf, paths[0], stdout, stderr)
		}
	case "trace":
		return traceCmd(ctx, rest, stdout, stderr)
	case "serve":
		return serveCmd(ctx, rest, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "nixwire: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "nixwire: %v\n", err)
		return 1
	}
	return 0
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func usageError(stderr io.Writer, cmd, msg string) int {
	fmt.Fprintf(stderr, "nixwire %s: %s\n%s", cmd, msg, usage)
	return 2
}

// demo shows the encoding of a few values and decodes them back.
func demo(out io.Writer) error {
	var b []byte
	b = wire.AppendUint64(b, 0x6e697863) // WORKER_MAGIC_1
	b = wire.AppendString(b, "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo")
	b = wire.AppendBool(b, true)
	fmt.Fprintf(out, "encoded %d bytes:\n%s", len(b), hex.Dump(b))

	magic, rest, err := wire.ConsumeUint64(b)
	if err != nil {
		return err
	}
	path, rest, err := wire.ConsumeString(rest, 0, 4096)
	if err != nil {
		return err
	}
	ok, rest, err := wire.ConsumeBool(rest)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "decoded: magic=%#x path=%q bool=%v rest=%d bytes\n", magic, path, ok, len(rest))
	return nil
}

// packets prints every bytes packet on in until a clean end of input.
func packets(in io.Reader, out io.Writer, maxLen uint64) error {
	r := wire.NewReader(in)
	for i := 0; ; i++ {
		p, err := r.Bytes(0, maxLen)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("packet %d at byte %d: %w", i, r.ValueOffset(), err)
		}
		fmt.Fprintf(out, "%d\t%s\n", len(p), strconv.Quote(string(p)))
	}
}
