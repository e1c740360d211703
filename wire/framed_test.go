package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
	"testing/iotest"
	"time"

	"github.com/nixwire/nixwire/wire"
)

// framed builds a framed stream by hand: each chunk as a u64 length and
// its bytes, unpadded, then the zero-length terminator.
func framed(chunks ...[]byte) []byte {
	var out []byte
	for _, c := range chunks {
		out = append(out, le64(uint64(len(c)))...)
		out = append(out, c...)
	}
	return append(out, le64(0)...)
}

// chunksOf cuts p into pieces of the given sizes (the last one may be
// shorter), consuming p.
func chunksOf(p []byte, sizes ...int) [][]byte {
	var out [][]byte
	for i := 0; len(p) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(p))
		out = append(out, p[:n])
		p = p[n:]
	}
	return out
}

var sentinel = le64(0x5e5e5e5e5e5e5e5e)

type framedCase struct {
	name    string
	stream  []byte
	content []byte
}

func framedCases() []framedCase {
	many := payload(300)
	return []framedCase{
		{"terminator only", framed(), nil},
		{"one frame", framed([]byte("hello")), []byte("hello")},
		{"one byte frames", framed(chunksOf(many[:20], 1)...), many[:20]},
		{"many frames", framed(chunksOf(many, 1, 7, 8, 9, 100, 3)...), many},
		{"frame at the limit", framed(payload(100), payload(5)), cat(payload(100), payload(5))},
		{"unaligned sizes", framed([]byte("abc"), []byte("defgh"), []byte("i")), []byte("abcdefghi")},
	}
}

func TestFramedReader(t *testing.T) {
	inner := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"bytes.Reader", func(r io.Reader) io.Reader { return r }},
		{"OneByteReader", iotest.OneByteReader},
		{"HalfReader", iotest.HalfReader},
		{"stalling", func(r io.Reader) io.Reader { return &stallReader{r: iotest.OneByteReader(r), stalls: 2} }},
		{"chunks", func(r io.Reader) io.Reader { return &chunkReader{r: r, sizes: []int{3, 1, 8, 13, 7}} }},
	}
	outer := []struct {
		name string
		read func(io.Reader) ([]byte, error)
	}{
		{"ReadAll", io.ReadAll},
		{"OneByteReader", func(r io.Reader) ([]byte, error) { return io.ReadAll(iotest.OneByteReader(r)) }},
		{"reads of 5", func(r io.Reader) ([]byte, error) { return readAllChunks(r, 5) }},
	}
	for _, c := range framedCases() {
		for _, in := range inner {
			for _, out := range outer {
				t.Run(fmt.Sprintf("%s/%s/%s", c.name, in.name, out.name), func(t *testing.T) {
					base := bytes.NewReader(cat(c.stream, sentinel))
					src := &countReader{r: in.wrap(base)}
					fr := wire.NewFramedReader(src, 100)
					got, err := out.read(fr)
					if err != nil || !bytes.Equal(got, c.content) {
						t.Fatalf("got %q, %v; want %q", head(got), err, head(c.content))
					}
					if src.n != int64(len(c.stream)) {
						t.Fatalf("read %d bytes, want exactly the %d of the stream", src.n, len(c.stream))
					}
					if k, err := fr.Read(make([]byte, 10)); k != 0 || err != io.EOF {
						t.Fatalf("Read after the end = %d, %v", k, err)
					}
					if rest, _ := io.ReadAll(base); !bytes.Equal(rest, sentinel) {
						t.Fatalf("after the stream: % x", rest)
					}
				})
			}
		}
	}
	t.Run("iotest.TestReader", func(t *testing.T) {
		c := framedCases()[3]
		if err := iotest.TestReader(wire.NewFramedReader(bytes.NewReader(c.stream), 100), c.content); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no input", func(t *testing.T) {
		fr := wire.NewFramedReader(bytes.NewReader(nil), 100)
		if got, err := io.ReadAll(fr); err != io.ErrUnexpectedEOF || len(got) != 0 {
			t.Fatalf("ReadAll = %q, %v; want io.ErrUnexpectedEOF", got, err)
		}
	})
	t.Run("empty reads", func(t *testing.T) {
		fr := wire.NewFramedReader(bytes.NewReader(framed([]byte("ab"))), 100)
		if k, err := fr.Read(nil); k != 0 || err != nil {
			t.Fatalf("Read(nil) = %d, %v", k, err)
		}
		if got, err := io.ReadAll(fr); err != nil || string(got) != "ab" {
			t.Fatalf("ReadAll = %q, %v", got, err)
		}
		if k, err := fr.Read(nil); k != 0 || err != io.EOF {
			t.Fatalf("Read(nil) at the end = %d, %v", k, err)
		}
	})
}

