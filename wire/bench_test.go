package wire_test

// Benchmarks of every hot path of the package. Run them with
//
//	go test -run '^$' -bench . -benchtime=1s ./wire/
//
// wire/BENCHMARKS.md holds the figures and the exact commands. Every input is
// built before the timed loop (b.Loop times only its body).

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// benchStorePath is a typical store path, the most common string on the wire.
const benchStorePath = "/nix/store/0c0dr5zlfcbwv4k9vwyvfxzhqa5m6xg0-hello-2.12.1"

// benchKiB is a 1 KiB string.
var benchKiB = strings.Repeat("0123456789abcdef", 64)

// benchCycle is an endless io.Reader that serves data over and over, as a
// connection delivering an unending stream of the same values would. data
// must be a whole number of values so that they stay aligned.
type benchCycle struct {
	data []byte
	off  int
}

func (c *benchCycle) Read(p []byte) (int, error) {
	if c.off == len(c.data) {
		c.off = 0
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

// benchOnlyReader hides every method of an io.Reader but Read (in
// particular bytes.Reader's WriteTo), so io.Copy has to move the data.
type benchOnlyReader struct{ io.Reader }

// benchOnlyWriter hides every method of an io.Writer but Write (in
// particular io.Discard's ReadFrom).
type benchOnlyWriter struct{ io.Writer }

// benchStorePaths returns k distinct store-path-sized strings (49 to 56
// bytes, so that all padding lengths occur).
func benchStorePaths(k int) []string {
	s := make([]string, k)
	for i := range s {
		s[i] = benchStorePath[:len(benchStorePath)-i%8] + strconv.Itoa(i%10)
	}
	return s
}

// ---- byte path: Append ----

func BenchmarkAppendUint64(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(8)
	var v uint64
	for b.Loop() {
		buf = wire.AppendUint64(buf[:0], v)
		v++
	}
}

func BenchmarkAppendBool(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(8)
	v := false
	for b.Loop() {
		buf = wire.AppendBool(buf[:0], v)
		v = !v
	}
}

func BenchmarkAppendString(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"storepath", benchStorePath},
		{"1KiB", benchKiB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			buf := make([]byte, 0, wire.BytesSize(len(tc.s)))
			b.ReportAllocs()
			b.SetBytes(int64(wire.BytesSize(len(tc.s))))
			for b.Loop() {
				buf = wire.AppendString(buf[:0], tc.s)
			}
		})
	}
}

func BenchmarkAppendBytes(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"storepath", benchStorePath},
		{"1KiB", benchKiB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := []byte(tc.s)
			buf := make([]byte, 0, wire.BytesSize(len(p)))
			b.ReportAllocs()
			b.SetBytes(int64(wire.BytesSize(len(p))))
			for b.Loop() {
				buf = wire.AppendBytes(buf[:0], p)
			}
		})
	}
}

// ---- byte path: Consume ----

