package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nixwire/nixwire/wire"
)

func ExampleAppendString() {
	b := wire.AppendString(nil, "hello")
	fmt.Printf("% x\n", b)
	// Output:
	// 05 00 00 00 00 00 00 00 68 65 6c 6c 6f 00 00 00
}

func ExampleConsumeString() {
	var b []byte
	b = wire.AppendString(b, "/nix/store/abc-hello")
	b = wire.AppendUint64(b, 42)

	s, rest, err := wire.ConsumeString(b, 0, 4096)
	if err != nil {
		panic(err)
	}
	n, rest, err := wire.ConsumeUint64(rest)
	fmt.Println(s, n, len(rest), err)

	// A length above the caller's limit fails before anything else.
	_, _, err = wire.ConsumeString(b, 0, 8)
	fmt.Println(err, errors.Is(err, wire.ErrTooLarge))
	// Output:
	// /nix/store/abc-hello 42 0 <nil>
	// string length 20 exceeds limit 8 true
}

func ExampleWriter() {
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	_ = w.Uint64(0x6e697863) // WORKER_MAGIC_1
	_ = w.Bool(true)
	_ = w.String("abc")
	if err := w.Flush(); err != nil { // errors are sticky: check once
		panic(err)
	}
	fmt.Printf("% x\n", buf.Bytes())
	// Output:
	// 63 78 69 6e 00 00 00 00 01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 61 62 63 00 00 00 00 00
}

func ExampleReader() {
	var b []byte
	b = wire.AppendUint64(b, 0x6478696f) // WORKER_MAGIC_2
	b = wire.AppendUint64(b, uint64(wire.V(1, 38)))
	b = wire.AppendString(b, "2.35.2")

	r := wire.NewReader(bytes.NewReader(b))
	magic, _ := r.Uint64()
	v, _ := r.Uint(0xffff)
	name, _ := r.String(0, 100)
	fmt.Printf("%#x %v %s at byte %d\n", magic, wire.Version(v), name, r.Offset())

	_, err := r.Uint64()
	fmt.Println(err == io.EOF)
	// Output:
	// 0x6478696f 1.38 2.35.2 at byte 32
	// true
}

func ExampleBytesReader() {
	packet := wire.AppendString(nil, "hello, stream")
	br, err := wire.NewBytesReader(bytes.NewReader(packet), 0, 1<<20)
	if err != nil {
		panic(err)
	}
	fmt.Println(br.Size())
	if _, err := io.Copy(os.Stdout, br); err != nil {
		panic(err)
	}
	fmt.Println()

	bad := bytes.Clone(packet)
	bad[len(bad)-1] = 1 // non-zero padding
	br, _ = wire.NewBytesReader(bytes.NewReader(bad), 0, 1<<20)
	got, err := io.ReadAll(br) // the final, padded word never comes out
	fmt.Printf("%q %v\n", got, err)
	// Output:
	// 13
	// hello, stream
	// "hello, s" wire: non-zero padding
}

func ExampleFramedWriter() {
	var buf bytes.Buffer
	fw := wire.NewFramedWriter(&buf, 4)
	_, _ = fw.Write([]byte("abcdef"))
	if err := fw.Close(); err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", buf.Bytes())

	fr := wire.NewFramedReader(&buf, 1024)
	content, err := io.ReadAll(fr)
	fmt.Printf("%s %v\n", content, err)
	// Output:
	// 04 00 00 00 00 00 00 00 61 62 63 64 02 00 00 00 00 00 00 00 65 66 00 00 00 00 00 00 00 00
	// abcdef <nil>
}

func ExampleFramedReader_Drain() {
	var buf bytes.Buffer
	fw := wire.NewFramedWriter(&buf, 100)
	_, _ = fw.Write(bytes.Repeat([]byte("x"), 100))
	_ = fw.Close()
	buf.Write(wire.AppendUint64(nil, 7)) // what follows the stream

	fr := wire.NewFramedReader(&buf, 10) // frames of at most 10 bytes
	_, err := io.ReadAll(fr)
	fmt.Println(err)
	fmt.Println(fr.Drain()) // skip to the terminator, keeping the stream in sync
	next, _ := wire.NewReader(&buf).Uint64()
	fmt.Println(next)
	// Output:
	// frame length 100 exceeds limit 10
	// <nil>
	// 7
}

func ExampleParseProto() {
	p, err := wire.ParseProto("1.38+realisation-with-path-not-hash,delete-dead-specific-referrers")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Version, p.Version.Major(), p.Version.Minor())
	fmt.Println(p.AtLeast(1, 37), p.Has("delete-dead-specific-referrers"))
	fmt.Println(p.Covers(wire.P(1, 35)), wire.P(1, 38).Covers(p))
	fmt.Println(p)

	_, err = wire.ParseProto("1.38+")
	fmt.Println(err)
	// Output:
	// 1.38 1 38
	// true true
	// true false
	// 1.38+delete-dead-specific-referrers,realisation-with-path-not-hash
	// wire: protocol "1.38+": empty feature name
}

// A value whose size is known is appended straight into a Writer's buffer
// with Reserve and Commit, as generated EncodeWire methods do.
func ExampleWriter_Reserve() {
	var out bytes.Buffer
	w := wire.NewWriter(&out)
	path := "/nix/store/abc-hello"
	if b, ok := w.Reserve(8 + wire.BytesSize(len(path))); ok {
		b = wire.AppendUint64(b, 1)
		b = wire.AppendString(b, path)
		w.Commit(b)
	}
	if err := w.Flush(); err != nil {
		panic(err)
	}
	fmt.Println(out.Len(), w.Offset())
	// Output:
	// 40 40
}
