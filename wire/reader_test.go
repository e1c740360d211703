package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

// step is one value read by both the byte path and a Reader.
type step struct {
	name    string
	consume func(b []byte) (any, []byte, error)
	read    func(r *wire.Reader) (any, error)
}

func stepUint64() step {
	return step{"Uint64",
		func(b []byte) (any, []byte, error) { return toAny(wire.ConsumeUint64(b)) },
		func(r *wire.Reader) (any, error) { v, err := r.Uint64(); return v, err }}
}

func stepUint(max uint64) step {
	return step{fmt.Sprintf("Uint(%d)", max),
		func(b []byte) (any, []byte, error) { return toAny(wire.ConsumeUint(b, max)) },
		func(r *wire.Reader) (any, error) { v, err := r.Uint(max); return v, err }}
}

func stepBool() step {
	return step{"Bool",
		func(b []byte) (any, []byte, error) { return toAny(wire.ConsumeBool(b)) },
		func(r *wire.Reader) (any, error) { v, err := r.Bool(); return v, err }}
}

func stepCount(min, max uint64) step {
	return step{fmt.Sprintf("Count(%d,%d)", min, max),
		func(b []byte) (any, []byte, error) { return toAny(wire.ConsumeCount(b, min, max, 0)) },
		func(r *wire.Reader) (any, error) { v, err := r.Count(min, max); return v, err }}
}

func stepBytes(min, max uint64) step {
	return step{fmt.Sprintf("Bytes(%d,%d)", min, max),
		func(b []byte) (any, []byte, error) {
			p, rest, err := wire.ConsumeBytes(b, min, max)
			return string(p), rest, err
		},
		func(r *wire.Reader) (any, error) {
			p, err := r.Bytes(min, max)
			if err == nil && p == nil {
				return nil, errors.New("Bytes returned a nil slice")
			}
			return string(p), err
		}}
}

func stepAppendBytes(min, max uint64) step {
	return step{fmt.Sprintf("AppendBytes(%d,%d)", min, max),
		func(b []byte) (any, []byte, error) {
			p, rest, err := wire.ConsumeBytes(b, min, max)
			return "prefix:" + string(p), rest, err
		},
		func(r *wire.Reader) (any, error) {
			p, err := r.AppendBytes([]byte("prefix:"), min, max)
			return string(p), err
		}}
}

func stepString(min, max uint64) step {
	return step{fmt.Sprintf("String(%d,%d)", min, max),
		func(b []byte) (any, []byte, error) { return toAny(wire.ConsumeString(b, min, max)) },
		func(r *wire.Reader) (any, error) { v, err := r.String(min, max); return v, err }}
}

func toAny[T any](v T, rest []byte, err error) (any, []byte, error) { return v, rest, err }

// mixedStream encodes a sequence of values whose packets straddle a 64-byte
// buffer in every way: small, exactly the buffer limit, and larger.
func mixedStream() ([]byte, []step) {
	var b []byte
	var steps []step
	add := func(enc []byte, s step) {
		b = append(b, enc...)
		steps = append(steps, s)
	}
	add(wire.AppendUint64(nil, 0x0102030405060708), stepUint64())
	add(wire.AppendBool(nil, true), stepBool())
	add(wire.AppendBool(nil, false), stepBool())
	add(wire.AppendUint64(nil, 200), stepUint(255))
	add(wire.AppendUint64(nil, 3), stepCount(0, 10))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 40, 47, 48, 49, 56, 57, 63, 64, 65, 100, 1000} {
		p := payload(n)
		add(wire.AppendBytes(nil, p), stepBytes(0, 1000))
		add(wire.AppendBytes(nil, p), stepString(uint64(n), uint64(n)))
		add(wire.AppendBytes(nil, p), stepAppendBytes(0, 1000))
		add(wire.AppendUint64(nil, uint64(n)), stepUint64())
	}
	add(wire.AppendUint64(nil, math.MaxUint64), stepUint64())
	return b, steps
}

