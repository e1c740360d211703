package bench

// Every benchmark here decodes the same bytes with both libraries, from the
// same kind of source, and has sub-benchmarks named impl=nixwire, impl=go-nix
// (go-nix reading the source directly, as its own NAR reader does) and, where
// buffering matters, impl=go-nix-bufio (go-nix over a bufio.Reader with the
// same 32 KiB buffer as a wire.Reader). Compare them with
//
//	benchstat -col /impl results.txt

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"sync"
	"testing"

	gonix "github.com/nix-community/go-nix/pkg/wire"
	"github.com/nixwire/nixwire/wire"
)

const bufSize = wire.DefaultBufferSize // 32 KiB, also used for bufio

// cycle is an endless io.Reader serving data over and over; data holds a
// whole number of values so that they stay aligned.
type cycle struct {
	data []byte
	off  int
}

func (c *cycle) Read(p []byte) (int, error) {
	if c.off == len(c.data) {
		c.off = 0
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

// onlyReader hides every method of an io.Reader but Read.
type onlyReader struct{ io.Reader }

// valueBench runs one value decode per op with each library over an endless
// repetition of data. size is the average encoded size of a value.
func valueBench(b *testing.B, data []byte, size int64,
	ours func(*wire.Reader) error, theirs func(io.Reader) error) {
	b.Run("impl=nixwire", func(b *testing.B) {
		r := wire.NewReaderSize(&cycle{data: data}, bufSize)
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			if err := ours(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=go-nix", func(b *testing.B) {
		var r io.Reader = &cycle{data: data}
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			if err := theirs(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=go-nix-bufio", func(b *testing.B) {
		var r io.Reader = bufio.NewReaderSize(&cycle{data: data}, bufSize)
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			if err := theirs(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUint64(b *testing.B) {
	var data []byte
	for i := range 4096 {
		data = wire.AppendUint64(data, uint64(i)*0x9e3779b97f4a7c15)
	}
	valueBench(b, data, 8,
		func(r *wire.Reader) error { _, err := r.Uint64(); return err },
		func(r io.Reader) error { _, err := gonix.ReadUint64(r); return err })
}

func BenchmarkBool(b *testing.B) {
	var data []byte
	for i := range 4096 {
		data = wire.AppendBool(data, i%3 == 0)
	}
	valueBench(b, data, 8,
		func(r *wire.Reader) error { _, err := r.Bool(); return err },
		func(r io.Reader) error { _, err := gonix.ReadBool(r); return err })
}

// stringBench decodes a stream of the packets ss as strings of at most max
// bytes.
func stringBench(b *testing.B, ss []string, max uint64) {
	var data []byte
	for _, s := range ss {
		data = wire.AppendString(data, s)
	}
	valueBench(b, data, int64(len(data)/len(ss)),
		func(r *wire.Reader) error { _, err := r.String(0, max); return err },
		func(r io.Reader) error { _, err := gonix.ReadString(r, max); return err })
}

// BenchmarkShortString decodes the short strings of the protocol: output
// names, systems, hash algorithms, feature names (3 to 14 bytes).
func BenchmarkShortString(b *testing.B) {
	stringBench(b, []string{"out", "dev", "x86_64-linux", "sha256", "lib",
		"nar", "text", "aarch64-darwin", "man", "doc", "bin", "r:sha256", "fixed"}, 256)
}

// BenchmarkStorePath decodes a stream of distinct store paths (49 to 56
// bytes, so that every padding length occurs), the bulk of PathInfo
// messages and path lists.
func BenchmarkStorePath(b *testing.B) {
	const p = "/nix/store/0c0dr5zlfcbwv4k9vwyvfxzhqa5m6xg0-hello-2.12.1"
	ss := make([]string, 512)
	for i := range ss {
		ss[i] = p[:len(p)-i%8] + strconv.Itoa(i%10)
	}
	stringBench(b, ss, 4096)
}

// BenchmarkBytes1KiB reads a 1 KiB bytes packet into a new slice.
func BenchmarkBytes1KiB(b *testing.B) {
	p := bytes.Repeat([]byte("0123456789abcdef"), 64)
	data := wire.AppendBytes(nil, p)
	valueBench(b, data, int64(len(data)),
		func(r *wire.Reader) error { _, err := r.Bytes(0, 4096); return err },
		func(r io.Reader) error { _, err := gonix.ReadBytesFull(r, 4096); return err })
}

const big = 64 << 20

// bigPacket is a bytes packet with a 64 MiB payload, built once.
var bigPacket = sync.OnceValue(func() []byte {
	p := make([]byte, big)
	x := uint32(2463534242)
	for i := range p {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	return wire.AppendBytes(make([]byte, 0, wire.BytesSize(big)), p)
})

// BenchmarkStream64MiB streams the payload of a 64 MiB bytes packet to
// io.Discard with io.Copy (as when importing a NAR) and checks its padding:
// nixwire's BytesReader checks it before the final bytes are handed out,
// go-nix's BytesReader when it is closed, so both are closed. "direct" reads
// from the bytes.Reader holding the packet (WriteTo hidden, so that the
// data is really moved); "buffered" reads it through a 32 KiB buffer
// (wire.Reader, bufio.Reader), as over a connection.
func BenchmarkStream64MiB(b *testing.B) {
	packet := bigPacket()
	var src bytes.Reader
	var direct io.Reader = onlyReader{&src}
	wr := wire.NewReaderSize(nil, bufSize)
	bu := bufio.NewReaderSize(nil, bufSize)
	run := func(b *testing.B, open func() io.Reader, copyOne func(io.Reader) (int64, error)) {
		b.ReportAllocs()
		b.SetBytes(big)
		for b.Loop() {
			src.Reset(packet)
			n, err := copyOne(open())
			if err != nil || n != big {
				b.Fatalf("copied %d bytes: %v", n, err)
			}
		}
	}
	ours := func(r io.Reader) (int64, error) {
		br, err := wire.NewBytesReader(r, 0, big)
		if err != nil {
			return 0, err
		}
		return io.Copy(io.Discard, br)
	}
	theirs := func(r io.Reader) (int64, error) {
		n, rc, err := gonix.ReadBytes(r)
		if err != nil {
			return 0, err
		}
		if n > big {
			return 0, io.ErrShortBuffer
		}
		k, err := io.Copy(io.Discard, rc)
		if err != nil {
			return k, err
		}
		return k, rc.Close()
	}
	b.Run("src=direct/impl=nixwire", func(b *testing.B) {
		run(b, func() io.Reader { return direct }, ours)
	})
	b.Run("src=direct/impl=go-nix", func(b *testing.B) {
		run(b, func() io.Reader { return direct }, theirs)
	})
	b.Run("src=buffered/impl=nixwire", func(b *testing.B) {
		run(b, func() io.Reader { wr.Reset(direct); return wr }, ours)
	})
	b.Run("src=buffered/impl=go-nix", func(b *testing.B) {
		run(b, func() io.Reader { bu.Reset(direct); return bu }, theirs)
	})
}

// BenchmarkRead64MiB reads a 64 MiB bytes packet into memory.
func BenchmarkRead64MiB(b *testing.B) {
	packet := bigPacket()
	var src bytes.Reader
	var direct io.Reader = onlyReader{&src}
	run := func(b *testing.B, read func() ([]byte, error)) {
		b.ReportAllocs()
		b.SetBytes(big)
		for b.Loop() {
			src.Reset(packet)
			p, err := read()
			if err != nil || len(p) != big {
				b.Fatalf("read %d bytes: %v", len(p), err)
			}
		}
	}
	b.Run("impl=nixwire", func(b *testing.B) {
		run(b, func() ([]byte, error) { return wire.ReadBytes(direct, 0, big) })
	})
	b.Run("impl=go-nix", func(b *testing.B) {
		run(b, func() ([]byte, error) { return gonix.ReadBytesFull(direct, big) })
	})
}
