package wire_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// writeOp is one call on a Writer with the bytes it must produce.
type writeOp struct {
	name string
	want []byte
	do   func(w *wire.Writer) error
}

func writeOps() []writeOp {
	ops := []writeOp{
		{"Uint64", wire.AppendUint64(nil, 0x0102030405060708), func(w *wire.Writer) error { return w.Uint64(0x0102030405060708) }},
		{"Bool true", le64(1), func(w *wire.Writer) error { return w.Bool(true) }},
		{"Bool false", le64(0), func(w *wire.Writer) error { return w.Bool(false) }},
	}
	for _, n := range []int{0, 1, 7, 8, 9, 17, 55, 56, 57, 63, 64, 65, 200, 1 << 20} {
		p := payload(n)
		ops = append(ops,
			writeOp{fmt.Sprintf("Bytes %d", n), packet(p), func(w *wire.Writer) error { return w.Bytes(p) }},
			writeOp{fmt.Sprintf("String %d", n), packet(p), func(w *wire.Writer) error { return w.String(string(p)) }},
			writeOp{fmt.Sprintf("Write %d", n), p, func(w *wire.Writer) error {
				k, err := w.Write(p)
				if err == nil && k != len(p) {
					return fmt.Errorf("Write = %d", k)
				}
				return err
			}},
			writeOp{fmt.Sprintf("WriteString %d", n), p, func(w *wire.Writer) error {
				k, err := w.WriteString(string(p))
				if err == nil && k != len(p) {
					return fmt.Errorf("WriteString = %d", k)
				}
				return err
			}},
			writeOp{fmt.Sprintf("WriteBytes %d", n), packet(p), func(w *wire.Writer) error { return wire.WriteBytes(w, p) }},
		)
	}
	return ops
}