// checkReader reads steps from r, comparing each with the byte path over
// data: value, Offset after the value and ValueOffset. It then expects a
// clean io.EOF.
func checkReader(t *testing.T, r *wire.Reader, data []byte, steps []step) {
	t.Helper()
	b := data
	for i, s := range steps {
		start := int64(len(data) - len(b))
		want, rest, err := s.consume(b)
		if err != nil {
			t.Fatalf("step %d %s: byte path failed: %v", i, s.name, err)
		}
		b = rest
		got, err := s.read(r)
		if err != nil || got != want {
			t.Fatalf("step %d %s at %d: got %.40q, %v; want %.40q", i, s.name, start, got, err, want)
		}
		if r.ValueOffset() != start {
			t.Fatalf("step %d %s: ValueOffset = %d, want %d", i, s.name, r.ValueOffset(), start)
		}
		if off := int64(len(data) - len(b)); r.Offset() != off {
			t.Fatalf("step %d %s: Offset = %d, want %d", i, s.name, r.Offset(), off)
		}
	}
	if _, err := r.Uint64(); err != io.EOF {
		t.Fatalf("after the last value: %v, want io.EOF", err)
	}
	if r.Offset() != int64(len(data)) {
		t.Fatalf("final Offset = %d, want %d", r.Offset(), len(data))
	}
}

