package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/nixwire/nixwire/wire"
)

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
