package wire_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

func TestBytesWriterPayloads(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 16, 17, 1 << 20} {
		p := payload(n)
		want := packet(p)
		t.Run(fmt.Sprintf("%d/one write", n), func(t *testing.T) {
			var b bytes.Buffer
			bw := wire.NewBytesWriter(&b, uint64(n))
			if b.Len() != 0 {
				t.Fatal("NewBytesWriter wrote before the first Write")
			}
			if k, err := bw.Write(p); k != n || err != nil {
				t.Fatalf("Write = %d, %v", k, err)
			}
			if bw.Len() != 0 {
				t.Fatalf("Len = %d after the whole payload", bw.Len())
			}
			if err := bw.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Fatalf("wrote % x, want % x", head(b.Bytes()), head(want))
			}
		})
		t.Run(fmt.Sprintf("%d/io.Copy in small pieces", n), func(t *testing.T) {
			var b bytes.Buffer
			bw := wire.NewBytesWriter(&b, uint64(n))
			if _, err := io.CopyBuffer(bw, onlyReader{bytes.NewReader(p)}, make([]byte, 5)); err != nil {
				t.Fatal(err)
			}
			if err := bw.Close(); err != nil || !bytes.Equal(b.Bytes(), want) {
				t.Fatalf("wrote % x, %v", head(b.Bytes()), err)
			}
		})
		t.Run(fmt.Sprintf("%d/WriteBytes", n), func(t *testing.T) {
			cw := &callWriter{}
			if err := wire.WriteBytes(cw, p); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(cw.buf.Bytes(), want) || cw.calls != 1 {
				t.Fatalf("wrote % x in %d calls, want % x in 1", head(cw.buf.Bytes()), cw.calls, head(want))
			}
		})
	}
}

// onlyReader hides WriteTo so that io.CopyBuffer uses the given buffer.
type onlyReader struct{ io.Reader }

func head(b []byte) []byte { return b[:min(len(b), 40)] }

func TestBytesWriterCloseAlone(t *testing.T) {
	var b bytes.Buffer
	bw := wire.NewBytesWriter(&b, 0)
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), make([]byte, 8)) {
		t.Fatalf("wrote % x, want 8 zero bytes", b.Bytes())
	}
	if err := bw.Close(); err != nil || b.Len() != 8 {
		t.Fatalf("second Close = %v, now %d bytes", err, b.Len())
	}
	if k, err := bw.Write(nil); k != 0 || err != wire.ErrClosed {
		t.Fatalf("Write after Close = %d, %v; want ErrClosed", k, err)
	}
	if k, err := bw.Write([]byte("x")); k != 0 || err != wire.ErrClosed {
		t.Fatalf("Write after Close = %d, %v", k, err)
	}
}

func TestBytesWriterPieces(t *testing.T) {
	var b bytes.Buffer
	bw := wire.NewBytesWriter(&b, 9)
	pieces := []string{"", "12", "", "", "3", "45678", "", "9", ""}
	for _, s := range pieces {
		if k, err := bw.Write([]byte(s)); k != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, k, err)
		}
	}
	if k, err := bw.Write([]byte{}); k != 0 || err != nil {
		t.Fatalf("empty Write at the end = %d, %v", k, err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), p9()) {
		t.Fatalf("wrote % x, want % x", b.Bytes(), p9())
	}
}

// TestBytesWriterShortWrites: an inner writer that accepts fewer bytes
// than offered (without an error) is written to until all are taken; the
// padding goes out as exactly 7 zero bytes in two calls.
func TestBytesWriterShortWrites(t *testing.T) {
	sw := &shortWriter{max: 4}
	bw := wire.NewBytesWriter(sw, 9)
	if k, err := bw.Write([]byte("123456789")); k != 9 || err != nil {
		t.Fatalf("Write = %d, %v", k, err)
	}
	before := len(sw.calls)
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sw.buf.Bytes(), p9()) {
		t.Fatalf("wrote % x, want % x", sw.buf.Bytes(), p9())
	}
	if got := sw.calls[before:]; len(got) != 2 || got[0] != 7 || got[1] != 3 {
		t.Fatalf("padding written in calls of %v, want [7 3] (two short writes)", got)
	}
	for _, max := range []int{1, 2, 3, 5, 7} {
		sw := &shortWriter{max: max}
		bw := wire.NewBytesWriter(sw, 9)
		_, err1 := bw.Write([]byte("1234"))
		_, err2 := bw.Write([]byte("56789"))
		if err := bw.Close(); err != nil || err1 != nil || err2 != nil || !bytes.Equal(sw.buf.Bytes(), p9()) {
			t.Fatalf("max %d: wrote % x, errors %v %v %v", max, sw.buf.Bytes(), err1, err2, err)
		}
	}
}