// sources wraps data in readers that cut it in every way.
func sources() []struct {
	name string
	wrap func([]byte) io.Reader
} {
	return []struct {
		name string
		wrap func([]byte) io.Reader
	}{
		{"bytes.Reader", func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"OneByteReader", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
		{"HalfReader", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
		{"DataErrReader", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
		{"chunks 1,7,3,64,13", func(b []byte) io.Reader {
			return &chunkReader{r: bytes.NewReader(b), sizes: []int{1, 7, 3, 64, 13}}
		}},
		{"stalling", func(b []byte) io.Reader { return &stallReader{r: iotest.HalfReader(bytes.NewReader(b)), stalls: 3} }},
		{"error with last data", func(b []byte) io.Reader {
			return &tailErrReader{data: b, err: io.EOF, together: true, chunk: 5}
		}},
	}
}

func TestReaderValues(t *testing.T) {
	data, steps := mixedStream()
	for _, src := range sources() {
		for _, size := range []int{0, 64, 100, wire.DefaultBufferSize} {
			t.Run(fmt.Sprintf("%s/buffer=%d", src.name, size), func(t *testing.T) {
				checkReader(t, wire.NewReaderSize(src.wrap(data), size), data, steps)
			})
		}
	}
	t.Run("NewReader", func(t *testing.T) {
		checkReader(t, wire.NewReader(bytes.NewReader(data)), data, steps)
	})
}

func TestReaderLargePayloads(t *testing.T) {
	for _, n := range []int{1000, 1 << 16, 1<<20 - 1, 1 << 20, 1<<20 + 3} {
		p := payload(n)
		data := cat(packet(p), le64(0xfeedface))
		for _, src := range []struct {
			name string
			r    func() io.Reader
		}{
			{"bytes.Reader", func() io.Reader { return bytes.NewReader(data) }},
			{"OneByteReader", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }},
			{"HalfReader", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }},
		} {
			t.Run(fmt.Sprintf("%d/%s", n, src.name), func(t *testing.T) {
				r := wire.NewReaderSize(src.r(), 64)
				got, err := r.Bytes(0, uint64(n))
				if err != nil || !bytes.Equal(got, p) {
					t.Fatalf("Bytes: %d bytes, %v", len(got), err)
				}
				if v, err := r.Uint64(); err != nil || v != 0xfeedface {
					t.Fatalf("sentinel = %#x, %v", v, err)
				}
				r = wire.NewReader(src.r())
				s, err := r.String(uint64(n), uint64(n))
				if err != nil || s != string(p) {
					t.Fatalf("String: %d bytes, %v", len(s), err)
				}
				if r.Offset() != int64(len(data)-8) {
					t.Fatalf("Offset = %d", r.Offset())
				}
				r = wire.NewReaderSize(src.r(), 1000)
				dst := make([]byte, 3, 10)
				got, err = r.AppendBytes(dst, 0, math.MaxUint64)
				if err != nil || !bytes.Equal(got[:3], []byte{0, 0, 0}) || !bytes.Equal(got[3:], p) {
					t.Fatalf("AppendBytes: %d bytes, %v", len(got), err)
				}
			})
		}
	}
}

// TestReaderBufferBoundaries reads every payload size around the point
// where a packet stops fitting in the buffer, for buffer sizes that are and
// are not multiples of 8.
func TestReaderBufferBoundaries(t *testing.T) {
	for _, size := range []int{64, 65, 71, 100, 127} {
		for n := 0; n <= 2*size+9; n++ {
			p := payload(n)
			data := cat(packet(p), le64(uint64(n)), packet(p))
			for _, one := range []bool{false, true} {
				var src io.Reader = bytes.NewReader(data)
				if one {
					src = iotest.OneByteReader(src)
				}
				r := wire.NewReaderSize(src, size)
				got, err := r.Bytes(0, 1000)
				if err != nil || !bytes.Equal(got, p) {
					t.Fatalf("buffer %d, len %d, 1-byte %v: Bytes = %d bytes, %v", size, n, one, len(got), err)
				}
				if v, err := r.Uint64(); err != nil || v != uint64(n) {
					t.Fatalf("buffer %d, len %d, 1-byte %v: sentinel = %d, %v", size, n, one, v, err)
				}
				if s, err := r.String(0, 1000); err != nil || s != string(p) {
					t.Fatalf("buffer %d, len %d, 1-byte %v: String = %d bytes, %v", size, n, one, len(s), err)
				}
				if _, err := r.Uint64(); err != io.EOF {
					t.Fatalf("buffer %d, len %d: at the end %v", size, n, err)
				}
			}
		}
	}
}

// TestReaderTruncated cuts the mixed stream at every offset: each value
// wholly present decodes, the cut one is io.ErrUnexpectedEOF, or io.EOF if
// the cut falls between values.
func TestReaderTruncated(t *testing.T) {
	data, steps := mixedStream()
	ends := []int{}
	b := data
	for _, s := range steps {
		_, b, _ = s.consume(b)
		ends = append(ends, len(data)-len(b))
	}
	for _, size := range []int{64, wire.DefaultBufferSize} {
		t.Run(fmt.Sprintf("buffer=%d", size), func(t *testing.T) {
			for k := 0; k < len(data); k++ {
				r := wire.NewReaderSize(bytes.NewReader(data[:k]), size)
				start := 0
				for i, s := range steps {
					_, err := s.read(r)
					if ends[i] <= k {
						if err != nil {
							t.Fatalf("cut at %d: step %d (ends at %d) failed: %v", k, i, ends[i], err)
						}
						start = ends[i]
						continue
					}
					want := io.ErrUnexpectedEOF
					if start == k {
						want = io.EOF
					}
					if err != want {
						t.Fatalf("cut at %d: step %d %s [%d, %d) = %v, want %v", k, i, s.name, start, ends[i], err, want)
					}
					if r.ValueOffset() != int64(start) {
						t.Fatalf("cut at %d: ValueOffset = %d, want %d", k, r.ValueOffset(), start)
					}
					break
				}
			}
		})
	}
}

// TestReaderForgedLength: a length of 2^63 with a 1 KiB limit fails at
// once; nothing is consumed, and the source was read no further than the
// buffer allows (exactly the 8 length bytes when the source gives one byte
// per read).
func TestReaderForgedLength(t *testing.T) {
	data := cat(le64(1<<63), bytes.Repeat([]byte{0xab}, 4096))
	for _, kind := range []string{"Bytes", "String", "AppendBytes", "Count"} {
		read := func(r *wire.Reader) error {
			var err error
			switch kind {
			case "Bytes":
				_, err = r.Bytes(0, 1024)
			case "String":
				_, err = r.String(0, 1024)
			case "AppendBytes":
				_, err = r.AppendBytes(nil, 0, 1024)
			case "Count":
				_, err = r.Count(0, 1024)
			}
			return err
		}
		t.Run(kind+"/buffered", func(t *testing.T) {
			src := &countReader{r: bytes.NewReader(data)}
			r := wire.NewReaderSize(src, 64)
			err := read(r)
			if !errors.Is(err, wire.ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if r.Offset() != 0 || r.ValueOffset() != 0 {
				t.Errorf("Offset = %d, ValueOffset = %d; want 0, 0", r.Offset(), r.ValueOffset())
			}
			if src.n > 64 {
				t.Errorf("read %d bytes from the source, more than the 64-byte buffer", src.n)
			}
			// The length was not consumed: it can be read as a number.
			if v, err := r.Uint64(); err != nil || v != 1<<63 {
				t.Errorf("Uint64 after the error = %#x, %v", v, err)
			}
		})
		t.Run(kind+"/one byte at a time", func(t *testing.T) {
			src := &countReader{r: iotest.OneByteReader(bytes.NewReader(data))}
			r := wire.NewReader(src)
			if err := read(r); !errors.Is(err, wire.ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if src.n != 8 {
				t.Errorf("read %d bytes from the source, want exactly 8", src.n)
			}
		})
	}
	t.Run("message", func(t *testing.T) {
		r := wire.NewReader(bytes.NewReader(data))
		_, err := r.String(0, 1024)
		if err == nil || err.Error() != "string length 9223372036854775808 exceeds limit 1024" {
			t.Errorf("err = %v", err)
		}
		_, err = r.Bytes(1<<63+1, math.MaxUint64)
		if err == nil || err.Error() != "bytes length 9223372036854775808 below minimum 9223372036854775809" || !errors.Is(err, wire.ErrTooSmall) {
			t.Errorf("err = %v", err)
		}
	})
}

// TestReaderRejectsWithoutConsuming: a value refused for its content (out
// of range, bad boolean, bad padding) is left in place.
func TestReaderRejectsWithoutConsuming(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		read func(r *wire.Reader) error
		want error
	}{
		{"Uint over max", le64(300), func(r *wire.Reader) error { _, err := r.Uint(255); return err }, wire.ErrRange},
		{"Bool 2", le64(2), func(r *wire.Reader) error { _, err := r.Bool(); return err }, wire.ErrBool},
		{"Bool max", le64(math.MaxUint64), func(r *wire.Reader) error { _, err := r.Bool(); return err }, wire.ErrBool},
		{"Count over max", le64(11), func(r *wire.Reader) error { _, err := r.Count(0, 10); return err }, wire.ErrTooLarge},
		{"Count under min", le64(1), func(r *wire.Reader) error { _, err := r.Count(2, 10); return err }, wire.ErrTooSmall},
		{"String bad padding", cat(le64(1), []byte{'a', 0, 0, 0, 0, 0, 0, 1}), func(r *wire.Reader) error { _, err := r.String(0, 10); return err }, wire.ErrPadding},
		{"Bytes under min", cat(le64(1), []byte{'a', 0, 0, 0, 0, 0, 0, 0}), func(r *wire.Reader) error { _, err := r.Bytes(2, 10); return err }, wire.ErrTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wire.NewReader(bytes.NewReader(cat(le64(7), tt.data)))
			if _, err := r.Uint64(); err != nil {
				t.Fatal(err)
			}
			err := tt.read(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if r.Offset() != 8 || r.ValueOffset() != 8 {
				t.Errorf("Offset = %d, ValueOffset = %d; want 8, 8", r.Offset(), r.ValueOffset())
			}
			if v, err := r.Uint64(); err != nil || !bytes.Equal(le64(v), tt.data[:8]) {
				t.Errorf("the refused value was consumed: next Uint64 = %#x, %v", v, err)
			}
		})
	}
}

func TestReaderPadding(t *testing.T) {
	for _, n := range []int{1, 7, 9, 47, 49, 100, 1001} {
		pk := packet(payload(n))
		for pos := 8 + n; pos < len(pk); pos++ {
			t.Run(fmt.Sprintf("len=%d/pos=%d", n, pos), func(t *testing.T) {
				in := bytes.Clone(pk)
				in[pos] = 0x20
				for _, size := range []int{64, wire.DefaultBufferSize} {
					r := wire.NewReaderSize(bytes.NewReader(in), size)
					if _, err := r.Bytes(0, 2000); err != wire.ErrPadding {
						t.Errorf("buffer %d: Bytes err = %v, want ErrPadding", size, err)
					}
					r = wire.NewReaderSize(bytes.NewReader(in), size)
					if s, err := r.String(0, 2000); err != wire.ErrPadding || s != "" {
						t.Errorf("buffer %d: String = %.10q, %v, want ErrPadding", size, s, err)
					}
				}
			})
		}
	}
}

// TestReaderSourceErrors injects an error at every offset of the mixed
// stream: every value before the offset decodes, and the one that needs the
// missing byte returns the very same error value.
func TestReaderSourceErrors(t *testing.T) {
	data, steps := mixedStream()
	ends := []int{}
	b := data
	for _, s := range steps {
		_, b, _ = s.consume(b)
		ends = append(ends, len(data)-len(b))
	}
	for _, size := range []int{64, 4096} {
		t.Run(fmt.Sprintf("buffer=%d", size), func(t *testing.T) {
			for at := 0; at <= len(data); at++ {
				r := wire.NewReaderSize(&errAtReader{data: data, at: at, err: errInjected}, size)
				i := 0
				var err error
				for ; i < len(steps); i++ {
					if _, err = steps[i].read(r); err != nil {
						break
					}
				}
				if i == len(steps) {
					_, err = r.Uint64()
				}
				if err != errInjected {
					t.Fatalf("error at %d: got %v from step %d, want the injected error", at, err, i)
				}
				if i < len(steps) && (ends[i] <= at || (i > 0 && ends[i-1] > at)) {
					t.Fatalf("error at %d surfaced at step %d, which spans up to %d", at, i, ends[i])
				}
			}
		})
	}
}

// TestReaderRetry: after a time-out of the source, the same call simply
// succeeds when retried, for every value that fits in the buffer.
func TestReaderRetry(t *testing.T) {
	var data []byte
	var steps []step
	data = wire.AppendUint64(data, 1)
	steps = append(steps, stepUint64())
	data = wire.AppendBool(data, true)
	steps = append(steps, stepBool())
	data = wire.AppendUint64(data, 2)
	steps = append(steps, stepCount(0, 3))
	for _, n := range []int{0, 3, 8, 9, 40, 48} {
		data = wire.AppendBytes(data, payload(n))
		steps = append(steps, stepString(0, 100))
		data = wire.AppendBytes(data, payload(n))
		steps = append(steps, stepBytes(0, 100))
	}
	data = wire.AppendUint64(data, 200)
	steps = append(steps, stepUint(200))
	readAll := func(t *testing.T, r *wire.Reader) int {
		t.Helper()
		b, timeouts := data, 0
		for i := 0; i < len(steps); {
			want, rest, _ := steps[i].consume(b)
			got, err := steps[i].read(r)
			if err == errInjected || err == iotest.ErrTimeout {
				timeouts++
				if timeouts > 100 {
					t.Fatal("no progress")
				}
				continue
			}
			if err != nil || got != want {
				t.Fatalf("step %d: %q, %v; want %q", i, got, err, want)
			}
			b = rest
			i++
		}
		_, err := r.Uint64()
		if err == errInjected { // the error fell at the very end
			timeouts++
			_, err = r.Uint64()
		}
		if err != io.EOF {
			t.Fatalf("at the end: %v", err)
		}
		return timeouts
	}
	t.Run("TimeoutReader", func(t *testing.T) {
		r := wire.NewReaderSize(iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(data))), 64)
		if n := readAll(t, r); n != 1 {
			t.Errorf("%d time-outs, want 1", n)
		}
	})
	for at := 0; at <= len(data); at++ {
		r := wire.NewReaderSize(&errAtReader{data: data, at: at, err: errInjected, once: true}, 64)
		if n := readAll(t, r); n != 1 {
			t.Fatalf("error at %d: %d errors seen, want 1", at, n)
		}
	}
}