func TestFramedReaderTooLarge(t *testing.T) {
	stream := framed([]byte("ok"), payload(101), []byte("after"))
	fr := wire.NewFramedReader(bytes.NewReader(cat(stream, sentinel)), 100)
	got, err := io.ReadAll(fr)
	if string(got) != "ok" || !errors.Is(err, wire.ErrTooLarge) {
		t.Fatalf("ReadAll = %q, %v; want \"ok\" and ErrTooLarge", got, err)
	}
	if err.Error() != "frame length 101 exceeds limit 100" {
		t.Errorf("message %q", err)
	}
	var le *wire.LimitError
	if !errors.As(err, &le) || le.N != 101 || le.Max != 100 {
		t.Errorf("LimitError %+v", le)
	}
	if k, err2 := fr.Read(make([]byte, 10)); k != 0 || err2 != err {
		t.Errorf("the error is not sticky: %d, %v", k, err2)
	}
	t.Run("2^63", func(t *testing.T) {
		src := &countReader{r: bytes.NewReader(cat(le64(1<<63), payload(100)))}
		fr := wire.NewFramedReader(src, 1<<20)
		if _, err := fr.Read(make([]byte, 10)); !errors.Is(err, wire.ErrTooLarge) {
			t.Fatalf("err = %v", err)
		}
		if src.n != 8 {
			t.Fatalf("read %d bytes, want only the 8 of the length", src.n)
		}
	})
}

// TestFramedReaderTruncated cuts a multi-frame stream at every offset: the
// content present comes out, then io.ErrUnexpectedEOF, never a panic.
func TestFramedReaderTruncated(t *testing.T) {
	chunks := chunksOf(payload(40), 1, 7, 8, 9)
	stream := framed(chunks...)
	for k := 0; k < len(stream); k++ {
		// The content bytes present in stream[:k].
		var want []byte
		pos := 0
		for _, c := range chunks {
			pos += 8
			if pos >= k {
				break
			}
			want = append(want, c[:min(len(c), k-pos)]...)
			pos += len(c)
		}
		for _, wrap := range []func(io.Reader) io.Reader{
			func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.DataErrReader,
		} {
			fr := wire.NewFramedReader(wrap(bytes.NewReader(stream[:k])), 100)
			got, err := io.ReadAll(fr)
			if err != io.ErrUnexpectedEOF || !bytes.Equal(got, want) {
				t.Fatalf("cut at %d: %q, %v; want %q, io.ErrUnexpectedEOF", k, got, err, want)
			}
			if _, err := fr.Read(make([]byte, 10)); err != io.ErrUnexpectedEOF {
				t.Fatalf("cut at %d: not sticky: %v", k, err)
			}
			if err := fr.Drain(); err != io.ErrUnexpectedEOF {
				t.Fatalf("cut at %d: Drain = %v", k, err)
			}
		}
	}
}