func TestWriterByteExact(t *testing.T) {
	ops := writeOps()
	var want []byte
	for _, op := range ops {
		want = append(want, op.want...)
	}
	sinks := []struct {
		name string
		w    func() (io.Writer, func() []byte)
	}{
		{"bytes.Buffer", func() (io.Writer, func() []byte) { var b bytes.Buffer; return &b, b.Bytes }},
		{"short writes of 3", func() (io.Writer, func() []byte) { s := &shortWriter{max: 3}; return s, s.buf.Bytes }},
	}
	for _, sink := range sinks {
		for _, size := range []int{0, 64, 100, wire.DefaultBufferSize} {
			t.Run(fmt.Sprintf("%s/buffer=%d", sink.name, size), func(t *testing.T) {
				dst, out := sink.w()
				w := wire.NewWriterSize(dst, size)
				var off int64
				for _, op := range ops {
					if err := op.do(w); err != nil {
						t.Fatalf("%s: %v", op.name, err)
					}
					off += int64(len(op.want))
					if w.Offset() != off {
						t.Fatalf("%s: Offset = %d, want %d", op.name, w.Offset(), off)
					}
					if got := int64(len(out())) + int64(w.Buffered()); got != off {
						t.Fatalf("%s: written %d + buffered %d != %d", op.name, len(out()), w.Buffered(), off)
					}
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				if w.Buffered() != 0 || w.Err() != nil {
					t.Fatalf("after Flush: Buffered %d, Err %v", w.Buffered(), w.Err())
				}
				if got := out(); !bytes.Equal(got, want) {
					t.Fatalf("output differs from the Append* encoding (%d vs %d bytes)", len(got), len(want))
				}
			})
		}
	}
	t.Run("NewWriter", func(t *testing.T) {
		var b bytes.Buffer
		w := wire.NewWriter(&b)
		for _, op := range ops {
			if err := op.do(w); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil || !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("output differs, err %v", err)
		}
	})
}

// TestWriterBuffering: small values stay in the buffer until Flush; a
// large raw write with an empty buffer goes out in a single call.
func TestWriterBuffering(t *testing.T) {
	cw := &callWriter{}
	w := wire.NewWriterSize(cw, 64)
	for range 8 {
		if err := w.Uint64(1); err != nil {
			t.Fatal(err)
		}
	}
	if cw.calls != 0 || w.Buffered() != 64 {
		t.Fatalf("64 bytes of values: %d calls, %d buffered", cw.calls, w.Buffered())
	}
	if err := w.Uint64(2); err != nil || cw.calls != 1 || w.Buffered() != 8 {
		t.Fatalf("value 9: err %v, %d calls, %d buffered", err, cw.calls, w.Buffered())
	}
	if err := w.Flush(); err != nil || cw.calls != 2 {
		t.Fatalf("Flush: %v, %d calls", err, cw.calls)
	}
	if err := w.Flush(); err != nil || cw.calls != 2 {
		t.Fatalf("empty Flush: %v, %d calls", err, cw.calls)
	}
	big := payload(1000)
	if n, err := w.Write(big); n != 1000 || err != nil || cw.calls != 3 {
		t.Fatalf("large Write = %d, %v with %d calls", n, err, cw.calls)
	}
	if !bytes.Equal(cw.buf.Bytes()[72:], big) {
		t.Fatal("large write mangled")
	}
	if w.Offset() != 72+1000 {
		t.Fatalf("Offset = %d", w.Offset())
	}
}

// TestWriterStickyErrors fails the underlying writer at many offsets: the
// error comes back unchanged, from then on every call returns it, and what
// reached the writer is a prefix of the right output.
func TestWriterStickyErrors(t *testing.T) {
	ops := writeOps()[:30]
	var want []byte
	for _, op := range ops {
		want = append(want, op.want...)
	}
	for _, at := range []int{0, 1, 7, 8, 9, 63, 64, 65, 100, 200, len(want) - 1} {
		t.Run(fmt.Sprintf("at=%d", at), func(t *testing.T) {
			ew := &errAtWriter{at: at, err: errInjected}
			w := wire.NewWriterSize(ew, 64)
			var first error
			for _, op := range ops {
				err := op.do(w)
				if first == nil {
					first = err
				} else if err != errInjected {
					t.Fatalf("%s after the error: %v, want the injected error", op.name, err)
				}
			}
			if err := w.Flush(); err != errInjected {
				t.Fatalf("Flush = %v, want the injected error", err)
			} else if first == nil { // the data was still buffered
				first = err
			}
			if first != errInjected || w.Err() != errInjected {
				t.Fatalf("first error %v, Err %v", first, w.Err())
			}
			if err := w.Uint64(1); err != errInjected {
				t.Fatalf("Uint64 after the error = %v", err)
			}
			if n, err := w.Write([]byte("x")); n != 0 || err != errInjected {
				t.Fatalf("Write after the error = %d, %v", n, err)
			}
			if n, err := w.WriteString("x"); n != 0 || err != errInjected {
				t.Fatalf("WriteString after the error = %d, %v", n, err)
			}
			if got := ew.buf.Bytes(); len(got) != at || !bytes.Equal(got, want[:at]) {
				t.Fatalf("writer got %d bytes, want the first %d of the output", len(got), at)
			}
		})
	}
	t.Run("Reset clears", func(t *testing.T) {
		w := wire.NewWriterSize(&errAtWriter{err: errInjected}, 64)
		_ = w.Uint64(1)
		if err := w.Flush(); err != errInjected {
			t.Fatalf("Flush = %v", err)
		}
		var b bytes.Buffer
		w.Reset(&b)
		if w.Err() != nil || w.Buffered() != 0 || w.Offset() != 0 {
			t.Fatalf("after Reset: Err %v Buffered %d Offset %d", w.Err(), w.Buffered(), w.Offset())
		}
		if err := w.String("ok"); err != nil || w.Flush() != nil || !bytes.Equal(b.Bytes(), packet([]byte("ok"))) {
			t.Fatalf("after Reset: % x, %v", b.Bytes(), err)
		}
	})
}

func TestWriterShortWrites(t *testing.T) {
	t.Run("writer accepting nothing", func(t *testing.T) {
		zw := &zeroWriter{}
		w := wire.NewWriterSize(zw, 64)
		_ = w.String("hello")
		if err := w.Flush(); err != io.ErrShortWrite {
			t.Fatalf("Flush = %v, want io.ErrShortWrite", err)
		}
		if zw.calls != 1 {
			t.Errorf("%d calls to a writer that makes no progress", zw.calls)
		}
		if err := w.Uint64(1); err != io.ErrShortWrite {
			t.Errorf("after: %v", err)
		}
	})
	t.Run("large write to a writer accepting nothing", func(t *testing.T) {
		w := wire.NewWriterSize(&zeroWriter{}, 64)
		if n, err := w.Write(payload(100)); err != io.ErrShortWrite || n != 0 {
			t.Fatalf("Write = %d, %v", n, err)
		}
	})
	t.Run("one byte per call", func(t *testing.T) {
		sw := &shortWriter{max: 1}
		w := wire.NewWriterSize(sw, 64)
		p := payload(130)
		if err := w.Bytes(p); err != nil || w.Flush() != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sw.buf.Bytes(), packet(p)) {
			t.Fatalf("got % x", sw.buf.Bytes())
		}
	})
	t.Run("invalid count", func(t *testing.T) {
		w := wire.NewWriterSize(overWriter{}, 64)
		_ = w.Uint64(1)
		if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "invalid") {
			t.Fatalf("Flush = %v", err)
		}
	})
}

// overWriter claims to have written more than it was given.
type overWriter struct{}

func (overWriter) Write(p []byte) (int, error) { return len(p) + 1, nil }

func TestWriterAllocs(t *testing.T) {
	path := "/nix/store/0c0dr5zlfcbwv4k9vwyvfxzhqa5m6xg0-hello-2.12.1"
	pathBytes := []byte(path)
	big := payload(100 << 10)
	tests := []struct {
		name string
		f    func(w *wire.Writer)
	}{
		{"Uint64", func(w *wire.Writer) { _ = w.Uint64(7) }},
		{"Bool", func(w *wire.Writer) { _ = w.Bool(true) }},
		{"String", func(w *wire.Writer) { _ = w.String(path) }},
		{"Bytes", func(w *wire.Writer) { _ = w.Bytes(pathBytes) }},
		{"Bytes large", func(w *wire.Writer) { _ = w.Bytes(big) }},
		{"Write", func(w *wire.Writer) { _, _ = w.Write(pathBytes) }},
		{"WriteString", func(w *wire.Writer) { _, _ = w.WriteString(path) }},
		{"WriteBytes", func(w *wire.Writer) { _ = wire.WriteBytes(w, pathBytes) }},
		{"Flush", func(w *wire.Writer) { _ = w.Uint64(1); _ = w.Flush() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := wire.NewWriter(io.Discard)
			if got := testing.AllocsPerRun(1000, func() { tt.f(w) }); got != 0 {
				t.Errorf("%v allocs per run, want 0", got)
			}
			if w.Err() != nil {
				t.Error(w.Err())
			}
		})
	}
}
