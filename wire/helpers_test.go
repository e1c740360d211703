package wire_test

// Shared helpers of the wire tests: byte builders, readers and writers that
// misbehave in controlled ways, and the error classification used by the
// agreement tests and the fuzz targets.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// errInjected is the error that test readers and writers inject; tests
// compare against it with == to prove an error came back unchanged.
var errInjected = errors.New("injected test error")

// unhex decodes hex digits, ignoring spaces and '|' separators.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	return mustHex(s)
}

// mustHex is unhex for package-level vectors.
func mustHex(s string) []byte {
	s = strings.NewReplacer(" ", "", "|", "", "\n", "", "\t", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// bytesAllocated returns the bytes of heap memory f allocated: the least
// of three runs, since the count includes whatever the runtime allocated
// concurrently.
func bytesAllocated(f func()) uint64 {
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// le64 is the little-endian encoding of v, built independently of the
// package under test.
func le64(v uint64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return b[:]
}

// cat concatenates byte slices into a new slice.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// payload returns n deterministic bytes, none of them zero, so that a
// payload byte mistaken for padding (or the reverse) shows.
func payload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i%251) + 1
	}
	return p
}

// packet builds a bytes packet by hand: length, payload, and zero bytes
// until the total is a multiple of 8. It deliberately does not use the
// package under test.
func packet(p []byte) []byte {
	out := cat(le64(uint64(len(p))), p)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	return out
}

// countReader counts the bytes its inner reader returned.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// errAtReader serves data but returns err (with no data) when the read
// position reaches at; with once set it does so a single time and then
// goes on serving data, as a reader that timed out would.
type errAtReader struct {
	data  []byte
	pos   int
	at    int
	err   error
	once  bool
	fired bool
}

func (r *errAtReader) Read(p []byte) (int, error) {
	if r.pos == r.at && !(r.once && r.fired) {
		r.fired = true
		return 0, r.err
	}
	if r.pos >= len(r.data) {
		return 0, io.EOF
	}
	end := len(r.data)
	if r.pos < r.at && !(r.once && r.fired) {
		end = min(end, r.at) // stop at the error point
	}
	k := copy(p, r.data[r.pos:end])
	r.pos += k
	return k, nil
}

// tailErrReader serves data and then, instead of io.EOF, err: either in
// the same call as the last data byte (together) or in the call after.
type tailErrReader struct {
	data     []byte
	pos      int
	err      error
	together bool
	chunk    int // bytes per call; 0 means as many as fit
}

func (r *tailErrReader) Read(p []byte) (int, error) {
	if r.pos >= len(r.data) {
		return 0, r.err
	}
	end := len(r.data)
	if r.chunk > 0 {
		end = min(end, r.pos+r.chunk)
	}
	k := copy(p, r.data[r.pos:end])
	r.pos += k
	if r.together && r.pos == len(r.data) {
		return k, r.err
	}
	return k, nil
}

// stallReader returns (0, nil) stalls times before every real read.
type stallReader struct {
	r      io.Reader
	stalls int
	left   int
}

func (s *stallReader) Read(p []byte) (int, error) {
	if s.left > 0 {
		s.left--
		return 0, nil
	}
	s.left = s.stalls
	return s.r.Read(p)
}

// chunkReader returns at most the next size in sizes per call (cycling),
// exercising every way a stream can be cut.
type chunkReader struct {
	r     io.Reader
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.sizes) > 0 {
		n := c.sizes[c.i%len(c.sizes)]
		c.i++
		if n < len(p) {
			p = p[:n]
		}
	}
	return c.r.Read(p)
}

// shortWriter accepts at most max bytes per call, reporting (n < len(p),
// nil) for the rest, and records the size of every call.
type shortWriter struct {
	buf   bytes.Buffer
	max   int
	calls []int
}

func (w *shortWriter) Write(p []byte) (int, error) {
	w.calls = append(w.calls, len(p))
	n := min(len(p), w.max)
	w.buf.Write(p[:n])
	return n, nil
}

// errAtWriter accepts bytes until at bytes have been written in total,
// then fails every call with err (keeping what it accepted).
type errAtWriter struct {
	buf   bytes.Buffer
	at    int
	err   error
	calls int
}

func (w *errAtWriter) Write(p []byte) (int, error) {
	w.calls++
	room := w.at - w.buf.Len()
	if room >= len(p) {
		w.buf.Write(p)
		return len(p), nil
	}
	w.buf.Write(p[:room])
	return room, w.err
}

// zeroWriter accepts nothing and reports no error.
type zeroWriter struct{ calls int }

func (w *zeroWriter) Write(p []byte) (int, error) { w.calls++; return 0, nil }

// callWriter records every Write call.
type callWriter struct {
	buf   bytes.Buffer
	calls int
}

func (w *callWriter) Write(p []byte) (int, error) {
	w.calls++
	return w.buf.Write(p)
}

// class names the error class of err for comparisons across decoding paths.
func class(err error) string {
	switch {
	case err == nil:
		return "ok"
	case err == io.EOF:
		return "EOF"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "UnexpectedEOF"
	case errors.Is(err, wire.ErrTooLarge):
		return "TooLarge"
	case errors.Is(err, wire.ErrTooSmall):
		return "TooSmall"
	case errors.Is(err, wire.ErrRange):
		return "Range"
	case errors.Is(err, wire.ErrPadding):
		return "Padding"
	case errors.Is(err, wire.ErrBool):
		return "Bool"
	case errors.Is(err, errInjected):
		return "Injected"
	}
	return "other: " + err.Error()
}

// readAllChunks drains r with reads of the given sizes (cycling), returning
// the data and the first error other than io.EOF. It does not stop on
// (0, nil) results, so r must make progress.
func readAllChunks(r io.Reader, sizes ...int) ([]byte, error) {
	var out []byte
	buf := make([]byte, 1<<16)
	for i := 0; ; i++ {
		n := len(buf)
		if len(sizes) > 0 {
			n = sizes[i%len(sizes)]
		}
		k, err := r.Read(buf[:n])
		out = append(out, buf[:k]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