func TestBytesWriterTooLong(t *testing.T) {
	t.Run("one write", func(t *testing.T) {
		var b bytes.Buffer
		bw := wire.NewBytesWriter(&b, 9)
		if k, err := bw.Write([]byte("1234567890")); k != 0 || err != wire.ErrWriteTooLong {
			t.Fatalf("Write = %d, %v; want 0, ErrWriteTooLong", k, err)
		}
		if b.Len() != 0 {
			t.Fatalf("a refused write wrote % x", b.Bytes())
		}
		// The writer is still usable for the right payload.
		if _, err := bw.Write([]byte("123456789")); err != nil || bw.Close() != nil || !bytes.Equal(b.Bytes(), p9()) {
			t.Fatalf("after the refusal: % x, %v", b.Bytes(), err)
		}
	})
	t.Run("split write", func(t *testing.T) {
		var b bytes.Buffer
		bw := wire.NewBytesWriter(&b, 9)
		if k, err := bw.Write([]byte("12345")); k != 5 || err != nil {
			t.Fatalf("first Write = %d, %v", k, err)
		}
		if k, err := bw.Write([]byte("67890")); k != 0 || err != wire.ErrWriteTooLong {
			t.Fatalf("second Write = %d, %v; want 0, ErrWriteTooLong", k, err)
		}
		if want := cat(le64(9), []byte("12345")); !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("wrote % x, want % x (nothing of the refused write)", b.Bytes(), want)
		}
		if bw.Len() != 4 {
			t.Fatalf("Len = %d, want 4", bw.Len())
		}
		if _, err := bw.Write([]byte("6789")); err != nil {
			t.Fatal(err)
		}
		if k, err := bw.Write([]byte("0")); k != 0 || err != wire.ErrWriteTooLong {
			t.Fatalf("one byte past the end = %d, %v", k, err)
		}
		if err := bw.Close(); err != nil || !bytes.Equal(b.Bytes(), p9()) {
			t.Fatalf("wrote % x, %v", b.Bytes(), err)
		}
	})
	t.Run("empty packet", func(t *testing.T) {
		var b bytes.Buffer
		bw := wire.NewBytesWriter(&b, 0)
		if k, err := bw.Write([]byte("x")); k != 0 || err != wire.ErrWriteTooLong || b.Len() != 0 {
			t.Fatalf("Write = %d, %v, wrote %d", k, err, b.Len())
		}
	})
}

func TestBytesWriterIncomplete(t *testing.T) {
	var b bytes.Buffer
	bw := wire.NewBytesWriter(&b, 9)
	if _, err := bw.Write([]byte("1234")); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != wire.ErrIncomplete {
		t.Fatalf("Close with half the payload = %v, want ErrIncomplete", err)
	}
	if want := cat(le64(9), []byte("1234")); !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("wrote % x, want % x (no padding)", b.Bytes(), want)
	}
	t.Run("nothing written", func(t *testing.T) {
		var b bytes.Buffer
		if err := wire.NewBytesWriter(&b, 1).Close(); err != wire.ErrIncomplete || b.Len() != 0 {
			t.Fatalf("Close = %v, wrote % x", err, b.Bytes())
		}
	})
}

