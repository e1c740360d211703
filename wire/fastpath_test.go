package wire_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// TestWriterReserve covers Reserve and Commit: the appended bytes land in
// order with the values around them, a full buffer is flushed first, a
// request larger than the buffer or a pending error is refused, and a slice
// not from Reserve (or reallocated by append) is copied in, not lost.
func TestWriterReserve(t *testing.T) {
	t.Run("in order", func(t *testing.T) {
		var out bytes.Buffer
		w := wire.NewWriterSize(&out, 64)
		_ = w.Uint64(1)
		b, ok := w.Reserve(24)
		if !ok || len(b) != 0 || cap(b) < 24 {
			t.Fatalf("Reserve(24) = len %d cap %d, %v", len(b), cap(b), ok)
		}
		b = wire.AppendString(b, "hello")
		w.Commit(b)
		_ = w.Uint64(2)
		if w.Offset() != 8+16+8 || w.Buffered() != 32 {
			t.Fatalf("Offset %d, Buffered %d", w.Offset(), w.Buffered())
		}
		want := append(append(le64(1), packet([]byte("hello"))...), le64(2)...)
		if err := w.Flush(); err != nil || !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("got % x, %v", out.Bytes(), err)
		}
	})
	t.Run("flushes first", func(t *testing.T) {
		cw := &callWriter{}
		w := wire.NewWriterSize(cw, 64)
		_, _ = w.Write(payload(50))
		if b, ok := w.Reserve(20); !ok || cap(b) < 20 || cw.calls != 1 || w.Buffered() != 0 {
			t.Fatalf("Reserve(20) after 50 bytes: cap %d, %v, %d calls, %d buffered", cap(b), ok, cw.calls, w.Buffered())
		}
		if w.Offset() != 50 {
			t.Fatalf("Offset = %d", w.Offset())
		}
	})
	t.Run("too large", func(t *testing.T) {
		cw := &callWriter{}
		w := wire.NewWriterSize(cw, 64)
		_ = w.Uint64(1)
		if _, ok := w.Reserve(65); ok || cw.calls != 0 {
			t.Fatalf("Reserve(65) of a 64-byte buffer: %v, %d calls", ok, cw.calls)
		}
	})
	t.Run("pending error", func(t *testing.T) {
		w := wire.NewWriterSize(&errAtWriter{err: errInjected}, 64)
		_ = w.Uint64(1)
		_ = w.Flush()
		if _, ok := w.Reserve(8); ok {
			t.Fatal("Reserve succeeded with an error pending")
		}
		w.Commit(le64(3))
		if w.Err() != errInjected || w.Offset() != 8 {
			t.Fatalf("Commit after the error: Err %v, Offset %d", w.Err(), w.Offset())
		}
	})
	t.Run("foreign or reallocated slice", func(t *testing.T) {
		var out bytes.Buffer
		w := wire.NewWriterSize(&out, 64)
		b, _ := w.Reserve(8)
		b = append(b, payload(100)...) // outgrows the buffer: reallocated
		w.Commit(b)
		w.Commit([]byte("xyz")) // never reserved
		w.Commit(nil)
		if err := w.Flush(); err != nil || !bytes.Equal(out.Bytes(), append(payload(100), "xyz"...)) {
			t.Fatalf("got %d bytes, %v", out.Len(), err)
		}
	})
	t.Run("no allocation", func(t *testing.T) {
		w := wire.NewWriter(io.Discard)
		if n := testing.AllocsPerRun(1000, func() {
			b, _ := w.Reserve(64)
			w.Commit(wire.AppendString(b, "/nix/store/0c0dr5zlfcbwv4k9vwyvfxzhqa5m6xg0-hello"))
		}); n != 0 {
			t.Fatalf("%v allocs per Reserve and Commit", n)
		}
	})
}

// TestGrowList checks that a list grows from the first chunk by doubling
// to exactly n, reusing capacity, and never beyond n.
func TestGrowList(t *testing.T) {
	var s []int
	var lens []int
	for len(s) < 10000 {
		s = wire.GrowList(s, 10000, 1024)
		lens = append(lens, len(s))
	}
	want := []int{1024, 2048, 4096, 8192, 10000}
	if len(lens) != len(want) {
		t.Fatalf("lengths %v, want %v", lens, want)
	}
	for i := range want {
		if lens[i] != want[i] {
			t.Fatalf("lengths %v, want %v", lens, want)
		}
	}
	if cap(s) != 10000 {
		t.Fatalf("capacity %d for 10000 elements", cap(s))
	}
	if got := wire.GrowList([]int{1, 2}, 3, 0); len(got) != 3 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("GrowList([1 2], 3, 0) = %v", got)
	}
	if got := wire.GrowList(make([]int, 1, 8), 100, 0); len(got) != 2 || cap(got) != 8 {
		t.Fatalf("GrowList in capacity: len %d cap %d", len(got), cap(got))
	}
	if got := wire.GrowList([]int(nil), 5, 1024); len(got) != 5 {
		t.Fatalf("GrowList(nil, 5, 1024) has length %d", len(got))
	}
}

// TestPaddingEveryByte sets each padding byte of packets of every payload
// length mod 8 in turn, with payload bytes of all ones: the padding checks
// of both paths (one load of the packet's last word) must refuse exactly
// the packets with a non-zero padding byte, whether the packet is wholly
// buffered or not.
func TestPaddingEveryByte(t *testing.T) {
	for n := 1; n <= 23; n++ {
		p := bytes.Repeat([]byte{0xff}, n)
		good := packet(p)
		for bad := n + 8; bad <= len(good); bad++ {
			data := bytes.Clone(good)
			want := error(nil)
			if bad < len(good) {
				data[bad] = 0x80
				want = wire.ErrPadding
			}
			if _, _, err := wire.ConsumeString(data, 0, 100); err != want {
				t.Errorf("n=%d bad=%d: ConsumeString: %v, want %v", n, bad, err, want)
			}
			if _, _, err := wire.ConsumeBytes(data, 0, 100); err != want {
				t.Errorf("n=%d bad=%d: ConsumeBytes: %v, want %v", n, bad, err, want)
			}
			for _, chunk := range []int{1, len(data)} {
				r := wire.NewReader(&chunkReader{r: bytes.NewReader(data), sizes: []int{chunk}})
				if _, err := r.String(0, 100); err != want {
					t.Errorf("n=%d bad=%d chunk=%d: String: %v, want %v", n, bad, chunk, err, want)
				}
				r = wire.NewReader(&chunkReader{r: bytes.NewReader(data), sizes: []int{chunk}})
				if _, err := r.Bytes(0, 100); err != want {
					t.Errorf("n=%d bad=%d chunk=%d: Bytes: %v, want %v", n, bad, chunk, err, want)
				}
			}
		}
	}
}