func TestReaderEmptyInput(t *testing.T) {
	reads := map[string]func(*wire.Reader) error{
		"Uint64": func(r *wire.Reader) error { _, err := r.Uint64(); return err },
		"Uint":   func(r *wire.Reader) error { _, err := r.Uint(5); return err },
		"Bool":   func(r *wire.Reader) error { _, err := r.Bool(); return err },
		"Count":  func(r *wire.Reader) error { _, err := r.Count(0, 5); return err },
		"Bytes":  func(r *wire.Reader) error { _, err := r.Bytes(0, 5); return err },
		"String": func(r *wire.Reader) error { _, err := r.String(0, 5); return err },
		"AppendBytes": func(r *wire.Reader) error {
			_, err := r.AppendBytes(nil, 0, 5)
			return err
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			if err := read(wire.NewReader(bytes.NewReader(nil))); err != io.EOF {
				t.Errorf("empty input: %v, want io.EOF", err)
			}
			if err := read(wire.NewReader(bytes.NewReader([]byte{1, 0, 0}))); err != io.ErrUnexpectedEOF {
				t.Errorf("3 bytes: %v, want io.ErrUnexpectedEOF", err)
			}
			r := wire.NewReader(bytes.NewReader(nil))
			_ = read(r)
			if err := read(r); err != io.EOF {
				t.Errorf("second read at the end: %v, want io.EOF", err)
			}
		})
	}
}