func BenchmarkConsumeUint64(b *testing.B) {
	in := wire.AppendUint64(nil, 0x0123456789abcdef)
	b.ReportAllocs()
	b.SetBytes(8)
	for b.Loop() {
		if _, _, err := wire.ConsumeUint64(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsumeBool(b *testing.B) {
	in := wire.AppendBool(nil, true)
	b.ReportAllocs()
	b.SetBytes(8)
	for b.Loop() {
		if _, _, err := wire.ConsumeBool(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsumeString(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"storepath", benchStorePath},
		{"1KiB", benchKiB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			in := wire.AppendString(nil, tc.s)
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, _, err := wire.ConsumeString(in, 0, 4096); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkConsumeBytes(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"storepath", benchStorePath},
		{"1KiB", benchKiB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			in := wire.AppendString(nil, tc.s)
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, _, err := wire.ConsumeBytes(in, 0, 4096); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// ---- stream path: Reader ----

// benchReader returns a Reader over an endless repetition of data.
func benchReader(data []byte) *wire.Reader {
	return wire.NewReader(&benchCycle{data: data})
}

func BenchmarkReaderUint64(b *testing.B) {
	var data []byte
	for i := range 4096 {
		data = wire.AppendUint64(data, uint64(i)*0x9e3779b97f4a7c15)
	}
	r := benchReader(data)
	b.ReportAllocs()
	b.SetBytes(8)
	for b.Loop() {
		if _, err := r.Uint64(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderBool(b *testing.B) {
	var data []byte
	for i := range 4096 {
		data = wire.AppendBool(data, i%3 == 0)
	}
	r := benchReader(data)
	b.ReportAllocs()
	b.SetBytes(8)
	for b.Loop() {
		if _, err := r.Bool(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPackets returns the encoding of ss and its average size per packet.
func benchPackets(ss []string) ([]byte, int64) {
	var data []byte
	for _, s := range ss {
		data = wire.AppendString(data, s)
	}
	return data, int64(len(data) / len(ss))
}

func BenchmarkReaderString(b *testing.B) {
	for _, tc := range []struct {
		name string
		ss   []string
	}{
		{"storepath", benchStorePaths(512)},
		{"1KiB", []string{benchKiB}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			data, size := benchPackets(tc.ss)
			r := benchReader(data)
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				if _, err := r.String(0, 4096); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReaderBytes(b *testing.B) {
	for _, tc := range []struct {
		name string
		ss   []string
	}{
		{"storepath", benchStorePaths(512)},
		{"1KiB", []string{benchKiB}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			data, size := benchPackets(tc.ss)
			r := benchReader(data)
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				if _, err := r.Bytes(0, 4096); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReaderAppendBytes reads into a reused buffer: no allocation.
func BenchmarkReaderAppendBytes(b *testing.B) {
	data, size := benchPackets(benchStorePaths(512))
	r := benchReader(data)
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		var err error
		if dst, err = r.AppendBytes(dst[:0], 0, 4096); err != nil {
			b.Fatal(err)
		}
	}
}

// ---- stream path: Writer ----

func BenchmarkWriterUint64(b *testing.B) {
	w := wire.NewWriter(io.Discard)
	b.ReportAllocs()
	b.SetBytes(8)
	var v uint64
	for b.Loop() {
		if err := w.Uint64(v); err != nil {
			b.Fatal(err)
		}
		v++
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkWriterBool(b *testing.B) {
	w := wire.NewWriter(io.Discard)
	b.ReportAllocs()
	b.SetBytes(8)
	v := false
	for b.Loop() {
		if err := w.Bool(v); err != nil {
			b.Fatal(err)
		}
		v = !v
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkWriterString(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"storepath", benchStorePath},
		{"1KiB", benchKiB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w := wire.NewWriter(io.Discard)
			b.ReportAllocs()
			b.SetBytes(int64(wire.BytesSize(len(tc.s))))
			for b.Loop() {
				if err := w.String(tc.s); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func BenchmarkWriterBytes(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"storepath", benchStorePath},
		{"1KiB", benchKiB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := []byte(tc.s)
			w := wire.NewWriter(io.Discard)
			b.ReportAllocs()
			b.SetBytes(int64(wire.BytesSize(len(p))))
			for b.Loop() {
				if err := w.Bytes(p); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// ---- 64 MiB payloads ----

const benchBig = 64 << 20

// benchBigData holds the 64 MiB payload and its two encodings, built once
// (and only when a benchmark that needs them runs).
var benchBigData = sync.OnceValue(func() (d struct{ payload, packet, framed []byte }) {
	d.payload = make([]byte, benchBig)
	x := uint32(2463534242)
	for i := range d.payload { // xorshift: incompressible, deterministic
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		d.payload[i] = byte(x)
	}
	d.packet = wire.AppendBytes(make([]byte, 0, wire.BytesSize(benchBig)), d.payload)
	var fb bytes.Buffer
	fb.Grow(benchBig + benchBig/wire.DefaultFrameSize*8 + 8)
	fw := wire.NewFramedWriter(&fb, wire.DefaultFrameSize)
	if _, err := fw.Write(d.payload); err != nil {
		panic(err)
	}
	if err := fw.Close(); err != nil {
		panic(err)
	}
	d.framed = fb.Bytes()
	return d
})

// BenchmarkCopy64MiB copies a 64 MiB payload to io.Discard with io.Copy.
//
// The two baselines read the same number of bytes from a bytes.Reader:
// "baseline-WriteTo" is the literal io.Copy(io.Discard, bytes.NewReader(x)),
// which io.Copy turns into one io.Discard.Write of the whole slice, so it
// moves no data at all and is no yardstick; "baseline-Read" hides WriteTo,
// so io.Copy reads the data through io.Discard's 8 KiB buffer, exactly as it
// does for the wire readers: that is the fair baseline.
func BenchmarkCopy64MiB(b *testing.B) {
	d := benchBigData()
	var src bytes.Reader
	var only io.Reader = benchOnlyReader{&src} // converted once, outside the loop
	run := func(b *testing.B, in []byte, body func() (int64, error)) {
		b.ReportAllocs()
		b.SetBytes(benchBig)
		for b.Loop() {
			src.Reset(in)
			n, err := body()
			if err != nil || n != benchBig {
				b.Fatalf("copied %d bytes: %v", n, err)
			}
		}
	}
	b.Run("baseline-WriteTo", func(b *testing.B) {
		run(b, d.payload, func() (int64, error) { return io.Copy(io.Discard, &src) })
	})
	b.Run("baseline-Read", func(b *testing.B) {
		run(b, d.payload, func() (int64, error) { return io.Copy(io.Discard, only) })
	})
	b.Run("BytesReader", func(b *testing.B) {
		run(b, d.packet, func() (int64, error) {
			br, err := wire.NewBytesReader(&src, 0, benchBig)
			if err != nil {
				return 0, err
			}
			return io.Copy(io.Discard, br)
		})
	})
	b.Run("FramedReader", func(b *testing.B) {
		run(b, d.framed, func() (int64, error) {
			return io.Copy(io.Discard, wire.NewFramedReader(&src, wire.DefaultFrameSize))
		})
	})
	// The payload through a Reader's 32 KiB buffer, as on a connection: the
	// same double copy as with a bufio.Reader, since io.Discard reads in
	// 8 KiB pieces.
	b.Run("BytesReader-over-Reader", func(b *testing.B) {
		r := wire.NewReader(nil)
		run(b, d.packet, func() (int64, error) {
			r.Reset(&src)
			br, err := wire.NewBytesReader(r, 0, benchBig)
			if err != nil {
				return 0, err
			}
			return io.Copy(io.Discard, br)
		})
	})
	// The same with 32 KiB reads, as io.Copy does into a file or a hash
	// (any writer without a ReadFrom of its own): a Reader hands reads at
	// least as large as its buffer straight to the source, so the data is
	// copied once.
	b.Run("BytesReader-over-Reader-32KiB", func(b *testing.B) {
		r := wire.NewReader(nil)
		var sink io.Writer = benchOnlyWriter{io.Discard}
		buf := make([]byte, 32<<10)
		run(b, d.packet, func() (int64, error) {
			r.Reset(&src)
			br, err := wire.NewBytesReader(r, 0, benchBig)
			if err != nil {
				return 0, err
			}
			return io.CopyBuffer(sink, br, buf)
		})
	})
	b.Run("Reader.Read", func(b *testing.B) { // raw data through a Reader's buffer
		r := wire.NewReader(nil)
		run(b, d.payload, func() (int64, error) {
			r.Reset(&src)
			return io.Copy(io.Discard, r)
		})
	})
}

// BenchmarkReadBytes64MiB reads a 64 MiB packet into memory. The reader
// commits memory no faster than the data arrives, so the slice grows (1 MiB,
// then doubling) rather than being allocated at the declared length.
func BenchmarkReadBytes64MiB(b *testing.B) {
	d := benchBigData()
	var src bytes.Reader
	b.Run("ReadBytes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(benchBig)
		for b.Loop() {
			src.Reset(d.packet)
			if p, err := wire.ReadBytes(&src, 0, benchBig); err != nil || len(p) != benchBig {
				b.Fatal(len(p), err)
			}
		}
	})
	b.Run("Reader.Bytes", func(b *testing.B) {
		r := wire.NewReader(nil)
		b.ReportAllocs()
		b.SetBytes(benchBig)
		for b.Loop() {
			src.Reset(d.packet)
			r.Reset(&src)
			if p, err := r.Bytes(0, benchBig); err != nil || len(p) != benchBig {
				b.Fatal(len(p), err)
			}
		}
	})
}

// BenchmarkWrite64MiB streams a 64 MiB payload into a writer to io.Discard
// with io.CopyBuffer and a 32 KiB buffer, as a program copying a file into
// a packet would. The baseline copies into io.Discard itself (its ReadFrom
// hidden, so that the same 32 KiB writes happen).
func BenchmarkWrite64MiB(b *testing.B) {
	d := benchBigData()
	var src bytes.Reader
	var only io.Reader = benchOnlyReader{&src}
	var discard io.Writer = benchOnlyWriter{io.Discard}
	buf := make([]byte, 32<<10)
	run := func(b *testing.B, open func() io.WriteCloser) {
		b.ReportAllocs()
		b.SetBytes(benchBig)
		for b.Loop() {
			src.Reset(d.payload)
			w := open()
			n, err := io.CopyBuffer(w, only, buf)
			if err == nil {
				err = w.Close()
			}
			if err != nil || n != benchBig {
				b.Fatalf("copied %d bytes: %v", n, err)
			}
		}
	}
	b.Run("baseline", func(b *testing.B) {
		var w io.WriteCloser = benchNopCloser{discard}
		run(b, func() io.WriteCloser { return w })
	})
	b.Run("BytesWriter", func(b *testing.B) {
		run(b, func() io.WriteCloser { return wire.NewBytesWriter(discard, benchBig) })
	})
	b.Run("FramedWriter", func(b *testing.B) {
		run(b, func() io.WriteCloser { return wire.NewFramedWriter(discard, wire.DefaultFrameSize) })
	})
	b.Run("Writer.Write", func(b *testing.B) { // raw data through a Writer
		ww := wire.NewWriter(nil)
		var w io.WriteCloser = benchFlusher{ww}
		run(b, func() io.WriteCloser {
			ww.Reset(discard)
			return w
		})
	})
}

type benchNopCloser struct{ io.Writer }

func (benchNopCloser) Close() error { return nil }

// benchFlusher makes a Writer an io.WriteCloser whose Close flushes.
type benchFlusher struct{ *wire.Writer }

func (f benchFlusher) Close() error { return f.Flush() }
