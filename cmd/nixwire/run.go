package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/nixwire/nixwire/wire"
)

const usage = `usage: nixwire <command> [flags]

commands:
  demo              encode sample values and decode them again, showing the bytes
  packets [-max N]  read bytes packets from standard input and print each payload
`

// run is the whole program: it parses args, does the work and returns the
// exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "demo":
		err = demo(stdout)
	case "packets":
		fs := flag.NewFlagSet("packets", flag.ContinueOnError)
		fs.SetOutput(stderr)
		maxLen := fs.Uint64("max", 1<<20, "largest payload accepted, in bytes")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		err = packets(stdin, stdout, *maxLen)
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