// TestFramedReaderDrain: after a partial read or an error, Drain leaves
// the underlying reader exactly after the terminator.
func TestFramedReaderDrain(t *testing.T) {
	chunks := chunksOf(payload(100), 1, 7, 8, 9, 30)
	stream := framed(chunks...)
	for read := 0; read <= 100; read += 7 {
		t.Run(fmt.Sprintf("after %d bytes", read), func(t *testing.T) {
			base := bytes.NewReader(cat(stream, sentinel))
			fr := wire.NewFramedReader(iotest.HalfReader(base), 100)
			if _, err := io.ReadFull(fr, make([]byte, read)); err != nil {
				t.Fatal(err)
			}
			if err := fr.Drain(); err != nil {
				t.Fatalf("Drain = %v", err)
			}
			checkSentinel(t, base)
			if k, err := fr.Read(make([]byte, 1)); k != 0 || err != io.EOF {
				t.Fatalf("Read after Drain = %d, %v", k, err)
			}
			if err := fr.Drain(); err != nil {
				t.Fatalf("second Drain = %v", err)
			}
		})
	}
	t.Run("after a too-large frame", func(t *testing.T) {
		base := bytes.NewReader(cat(framed([]byte("ok"), payload(5000), []byte("more")), sentinel))
		fr := wire.NewFramedReader(base, 100)
		if _, err := io.ReadAll(fr); !errors.Is(err, wire.ErrTooLarge) {
			t.Fatalf("err = %v", err)
		}
		if err := fr.Drain(); err != nil {
			t.Fatalf("Drain = %v", err)
		}
		checkSentinel(t, base)
	})
	t.Run("after a too-large frame header read one byte at a time", func(t *testing.T) {
		base := bytes.NewReader(cat(framed(payload(101)), sentinel))
		fr := wire.NewFramedReader(iotest.OneByteReader(base), 100)
		if _, err := fr.Read(make([]byte, 1)); !errors.Is(err, wire.ErrTooLarge) {
			t.Fatalf("err = %v", err)
		}
		if err := fr.Drain(); err != nil {
			t.Fatalf("Drain = %v", err)
		}
		checkSentinel(t, base)
	})
	t.Run("without reading", func(t *testing.T) {
		base := bytes.NewReader(cat(stream, sentinel))
		if err := wire.NewFramedReader(base, 1).Drain(); err != nil {
			t.Fatal(err)
		}
		checkSentinel(t, base)
	})
	t.Run("source error", func(t *testing.T) {
		fr := wire.NewFramedReader(&errAtReader{data: stream, at: 30, err: errInjected}, 100)
		if err := fr.Drain(); err != errInjected {
			t.Fatalf("Drain = %v, want the injected error", err)
		}
	})
	t.Run("source error once, then Drain again", func(t *testing.T) {
		base := &errAtReader{data: cat(stream, sentinel), at: 30, err: errInjected, once: true}
		fr := wire.NewFramedReader(base, 100)
		if err := fr.Drain(); err != errInjected {
			t.Fatalf("Drain = %v, want the injected error", err)
		}
		if err := fr.Drain(); err != nil {
			t.Fatalf("second Drain = %v", err)
		}
		if rest, _ := io.ReadAll(base); !bytes.Equal(rest, sentinel) {
			t.Fatalf("after the stream: % x", rest)
		}
	})
}

func checkSentinel(t *testing.T, r io.Reader) {
	t.Helper()
	v, err := wire.NewReader(r).Uint64()
	if err != nil || !bytes.Equal(le64(v), sentinel) {
		t.Fatalf("after the stream: %#x, %v; want the sentinel", v, err)
	}
}