func TestBytesWriterZeroProgress(t *testing.T) {
	t.Run("during the length", func(t *testing.T) {
		zw := &zeroWriter{}
		bw := wire.NewBytesWriter(zw, 3)
		if k, err := bw.Write([]byte("abc")); k != 0 || err != io.ErrShortWrite {
			t.Fatalf("Write = %d, %v; want io.ErrShortWrite", k, err)
		}
		if zw.calls != 1 {
			t.Fatalf("%d calls", zw.calls)
		}
		if err := bw.Close(); err != io.ErrShortWrite {
			t.Fatalf("Close = %v", err)
		}
	})
	t.Run("during the payload", func(t *testing.T) {
		w := &stopWriter{after: 8}
		bw := wire.NewBytesWriter(w, 3)
		if k, err := bw.Write([]byte("abc")); k != 0 || err != io.ErrShortWrite {
			t.Fatalf("Write = %d, %v; want io.ErrShortWrite", k, err)
		}
	})
	t.Run("during the padding", func(t *testing.T) {
		w := &stopWriter{after: 11}
		bw := wire.NewBytesWriter(w, 3)
		if k, err := bw.Write([]byte("abc")); k != 3 || err != nil {
			t.Fatalf("Write = %d, %v", k, err)
		}
		if err := bw.Close(); err != io.ErrShortWrite {
			t.Fatalf("Close = %v, want io.ErrShortWrite", err)
		}
	})
	t.Run("WriteBytes", func(t *testing.T) {
		if err := wire.WriteBytes(&zeroWriter{}, []byte("abc")); err != io.ErrShortWrite {
			t.Fatalf("WriteBytes = %v", err)
		}
	})
}

// stopWriter accepts after bytes, then accepts nothing without an error.
type stopWriter struct {
	buf   bytes.Buffer
	after int
}

func (w *stopWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.after-w.buf.Len())
	w.buf.Write(p[:n])
	return n, nil
}

// TestBytesWriterInnerErrors fails the inner writer at every offset of a
// 9-byte packet: in the length, the payload and the padding. The error
// comes back unchanged from the call that hit it and from every call after.
func TestBytesWriterInnerErrors(t *testing.T) {
	for at := 0; at < 24; at++ {
		part := "length"
		if at >= 17 {
			part = "padding"
		} else if at >= 8 {
			part = "payload"
		}
		t.Run(fmt.Sprintf("at=%d (%s)", at, part), func(t *testing.T) {
			ew := &errAtWriter{at: at, err: errInjected}
			bw := wire.NewBytesWriter(ew, 9)
			k, werr := bw.Write([]byte("123456789"))
			cerr := bw.Close()
			switch part {
			case "length":
				if k != 0 || werr != errInjected {
					t.Fatalf("Write = %d, %v; want 0 and the injected error", k, werr)
				}
			case "payload":
				if k != at-8 || werr != errInjected {
					t.Fatalf("Write = %d, %v; want %d and the injected error", k, werr, at-8)
				}
			case "padding":
				if k != 9 || werr != nil {
					t.Fatalf("Write = %d, %v", k, werr)
				}
			}
			if cerr != errInjected {
				t.Fatalf("Close = %v, want the injected error", cerr)
			}
			if err := bw.Close(); err != errInjected {
				t.Fatalf("second Close = %v", err)
			}
			if k, err := bw.Write(nil); k != 0 || err != errInjected {
				t.Fatalf("Write after the error = %d, %v", k, err)
			}
			if !bytes.Equal(ew.buf.Bytes(), p9()[:at]) {
				t.Fatalf("inner writer got % x", ew.buf.Bytes())
			}
		})
		t.Run(fmt.Sprintf("WriteBytes at=%d", at), func(t *testing.T) {
			ew := &errAtWriter{at: at, err: errInjected}
			if err := wire.WriteBytes(ew, []byte("123456789")); err != errInjected {
				t.Fatalf("WriteBytes = %v", err)
			}
		})
	}
}

func TestWriteBytesWriter(t *testing.T) {
	var b bytes.Buffer
	w := wire.NewWriterSize(&b, 64)
	if err := wire.WriteBytes(w, []byte("123456789")); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 0 || w.Buffered() != 24 {
		t.Fatalf("WriteBytes to a *Writer bypassed its buffer (%d written, %d buffered)", b.Len(), w.Buffered())
	}
	if err := w.Flush(); err != nil || !bytes.Equal(b.Bytes(), p9()) {
		t.Fatalf("wrote % x, %v", b.Bytes(), err)
	}
	sw := &shortWriter{max: 5}
	if err := wire.WriteBytes(sw, []byte("123456789")); err != nil || !bytes.Equal(sw.buf.Bytes(), p9()) {
		t.Fatalf("over short writes: % x, %v", sw.buf.Bytes(), err)
	}
}
