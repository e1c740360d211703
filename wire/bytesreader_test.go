package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

// p9 is the 9-byte packet of the reference cases: the length 9, the
// payload "123456789" and 7 zero bytes of padding; 24 bytes in all.
func p9() []byte {
	return mustHex("09 00 00 00 00 00 00 00 | 31 32 33 34 35 36 37 38 | 39 00 00 00 00 00 00 00")
}

type bytesReadCase struct {
	name     string
	src      func(t *testing.T) io.Reader
	min, max uint64
	want     []byte // the payload on success
	err      error  // compared with == (and errors.Is)
	errClass string // for errors that are not a single value (limit errors)
	msg      string // the exact error text, if set
	read     int64  // bytes read from the source, exactly
	partial  []byte // what an io.ReadAll of the BytesReader returns with the error
}

func bytesReadCases() []bytesReadCase {
	fixed := func(b []byte) func(t *testing.T) io.Reader {
		return func(*testing.T) io.Reader { return bytes.NewReader(b) }
	}
	nine := p9()
	cut := func(k int) func(t *testing.T) io.Reader { return fixed(nine[:k]) }
	padBad := func(pos int) []byte { b := bytes.Clone(nine); b[pos] = 1; return b }
	errAt := func(at int) func(t *testing.T) io.Reader {
		return func(*testing.T) io.Reader { return &errAtReader{data: nine, at: at, err: errInjected} }
	}
	cases := []bytesReadCase{
		{name: "8-byte payload, no padding", src: fixed(mustHex("08 00 00 00 00 00 00 00 | 61 62 63 64 65 66 67 68")),
			max: 100, want: []byte("abcdefgh"), read: 16},
		{name: "9-byte payload, 7 bytes of padding", src: fixed(nine), max: 100, want: []byte("123456789"), read: 24},
		{name: "empty payload", src: fixed(make([]byte, 8)), max: 100, want: []byte{}, read: 8},
		{name: "empty payload at min=max=0", src: fixed(make([]byte, 8)), want: []byte{}, read: 8},
		{name: "payload at exactly max", src: fixed(nine), min: 9, max: 9, want: []byte("123456789"), read: 24},
		{name: "length above max", src: fixed(nine), max: 8, errClass: "TooLarge",
			msg: "bytes length 9 exceeds limit 8", read: 8},
		{name: "length below min", src: fixed(nine), min: 10, max: 100, errClass: "TooSmall",
			msg: "bytes length 9 below minimum 10", read: 8},
		{name: "length 2^63 above 1 KiB", src: fixed(cat(le64(1<<63), make([]byte, 4096))), max: 1024, errClass: "TooLarge",
			msg: "bytes length 9223372036854775808 exceeds limit 1024", read: 8},
		{name: "no input", src: cut(0), max: 100, err: io.EOF, read: 0},
		{name: "EOF in the middle of the length", src: cut(4), max: 100, err: io.ErrUnexpectedEOF, read: 4},
		{name: "EOF after the length", src: cut(8), max: 100, err: io.ErrUnexpectedEOF, read: 8},
		{name: "EOF in the middle of the payload", src: cut(12), max: 100, err: io.ErrUnexpectedEOF, read: 12, partial: []byte("1234")},
		{name: "EOF before the padding", src: cut(17), max: 100, err: io.ErrUnexpectedEOF, read: 17, partial: []byte("12345678")},
		{name: "EOF inside the padding", src: cut(20), max: 100, err: io.ErrUnexpectedEOF, read: 20, partial: []byte("12345678")},
		{name: "EOF one byte short", src: cut(23), max: 100, err: io.ErrUnexpectedEOF, read: 23, partial: []byte("12345678")},
		{name: "error at offset 4", src: errAt(4), max: 100, err: errInjected, read: 4},
		{name: "error at offset 8", src: errAt(8), max: 100, err: errInjected, read: 8},
		{name: "error at offset 12", src: errAt(12), max: 100, err: errInjected, read: 12, partial: []byte("1234")},
		{name: "error at offset 19", src: errAt(19), max: 100, err: errInjected, read: 19, partial: []byte("12345678")},
		{name: "error after the packet, separate call", max: 100, want: []byte("123456789"), read: 24,
			src: func(*testing.T) io.Reader { return &tailErrReader{data: nine, err: errInjected} }},
		{name: "error after the packet, with the last byte", max: 100, want: []byte("123456789"), read: 24,
			src: func(*testing.T) io.Reader { return &tailErrReader{data: nine, err: errInjected, together: true} }},
		{name: "error after the packet, one byte per call", max: 100, want: []byte("123456789"), read: 24,
			src: func(*testing.T) io.Reader {
				return &tailErrReader{data: nine, err: errInjected, together: true, chunk: 1}
			}},
		{name: "error after an unpadded packet, with the last byte", max: 100, want: []byte("abcdefgh"), read: 16,
			src: func(*testing.T) io.Reader {
				return &tailErrReader{data: packet([]byte("abcdefgh")), err: errInjected, together: true}
			}},
		{name: "trailing data is not read", src: fixed(cat(nine, []byte("trailing"))), max: 100, want: []byte("123456789"), read: 24},
	}
	for pos := 17; pos < 24; pos++ {
		cases = append(cases, bytesReadCase{name: fmt.Sprintf("non-zero padding at offset %d", pos),
			src: fixed(padBad(pos)), max: 100, err: wire.ErrPadding, read: 24, partial: []byte("12345678")})
	}
	return cases
}