// TestFramedReaderSourceErrors: an error of the source at any offset comes
// back unchanged, and reading again continues.
func TestFramedReaderSourceErrors(t *testing.T) {
	content := payload(40)
	stream := framed(chunksOf(content, 1, 7, 8, 9)...)
	for at := 0; at < len(stream); at++ {
		for _, size := range []int{1, 4, 100} {
			src := &errAtReader{data: cat(stream, sentinel), at: at, err: errInjected, once: true}
			fr := wire.NewFramedReader(src, 100)
			got, errs := readRetryingChunks(t, fr, errInjected, size)
			if errs != 1 || !bytes.Equal(got, content) {
				t.Fatalf("error at %d, reads of %d: %d errors, got %q", at, size, errs, got)
			}
			if src.pos != len(stream) {
				t.Fatalf("error at %d: read up to %d, want %d", at, src.pos, len(stream))
			}
		}
		// Not retried: the same error value comes back.
		fr := wire.NewFramedReader(&errAtReader{data: stream, at: at, err: errInjected}, 100)
		if _, err := io.ReadAll(fr); err != errInjected {
			t.Fatalf("error at %d: %v", at, err)
		}
	}
	t.Run("TimeoutReader", func(t *testing.T) {
		fr := wire.NewFramedReader(iotest.TimeoutReader(iotest.HalfReader(bytes.NewReader(stream))), 100)
		got, errs := readRetrying(t, fr, iotest.ErrTimeout)
		if errs != 1 || !bytes.Equal(got, content) {
			t.Fatalf("%d time-outs, got %q", errs, got)
		}
	})
	t.Run("invalid count", func(t *testing.T) {
		for _, n := range []int{1, -1} {
			fr := wire.NewFramedReader(badCountReader{n}, 100)
			if _, err := fr.Read(make([]byte, 10)); err == nil {
				t.Fatalf("header: invalid count %d accepted", n)
			}
			fr = wire.NewFramedReader(io.MultiReader(bytes.NewReader(le64(50)), badCountReader{n}), 100)
			if _, err := fr.Read(make([]byte, 10)); err == nil {
				t.Fatalf("data: invalid count %d accepted", n)
			}
		}
	})
}

func TestFramedWriter(t *testing.T) {
	for _, size := range []int{0, 1, 3, 8, 1000, wire.DefaultFrameSize} {
		for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 999, 1000, 1001, 2500, 100 << 10} {
			content := payload(n)
			chunk := size
			if chunk <= 0 {
				chunk = wire.DefaultFrameSize
			}
			want := framed(chunksOf(content, chunk)...)
			patterns := map[string][]int{
				"one write":    {n + 1},
				"bytes":        {1},
				"mixed pieces": {7, 0, 1, 3000, 2},
			}
			for pname, pieces := range patterns {
				if size == 1 && n > 3000 && pname != "one write" {
					continue
				}
				t.Run(fmt.Sprintf("chunk=%d/len=%d/%s", size, n, pname), func(t *testing.T) {
					var b bytes.Buffer
					fw := wire.NewFramedWriter(&b, size)
					rest := content
					for i := 0; len(rest) > 0; i++ {
						k := min(pieces[i%len(pieces)], len(rest))
						if w, err := fw.Write(rest[:k]); w != k || err != nil {
							t.Fatalf("Write = %d, %v", w, err)
						}
						rest = rest[k:]
					}
					if err := fw.Close(); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(b.Bytes(), want) {
						t.Fatalf("wrote %d bytes % x…, want %d bytes % x…", b.Len(), head(b.Bytes()), len(want), head(want))
					}
				})
			}
		}
	}
}

func TestFramedWriterFlushClose(t *testing.T) {
	cw := &callWriter{}
	fw := wire.NewFramedWriter(cw, 10)
	if k, err := fw.Write(nil); k != 0 || err != nil {
		t.Fatalf("empty Write = %d, %v", k, err)
	}
	if err := fw.Flush(); err != nil || cw.calls != 0 {
		t.Fatalf("empty Flush wrote %d times, %v (a zero-length frame would end the stream)", cw.calls, err)
	}
	_, _ = fw.Write([]byte("abc"))
	if cw.calls != 0 {
		t.Fatal("a partial chunk was written before Flush")
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("de"))
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	want := framed([]byte("abc"), []byte("de"))
	if !bytes.Equal(cw.buf.Bytes(), want) {
		t.Fatalf("wrote % x, want % x", cw.buf.Bytes(), want)
	}
	if err := fw.Close(); err != nil || !bytes.Equal(cw.buf.Bytes(), want) {
		t.Fatalf("second Close = %v, wrote % x", err, cw.buf.Bytes())
	}
	if k, err := fw.Write([]byte("x")); k != 0 || err != wire.ErrClosed {
		t.Fatalf("Write after Close = %d, %v; want ErrClosed", k, err)
	}
	if !bytes.Equal(cw.buf.Bytes(), want) {
		t.Fatal("a write after Close reached the writer")
	}
	t.Run("Close alone", func(t *testing.T) {
		var b bytes.Buffer
		if err := wire.NewFramedWriter(&b, 0).Close(); err != nil || !bytes.Equal(b.Bytes(), le64(0)) {
			t.Fatalf("Close alone wrote % x, %v; want the terminator", b.Bytes(), err)
		}
	})
}