func TestReaderRead(t *testing.T) {
	raw := payload(300)
	data := cat(wire.AppendString(nil, "head"), raw)
	t.Run("buffered then direct", func(t *testing.T) {
		src := &countReader{r: bytes.NewReader(data)}
		r := wire.NewReaderSize(src, 64)
		if s, err := r.String(0, 10); err != nil || s != "head" {
			t.Fatalf("String = %q, %v", s, err)
		}
		buffered := r.Buffered()
		if buffered == 0 || int64(buffered) != src.n-r.Offset() {
			t.Fatalf("Buffered = %d, read %d, offset %d", buffered, src.n, r.Offset())
		}
		if n, err := r.Read(nil); n != 0 || err != nil {
			t.Fatalf("Read(nil) = %d, %v", n, err)
		}
		got := make([]byte, 0, len(raw))
		p := make([]byte, 5)
		k, err := r.Read(p) // served from the buffer
		if k != 5 || err != nil {
			t.Fatalf("Read = %d, %v", k, err)
		}
		got = append(got, p[:k]...)
		big := make([]byte, 1000)
		for err == nil {
			k, err = r.Read(big)
			got = append(got, big[:k]...)
		}
		if err != io.EOF || !bytes.Equal(got, raw) {
			t.Fatalf("raw bytes: %d of %d, err %v", len(got), len(raw), err)
		}
		if r.Offset() != int64(len(data)) {
			t.Errorf("Offset = %d, want %d", r.Offset(), len(data))
		}
	})
	t.Run("io.ReadAll through iotest readers", func(t *testing.T) {
		for _, src := range sources() {
			r := wire.NewReaderSize(src.wrap(data), 64)
			if s, err := r.String(0, 10); err != nil || s != "head" {
				t.Fatalf("%s: String = %q, %v", src.name, s, err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("%s: ReadAll = %d bytes, %v", src.name, len(got), err)
			}
			if r.Offset() != int64(len(data)) {
				t.Errorf("%s: Offset = %d", src.name, r.Offset())
			}
		}
	})
	t.Run("iotest.TestReader", func(t *testing.T) {
		r := wire.NewReaderSize(bytes.NewReader(data), 64)
		if err := iotest.TestReader(r, data); err != nil {
			t.Error(err)
		}
	})
	t.Run("source error returned once", func(t *testing.T) {
		r := wire.NewReaderSize(&errAtReader{data: data, at: 20, err: errInjected, once: true}, 64)
		got, err := io.ReadAll(r)
		if err != errInjected || !bytes.Equal(got, data[:20]) {
			t.Fatalf("ReadAll = %d bytes, %v; want 20 and the injected error", len(got), err)
		}
		rest, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(rest, data[20:]) {
			t.Fatalf("after the error: %d bytes, %v", len(rest), err)
		}
	})
}

func TestReaderReset(t *testing.T) {
	r := wire.NewReaderSize(&errAtReader{data: wire.AppendUint64(nil, 5), at: 3, err: errInjected}, 64)
	if _, err := r.Uint64(); err != errInjected {
		t.Fatalf("err = %v", err)
	}
	if r.Buffered() != 3 {
		t.Fatalf("Buffered = %d, want 3", r.Buffered())
	}
	data := cat(wire.AppendUint64(nil, 9), wire.AppendString(nil, "x"))
	r.Reset(bytes.NewReader(data))
	if r.Offset() != 0 || r.Buffered() != 0 || r.ValueOffset() != 0 {
		t.Fatalf("after Reset: Offset %d Buffered %d ValueOffset %d", r.Offset(), r.Buffered(), r.ValueOffset())
	}
	if v, err := r.Uint64(); err != nil || v != 9 {
		t.Fatalf("Uint64 after Reset = %d, %v", v, err)
	}
	if s, err := r.String(0, 1); err != nil || s != "x" {
		t.Fatalf("String after Reset = %q, %v", s, err)
	}
	src := bytes.NewReader(data)
	if a := testing.AllocsPerRun(50, func() {
		src.Reset(data)
		r.Reset(src)
		sinkU64, _ = r.Uint64()
	}); a != 0 {
		t.Errorf("Reset allocates: %v", a)
	}
}

type badCountReader struct{ n int }

func (b badCountReader) Read(p []byte) (int, error) {
	if b.n < 0 {
		return b.n, nil
	}
	return len(p) + b.n, nil
}

type nothingReader struct{ calls int }

func (r *nothingReader) Read(p []byte) (int, error) { r.calls++; return 0, nil }

func TestReaderBadSources(t *testing.T) {
	t.Run("no progress", func(t *testing.T) {
		src := &nothingReader{}
		r := wire.NewReader(src)
		if _, err := r.Uint64(); err != io.ErrNoProgress {
			t.Errorf("err = %v, want io.ErrNoProgress", err)
		}
		if src.calls < 2 || src.calls > 1000 {
			t.Errorf("%d calls", src.calls)
		}
	})
	t.Run("stalls are retried", func(t *testing.T) {
		r := wire.NewReader(&stallReader{r: iotest.OneByteReader(bytes.NewReader(le64(77))), stalls: 50})
		if v, err := r.Uint64(); err != nil || v != 77 {
			t.Errorf("Uint64 = %d, %v", v, err)
		}
	})
	for _, n := range []int{1, 1 << 20, -1} {
		t.Run(fmt.Sprintf("invalid count %+d", n), func(t *testing.T) {
			r := wire.NewReaderSize(badCountReader{n}, 64)
			if _, err := r.Uint64(); err == nil || !strings.Contains(err.Error(), "invalid") {
				t.Errorf("Uint64 err = %v", err)
			}
			r = wire.NewReaderSize(badCountReader{n}, 64)
			if _, err := r.Read(make([]byte, 10)); err == nil {
				t.Errorf("Read accepted an invalid count")
			}
			r = wire.NewReaderSize(badCountReader{n}, 64)
			if _, err := r.Read(make([]byte, 100)); err == nil {
				t.Errorf("large Read accepted an invalid count")
			}
		})
	}
}

// repeatReader yields data over and over, never ending.
type repeatReader struct {
	data []byte
	pos  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.data[r.pos:])
		n += k
		r.pos = (r.pos + k) % len(r.data)
	}
	return n, nil
}