func (c *bytesReadCase) check(t *testing.T, what string, got []byte, err error, read int64) {
	t.Helper()
	switch {
	case c.errClass != "":
		if class(err) != c.errClass {
			t.Errorf("%s: err = %v, want %s", what, err, c.errClass)
		}
	case c.err != nil:
		if err != c.err || !errors.Is(err, c.err) {
			t.Errorf("%s: err = %v, want %v", what, err, c.err)
		}
	default:
		if err != nil || !bytes.Equal(got, c.want) || got == nil {
			t.Errorf("%s: got %q, %v; want %q", what, got, err, c.want)
		}
	}
	if c.msg != "" && (err == nil || err.Error() != c.msg) {
		t.Errorf("%s: message %v, want %q", what, err, c.msg)
	}
	if read != c.read {
		t.Errorf("%s: read %d bytes from the source, want %d", what, read, c.read)
	}
}

func TestBytesReaderCases(t *testing.T) {
	for _, c := range bytesReadCases() {
		t.Run(c.name, func(t *testing.T) {
			// BytesReader drained by io.ReadAll.
			src := &countReader{r: c.src(t)}
			var got []byte
			br, err := wire.NewBytesReader(src, c.min, c.max)
			if err == nil {
				got, err = io.ReadAll(br)
				if err != nil && !bytes.Equal(got, c.partial) {
					t.Errorf("ReadAll handed out %q before the error, want %q", got, c.partial)
				}
			} else if br != nil {
				t.Errorf("NewBytesReader returned a reader with an error")
			}
			c.check(t, "BytesReader", got, err, src.n)

			// BytesReader read one byte at a time by the consumer.
			src = &countReader{r: c.src(t)}
			got = nil
			br, err = wire.NewBytesReader(src, c.min, c.max)
			if err == nil {
				got, err = io.ReadAll(iotest.OneByteReader(br))
				if err != nil && !bytes.Equal(got, c.partial) {
					t.Errorf("1-byte reads handed out %q before the error, want %q", got, c.partial)
				}
			}
			c.check(t, "BytesReader 1-byte reads", got, err, src.n)

			// ReadBytes.
			src = &countReader{r: c.src(t)}
			got, err = wire.ReadBytes(src, c.min, c.max)
			if err != nil && got != nil {
				t.Errorf("ReadBytes returned %q with an error", got)
			}
			c.check(t, "ReadBytes", got, err, src.n)
		})
	}
}