func TestFramedWriterErrors(t *testing.T) {
	content := payload(25)
	full := framed(chunksOf(content, 10)...)
	for at := 0; at < len(full); at++ {
		t.Run(fmt.Sprintf("at=%d", at), func(t *testing.T) {
			ew := &errAtWriter{at: at, err: errInjected}
			fw := wire.NewFramedWriter(ew, 10)
			var first error
			for _, p := range chunksOf(content, 4) {
				if _, err := fw.Write(p); err != nil && first == nil {
					first = err
				}
			}
			err := fw.Close()
			if first == nil {
				first = err
			}
			if first != errInjected || err != errInjected {
				t.Fatalf("first error %v, Close %v; want the injected error", first, err)
			}
			if k, err := fw.Write([]byte("x")); k != 0 || err != errInjected {
				t.Fatalf("Write after the error = %d, %v", k, err)
			}
			if err := fw.Flush(); err != errInjected {
				t.Fatalf("Flush after the error = %v", err)
			}
			if !bytes.Equal(ew.buf.Bytes(), full[:at]) {
				t.Fatalf("writer got % x", ew.buf.Bytes())
			}
		})
	}
	t.Run("no progress", func(t *testing.T) {
		fw := wire.NewFramedWriter(&zeroWriter{}, 4)
		if _, err := fw.Write([]byte("abcd")); err != io.ErrShortWrite {
			t.Fatalf("Write = %v, want io.ErrShortWrite", err)
		}
	})
}

func TestFramedRoundTrip(t *testing.T) {
	content := payload(1 << 20)
	for _, chunk := range []int{1000, 4096, 1 << 20} {
		var b bytes.Buffer
		fw := wire.NewFramedWriter(&b, chunk)
		if _, err := io.CopyBuffer(fw, onlyReader{bytes.NewReader(content)}, make([]byte, 777)); err != nil {
			t.Fatal(err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		stream := cat(b.Bytes(), sentinel)
		for _, w := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{
			{"bytes.Reader", func(r io.Reader) io.Reader { return r }},
			{"HalfReader", iotest.HalfReader},
			{"DataErrReader", iotest.DataErrReader},
			{"OneByteReader", iotest.OneByteReader},
			{"TimeoutReader", iotest.TimeoutReader},
		} {
			t.Run(fmt.Sprintf("chunk=%d/%s", chunk, w.name), func(t *testing.T) {
				fr := wire.NewFramedReader(w.wrap(bytes.NewReader(stream)), uint64(chunk))
				got, _ := readRetrying(t, fr, iotest.ErrTimeout)
				if !bytes.Equal(got, content) {
					t.Fatalf("round trip: %d bytes back of %d", len(got), len(content))
				}
			})
		}
		t.Run(fmt.Sprintf("chunk=%d/limit too small", chunk), func(t *testing.T) {
			fr := wire.NewFramedReader(bytes.NewReader(stream), uint64(chunk-1))
			if _, err := io.ReadAll(fr); !errors.Is(err, wire.ErrTooLarge) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("no limit", func(t *testing.T) {
		fr := wire.NewFramedReader(bytes.NewReader(framed(content)), math.MaxUint64)
		if got, err := io.ReadAll(fr); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("%d bytes, %v", len(got), err)
		}
	})
}

// emptyReader returns nothing, and no error, for ever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestFramedReaderNoProgress: a source that keeps returning nothing fails
// with io.ErrNoProgress, as in Reader and bufio, instead of a Read that
// spins for ever.
func TestFramedReaderNoProgress(t *testing.T) {
	fr := wire.NewFramedReader(emptyReader{}, 1024)
	done := make(chan error, 1)
	go func() {
		_, err := fr.Read(make([]byte, 10))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, io.ErrNoProgress) {
			t.Fatalf("Read = %v, want io.ErrNoProgress", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read of a source that returns nothing did not return")
	}
}
