package messages

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

// reflectNew returns a new zero value of m's type (m is a pointer).
func reflectNew(m wire.Message) wire.Message {
	return reflect.New(reflect.TypeOf(m).Elem()).Interface().(wire.Message)
}

// iotestOneByte returns a reader that yields data one byte per Read.
func iotestOneByte(data []byte) io.Reader {
	return iotest.OneByteReader(bytes.NewReader(data))
}

// hexDiff describes where got first differs from want, with a hex window
// around it, 8-byte words per line as the wire is laid out.
func hexDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	start := max(0, i&^7-16)
	var b strings.Builder
	fmt.Fprintf(&b, "lengths: want %d, got %d; first difference at byte %d\n", len(want), len(got), i)
	dump := func(label string, p []byte) {
		fmt.Fprintf(&b, "%s:\n", label)
		for off := start; off < len(p) && off < start+64; off += 8 {
			end := min(off+8, len(p))
			fmt.Fprintf(&b, "  %5d  % x  %q\n", off, p[off:end], p[off:end])
		}
	}
	dump("want", want)
	dump("got", got)
	return b.String()
}