// TestBytesReaderWithholdsFinalBytes reads a 9-byte packet with a large
// buffer: the first 8 bytes come out at once, the 9th only after the
// padding was read and checked.
func TestBytesReaderWithholdsFinalBytes(t *testing.T) {
	nine := p9()
	bad := bytes.Clone(nine)
	bad[23] = 0x80
	tests := []struct {
		name string
		in   []byte
		err  error
	}{
		{"valid", nine, nil},
		{"bad padding", bad, wire.ErrPadding},
		{"padding missing", nine[:17], io.ErrUnexpectedEOF},
		{"padding cut", nine[:22], io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br, err := wire.NewBytesReader(bytes.NewReader(tt.in), 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			n, err := br.Read(buf)
			if n != 8 || err != nil || string(buf[:n]) != "12345678" {
				t.Fatalf("first Read = %q, %v; want the 8 body bytes", buf[:n], err)
			}
			if br.Len() != 1 {
				t.Fatalf("Len = %d, want 1", br.Len())
			}
			n, err = br.Read(buf)
			if tt.err != nil {
				if n != 0 || err != tt.err {
					t.Fatalf("second Read = %q, %v; want nothing and %v", buf[:n], err, tt.err)
				}
				// The error is sticky and the byte never comes.
				if n, err := br.Read(buf); n != 0 || err != tt.err {
					t.Fatalf("third Read = %d, %v", n, err)
				}
				if br.Len() != 1 {
					t.Fatalf("Len = %d after the error, want 1", br.Len())
				}
				return
			}
			if n != 1 || err != nil || buf[0] != '9' {
				t.Fatalf("second Read = %q, %v", buf[:n], err)
			}
			if n, err := br.Read(buf); n != 0 || err != io.EOF {
				t.Fatalf("Read at the end = %d, %v", n, err)
			}
		})
	}
}

func TestBytesReaderLenSize(t *testing.T) {
	for _, n := range []int{0, 1, 9, 17, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := payload(n)
			br, err := wire.NewBytesReader(bytes.NewReader(packet(p)), 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if br.Size() != uint64(n) || br.Len() != uint64(n) {
				t.Fatalf("Size %d, Len %d; want %d", br.Size(), br.Len(), n)
			}
			var got []byte
			buf := make([]byte, 5)
			for {
				if k, err := br.Read(nil); k != 0 || (err != nil && err != io.EOF) {
					t.Fatalf("Read(nil) = %d, %v", k, err)
				}
				k, err := br.Read(buf)
				got = append(got, buf[:k]...)
				if br.Len() != uint64(n-len(got)) || br.Size() != uint64(n) {
					t.Fatalf("after %d bytes: Len %d, Size %d", len(got), br.Len(), br.Size())
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, p) {
				t.Fatalf("got % x", got)
			}
			if k, err := br.Read(buf); k != 0 || err != io.EOF {
				t.Fatalf("Read after EOF = %d, %v", k, err)
			}
			if k, err := br.Read(nil); k != 0 || err != io.EOF {
				t.Fatalf("Read(nil) after EOF = %d, %v", k, err)
			}
		})
	}
}