func TestReaderAllocs(t *testing.T) {
	path := "/nix/store/0c0dr5zlfcbwv4k9vwyvfxzhqa5m6xg0-hello-2.12.1"
	dst := make([]byte, 0, 128)
	tests := []struct {
		name string
		data []byte
		want float64
		f    func(r *wire.Reader)
	}{
		{"Uint64", le64(12345), 0, func(r *wire.Reader) { sinkU64, _ = r.Uint64() }},
		{"Bool", le64(1), 0, func(r *wire.Reader) { sinkBool, _ = r.Bool() }},
		{"Uint", le64(3), 0, func(r *wire.Reader) { sinkU64, _ = r.Uint(3) }},
		{"Count", le64(3), 0, func(r *wire.Reader) { sinkInt, _ = r.Count(0, 3) }},
		{"String", wire.AppendString(nil, path), 1, func(r *wire.Reader) { sinkString, _ = r.String(0, 100) }},
		{"String empty", wire.AppendString(nil, ""), 0, func(r *wire.Reader) { sinkString, _ = r.String(0, 100) }},
		{"AppendBytes reused", wire.AppendString(nil, path), 0, func(r *wire.Reader) { sinkBytes, _ = r.AppendBytes(dst[:0], 0, 100) }},
		{"Bytes", wire.AppendString(nil, path), 1, func(r *wire.Reader) { sinkBytes, _ = r.Bytes(0, 100) }},
		{"Read", payload(24), 0, func(r *wire.Reader) { _, _ = r.Read(dst[:17]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wire.NewReader(&repeatReader{data: tt.data})
			if got := testing.AllocsPerRun(1000, func() { tt.f(r) }); got != tt.want {
				t.Errorf("%v allocs per run, want %v", got, tt.want)
			}
		})
	}
}
