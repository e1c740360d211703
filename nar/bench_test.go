package nar

import (
	"crypto/sha256"
	"hash"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkNARWrite64MiB writes the NAR of a 64 MiB file and, in the same
// loop iteration, copies the same bytes with io.Copy, so that the two are
// interleaved on a noisy machine; the "%io.Copy" metric is NAR throughput
// as a share of io.Copy's (100 = as fast). allocs/op and B/op count both.
//
//   - file: DumpPath of the file vs io.Copy of the open file, to
//     io.Discard;
//   - file+sha256: the same into a SHA-256 hash (how a narHash is made);
//   - memory: a Writer's ReadFrom of the contents in memory vs io.Copy of
//     them, to io.Discard.
func BenchmarkNARWrite64MiB(b *testing.B) {
	const size = 64 << 20
	path := filepath.Join(b.TempDir(), "big")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, &patternReader{n: size}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	contents, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	copyFile := func(b *testing.B, dst io.Writer) {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if _, err := io.Copy(dst, f); err != nil {
			b.Fatal(err)
		}
	}
	dump := func(b *testing.B, dst io.Writer) {
		if _, err := DumpPath(dst, path); err != nil {
			b.Fatal(err)
		}
	}
	copyMem := func(b *testing.B, dst io.Writer) {
		io.Copy(dst, &sliceReader{b: contents})
	}
	writeMem := func(b *testing.B, dst io.Writer) {
		w := NewWriter(dst)
		w.File(false, uint64(len(contents)))
		w.ReadFrom(&sliceReader{b: contents})
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name       string
		base, ours func(*testing.B, io.Writer)
		hash       bool
	}{
		{"file", copyFile, dump, false},
		{"file+sha256", copyFile, dump, true},
		{"memory", copyMem, writeMem, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(2 * size)
			b.ReportAllocs()
			var h hash.Hash = sha256.New()
			dst := func() io.Writer {
				if c.hash {
					h.Reset()
					return h
				}
				return io.Discard
			}
			var base, ours time.Duration
			for i := 0; b.Loop(); i++ {
				// Alternate which goes first, so neither always finds a
				// warm cache.
				first, second := c.base, c.ours
				if i%2 == 1 {
					first, second = c.ours, c.base
				}
				t0 := time.Now()
				first(b, dst())
				t1 := time.Now()
				second(b, dst())
				t2 := time.Now()
				if i%2 == 1 {
					ours, base = ours+t1.Sub(t0), base+t2.Sub(t1)
				} else {
					base, ours = base+t1.Sub(t0), ours+t2.Sub(t1)
				}
			}
			b.ReportMetric(100*float64(base)/float64(ours), "%io.Copy")
		})
	}
}

// sliceReader reads a byte slice and has no WriteTo, so that io.Copy
// moves the bytes through a buffer as it would from a connection.
type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