// TestBytesReaderPayloads streams payloads through every kind of awkward
// reader, on both sides of the BytesReader, and through ReadBytes.
func TestBytesReaderPayloads(t *testing.T) {
	inner := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"bytes.Reader", func(r io.Reader) io.Reader { return r }},
		{"OneByteReader", iotest.OneByteReader},
		{"HalfReader", iotest.HalfReader},
		{"DataErrReader", iotest.DataErrReader},
		{"stalling", func(r io.Reader) io.Reader { return &stallReader{r: iotest.HalfReader(r), stalls: 2} }},
		{"chunks", func(r io.Reader) io.Reader { return &chunkReader{r: r, sizes: []int{3, 1, 8, 13, 7}} }},
	}
	outer := []struct {
		name string
		read func(io.Reader) ([]byte, error)
	}{
		{"ReadAll", io.ReadAll},
		{"OneByteReader", func(r io.Reader) ([]byte, error) { return io.ReadAll(iotest.OneByteReader(r)) }},
		{"HalfReader", func(r io.Reader) ([]byte, error) { return io.ReadAll(iotest.HalfReader(r)) }},
		{"reads of 3", func(r io.Reader) ([]byte, error) { return readAllChunks(r, 3) }},
	}
	sentinel := []byte("SENTINEL")
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 1 << 20} {
		p := payload(n)
		data := cat(packet(p), sentinel)
		for _, in := range inner {
			for _, out := range outer {
				if n == 1<<20 && in.name != "bytes.Reader" && out.name != "ReadAll" {
					continue // 1 MiB one byte at a time on both sides is slow, not useful
				}
				t.Run(fmt.Sprintf("%d/%s/%s", n, in.name, out.name), func(t *testing.T) {
					base := bytes.NewReader(data)
					br, err := wire.NewBytesReader(in.wrap(base), 0, math.MaxUint64)
					if err != nil {
						t.Fatal(err)
					}
					got, err := out.read(br)
					if err != nil || !bytes.Equal(got, p) {
						t.Fatalf("got %d bytes, %v", len(got), err)
					}
					// The packet was read exactly: what follows is intact.
					if rest, _ := io.ReadAll(base); !bytes.Equal(rest, sentinel) && in.name != "DataErrReader" {
						t.Fatalf("after the packet the source holds %q", rest)
					}
				})
			}
			t.Run(fmt.Sprintf("%d/%s/ReadBytes", n, in.name), func(t *testing.T) {
				base := bytes.NewReader(data)
				got, err := wire.ReadBytes(in.wrap(base), uint64(n), uint64(n))
				if err != nil || !bytes.Equal(got, p) || got == nil {
					t.Fatalf("ReadBytes = %d bytes, %v", len(got), err)
				}
				if rest, _ := io.ReadAll(base); !bytes.Equal(rest, sentinel) && in.name != "DataErrReader" {
					t.Fatalf("after the packet the source holds %q", rest)
				}
			})
		}
		if n <= 17 {
			t.Run(fmt.Sprintf("%d/iotest.TestReader", n), func(t *testing.T) {
				br, err := wire.NewBytesReader(bytes.NewReader(data), 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				if err := iotest.TestReader(br, p); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestBytesReaderTimeouts: an error of the source surfaces unchanged, and
// reading again continues where it stopped.
func TestBytesReaderTimeouts(t *testing.T) {
	for _, n := range []int{0, 1, 8, 9, 16, 17, 1 << 20} {
		p := payload(n)
		t.Run(fmt.Sprintf("TimeoutReader/%d", n), func(t *testing.T) {
			br, err := wire.NewBytesReader(iotest.TimeoutReader(bytes.NewReader(packet(p))), 0, math.MaxUint64)
			if err != nil {
				t.Fatal(err)
			}
			got, timeouts := readRetrying(t, br, iotest.ErrTimeout)
			if !bytes.Equal(got, p) {
				t.Fatalf("got %d bytes, want %d", len(got), n)
			}
			if want := min(n, 1); timeouts != want {
				t.Errorf("%d time-outs surfaced, want %d", timeouts, want)
			}
		})
		t.Run(fmt.Sprintf("ReadBytes over TimeoutReader/%d", n), func(t *testing.T) {
			_, err := wire.ReadBytes(iotest.TimeoutReader(bytes.NewReader(packet(p))), 0, math.MaxUint64)
			if n > 0 && err != iotest.ErrTimeout {
				t.Fatalf("err = %v, want iotest.ErrTimeout", err)
			}
		})
	}
	t.Run("TimeoutReader inside the length", func(t *testing.T) {
		_, err := wire.NewBytesReader(iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(p9()))), 0, 100)
		if err != iotest.ErrTimeout {
			t.Fatalf("err = %v, want iotest.ErrTimeout", err)
		}
	})
	// An error once at every offset after the length, body and tail alike.
	for _, n := range []int{9, 17, 24} {
		p := payload(n)
		data := packet(p)
		for at := 8; at <= len(data); at++ {
			t.Run(fmt.Sprintf("error once/len=%d/at=%d", n, at), func(t *testing.T) {
				for _, size := range []int{1, 3, 100} {
					src := &countReader{r: &errAtReader{data: data, at: at, err: errInjected, once: true}}
					br, err := wire.NewBytesReader(src, 0, 100)
					if err != nil {
						t.Fatal(err)
					}
					got, errs := readRetrying(t, iotest.OneByteReader(br), errInjected)
					if size > 1 {
						src = &countReader{r: &errAtReader{data: data, at: at, err: errInjected, once: true}}
						br, _ = wire.NewBytesReader(src, 0, 100)
						got, errs = readRetryingChunks(t, br, errInjected, size)
					}
					if !bytes.Equal(got, p) {
						t.Fatalf("reads of %d: got % x", size, got)
					}
					if want := 1; at == len(data) {
						if errs != 0 {
							t.Fatalf("reads of %d: an error after the packet surfaced", size)
						}
					} else if errs != want {
						t.Fatalf("reads of %d: %d errors surfaced, want 1", size, errs)
					}
					if src.n != int64(len(data)) {
						t.Fatalf("read %d bytes, want %d", src.n, len(data))
					}
				}
			})
		}
	}
}

func readRetrying(t *testing.T, r io.Reader, retryable error) ([]byte, int) {
	t.Helper()
	return readRetryingChunks(t, r, retryable, 1<<16)
}

func readRetryingChunks(t *testing.T, r io.Reader, retryable error, size int) ([]byte, int) {
	t.Helper()
	var got []byte
	buf := make([]byte, size)
	errs := 0
	for i := 0; ; i++ {
		if i > 1<<22 {
			t.Fatal("no progress")
		}
		k, err := r.Read(buf)
		got = append(got, buf[:k]...)
		switch err {
		case nil:
		case io.EOF:
			return got, errs
		case retryable:
			errs++
		default:
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
	}
}

func TestBytesReaderBadSource(t *testing.T) {
	for _, n := range []int{1, 1000, -1} {
		t.Run(fmt.Sprintf("invalid count %+d", n), func(t *testing.T) {
			// The length comes from a good reader, the payload from a bad one.
			src := io.MultiReader(bytes.NewReader(le64(20)), badCountReader{n})
			br, err := wire.NewBytesReader(src, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			if _, err := br.Read(buf); err == nil {
				t.Fatalf("body Read accepted an invalid count")
			}
			src = io.MultiReader(bytes.NewReader(cat(le64(3))), badCountReader{n})
			br, _ = wire.NewBytesReader(src, 0, 100)
			if _, err := br.Read(buf); err == nil {
				t.Fatalf("tail Read accepted an invalid count")
			}
		})
	}
}

// TestReadBytesReader: given a *Reader, ReadBytes reads through it (and
// does not bypass its buffer).
func TestReadBytesReader(t *testing.T) {
	data := cat(packet([]byte("hello")), packet(payload(100)), le64(5))
	r := wire.NewReaderSize(bytes.NewReader(data), 64)
	if got, err := wire.ReadBytes(r, 0, 10); err != nil || string(got) != "hello" {
		t.Fatalf("ReadBytes = %q, %v", got, err)
	}
	if got, err := wire.ReadBytes(r, 0, 100); err != nil || !bytes.Equal(got, payload(100)) {
		t.Fatalf("ReadBytes = %q, %v", got, err)
	}
	if v, err := r.Uint64(); err != nil || v != 5 {
		t.Fatalf("Uint64 = %d, %v", v, err)
	}
	if _, err := wire.ReadBytes(r, 0, 100); err != io.EOF {
		t.Fatalf("at the end: %v", err)
	}
}

// TestReadBytesAllocation: a forged length within a generous max commits
// memory only in bounded steps (of a few MiB), not all at once.
func TestReadBytesAllocation(t *testing.T) {
	for _, forged := range []uint64{256 << 20, 1 << 40} {
		t.Run(fmt.Sprintf("length %d", forged), func(t *testing.T) { testForgedLength(t, forged) })
	}
}

func testForgedLength(t *testing.T, forged uint64) {
	data := cat(le64(forged), payload(100))
	for _, tt := range []struct {
		name string
		read func() error
	}{
		{"ReadBytes", func() error { _, err := wire.ReadBytes(bytes.NewReader(data), 0, math.MaxUint64); return err }},
		{"Reader.Bytes", func() error {
			_, err := wire.NewReader(bytes.NewReader(data)).Bytes(0, math.MaxUint64)
			return err
		}},
		{"Reader.String", func() error {
			_, err := wire.NewReader(bytes.NewReader(data)).String(0, math.MaxUint64)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			allocated := bytesAllocated(func() {
				if err := tt.read(); err != io.ErrUnexpectedEOF {
					t.Errorf("err = %v, want io.ErrUnexpectedEOF", err)
				}
			})
			// The first step (4 MiB) plus the reader's own buffers; twice
			// that under -race, where growing a slice allocates twice.
			if allocated > 12<<20 {
				t.Errorf("a forged length of %d made it allocate %d bytes", forged, allocated)
			}
		})
	}
}
