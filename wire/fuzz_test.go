package wire_test

// Fuzz targets. Seeds live in testdata/fuzz/<FuzzName>/ as well as in the
// f.Add calls. Run one with, for example:
//
//	go test -run='^$' -fuzz='^FuzzConsumeBytes$' -fuzztime=10s ./wire/

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"testing"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

// allocBound is an upper bound of the capacity the Go allocator may give a
// slice grown to n bytes (size classes up to 32 KiB, pages above, and
// append's growth factor), so that a test can tell "about n" from "sized
// by a forged length".
func allocBound(n uint64) uint64 {
	b := 64 + n + n/4
	if n > 32<<10 {
		b += 8 << 10
	}
	return b
}

// capLimit bounds the capacity of a payload of n bytes returned with err
// under the limit max: about n on success; after an error (a payload cut
// short), memory may have been committed for more than arrived, but never
// for more than max.
func capLimit(n int, max uint64, err error) uint64 {
	if err == nil {
		return allocBound(uint64(n))
	}
	return allocBound(max)
}

// declared returns the length word at the front of data, if there is one.
func declared(data []byte) (uint64, bool) {
	if len(data) < 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(data), true
}

// limitSets returns the caller's limits plus limits derived from the
// declared length, so that every input meets both sides of each bound.
func limitSets(data []byte, lo, hi uint64) [][2]uint64 {
	sets := [][2]uint64{{lo, hi}, {0, math.MaxUint64}}
	if n, ok := declared(data); ok {
		sets = append(sets, [2]uint64{n, n})
		if n > 0 {
			sets = append(sets, [2]uint64{0, n - 1})
		}
		if n < math.MaxUint64 {
			sets = append(sets, [2]uint64{n + 1, math.MaxUint64})
		}
	}
	return sets
}

// maxReasonable keeps fuzzed limits from letting a forged length make each
// execution allocate a megabyte: larger limits are tested by unit tests.
func maxReasonable(max uint64, data []byte) uint64 {
	return min(max, uint64(len(data))+64)
}

func FuzzConsumeBytes(f *testing.F) {
	f.Add([]byte{}, uint64(0), uint64(100))
	f.Add(packet([]byte("hello")), uint64(0), uint64(100))
	f.Add(packet(payload(9)), uint64(9), uint64(9))
	f.Add(packet(payload(8)), uint64(0), uint64(7))
	f.Add(cat(packet(payload(3)), []byte{1, 2, 3}), uint64(4), uint64(100))
	f.Add(append(packet(payload(3))[:15], 1), uint64(0), uint64(100))
	f.Add(le64(1<<63), uint64(0), uint64(1024))
	f.Add(le64(math.MaxUint64), uint64(0), uint64(math.MaxUint64))
	f.Add(packet(payload(17))[:20], uint64(0), uint64(100))
	f.Fuzz(func(t *testing.T, data []byte, lo, hi uint64) {
		for _, l := range limitSets(data, lo, hi) {
			checkBytesPaths(t, data, l[0], maxReasonable(l[1], data))
		}
	})
}

// checkBytesPaths decodes data as one bytes packet on every path and checks
// the invariants: no panic, canonical re-encoding of what was consumed,
// agreement of value and error class, bounded capacity, and no read past
// the declared packet.
func checkBytesPaths(t *testing.T, data []byte, lo, hi uint64) {
	t.Helper()
	p, rest, err := wire.ConsumeBytes(data, lo, hi)
	cls := class(err)
	switch cls {
	case "ok", "EOF", "UnexpectedEOF", "TooLarge", "TooSmall", "Padding":
	default:
		t.Fatalf("ConsumeBytes: unexpected error %v", err)
	}
	if (cls == "EOF") != (len(data) == 0) {
		t.Fatalf("ConsumeBytes(%d bytes): %v", len(data), err)
	}
	consumed := len(data) - len(rest)
	if err == nil {
		if uint64(len(p)) < lo || uint64(len(p)) > hi {
			t.Fatalf("payload of %d bytes outside [%d, %d]", len(p), lo, hi)
		}
		if cap(p) != len(p) {
			t.Fatalf("cap %d != len %d", cap(p), len(p))
		}
		if enc := wire.AppendBytes(nil, p); !bytes.Equal(enc, data[:consumed]) {
			t.Fatalf("not canonical: consumed % x, re-encoded % x", data[:consumed], enc)
		}
		if consumed != wire.BytesSize(len(p)) {
			t.Fatalf("consumed %d bytes for a %d-byte payload", consumed, len(p))
		}
	} else if p != nil || consumed != 0 {
		t.Fatalf("on error: payload %v, consumed %d", p, consumed)
	}
	if n, ok := declared(data); ok && (cls == "TooLarge" || cls == "TooSmall") != (n < lo || n > hi) {
		t.Fatalf("length %d, limits [%d, %d]: %v", n, lo, hi, err)
	}

	s, rest2, err2 := wire.ConsumeString(data, lo, hi)
	if class(err2) != cls || s != string(p) || len(rest2) != len(rest) {
		t.Fatalf("ConsumeString disagrees: %q, %v", s, err2)
	}

	// The packet's extent, for "read no more than the declared packet".
	extent := uint64(len(data))
	if n, ok := declared(data); ok {
		if n < lo || n > hi {
			extent = 8
		} else if n <= uint64(len(data)) {
			extent = min(extent, uint64(wire.BytesSize(int(n))))
		}
	}

	// ReadBytes, unbuffered.
	src := &countReader{r: bytes.NewReader(data)}
	q, err3 := wire.ReadBytes(src, lo, hi)
	if class(err3) != cls || !bytes.Equal(q, p) {
		t.Fatalf("ReadBytes disagrees: %d bytes, %v; byte path %d bytes, %v", len(q), err3, len(p), err)
	}
	if err == nil && src.n != int64(consumed) {
		t.Fatalf("ReadBytes read %d bytes, consumed %d", src.n, consumed)
	}
	if uint64(src.n) > extent {
		t.Fatalf("ReadBytes read %d bytes, past the packet (%d)", src.n, extent)
	}
	if uint64(cap(q)) > allocBound(uint64(len(q))) {
		t.Fatalf("ReadBytes: cap %d for %d bytes", cap(q), len(q))
	}

	// BytesReader, one byte at a time on the source and in 3-byte reads.
	src = &countReader{r: iotest.OneByteReader(bytes.NewReader(data))}
	br, err4 := wire.NewBytesReader(src, lo, hi)
	var got []byte
	if err4 == nil {
		n := br.Size()
		buf := make([]byte, 3)
		for {
			k, e := br.Read(buf)
			got = append(got, buf[:k]...)
			if br.Len() != n-uint64(len(got)) {
				t.Fatalf("Len %d after %d of %d bytes", br.Len(), len(got), n)
			}
			if e == io.EOF {
				break
			}
			if e != nil {
				err4 = e
				break
			}
		}
		if err4 != nil && n%8 != 0 && uint64(len(got)) > n&^7 {
			t.Fatalf("handed out %d bytes of a %d-byte packet before failing: the tail was not withheld", len(got), n)
		}
	}
	if class(err4) != cls || (err4 == nil && !bytes.Equal(got, p)) {
		t.Fatalf("BytesReader disagrees: %d bytes, %v; byte path %v", len(got), err4, err)
	}
	if err == nil && src.n != int64(consumed) {
		t.Fatalf("BytesReader read %d bytes, consumed %d", src.n, consumed)
	}
	if uint64(src.n) > extent {
		t.Fatalf("BytesReader read %d bytes, past the packet (%d)", src.n, extent)
	}

	// Reader, with a small buffer (big-packet path) and a large one.
	for _, size := range []int{64, 4096} {
		r := wire.NewReaderSize(bytes.NewReader(data), size)
		v, err5 := r.Bytes(lo, hi)
		if class(err5) != cls || (err5 == nil && !bytes.Equal(v, p)) {
			t.Fatalf("Reader(%d).Bytes disagrees: %d bytes, %v; byte path %v", size, len(v), err5, err)
		}
		if err == nil && r.Offset() != int64(consumed) {
			t.Fatalf("Reader(%d): Offset %d, consumed %d", size, r.Offset(), consumed)
		}
		if uint64(cap(v)) > capLimit(len(v), hi, err5) {
			t.Fatalf("Reader(%d).Bytes: cap %d for %d bytes (max %d, %v)", size, cap(v), len(v), hi, err5)
		}
		r = wire.NewReaderSize(bytes.NewReader(data), size)
		sv, err6 := r.String(lo, hi)
		if class(err6) != cls || sv != string(p) {
			t.Fatalf("Reader(%d).String disagrees: %d bytes, %v", size, len(sv), err6)
		}
	}
}

func FuzzBytesReader(f *testing.F) {
	f.Add(packet(payload(9)), uint64(0), uint64(100), []byte{1, 2, 3})
	f.Add(packet(payload(16)), uint64(16), uint64(16), []byte{8})
	f.Add(packet(nil), uint64(0), uint64(0), []byte{})
	f.Add(append(packet(payload(9))[:23], 0x80), uint64(0), uint64(100), []byte{100, 1})
	f.Add(packet(payload(9))[:20], uint64(0), uint64(100), []byte{0, 5, 7})
	f.Add(cat(packet(payload(33)), []byte("next")), uint64(0), uint64(1000), []byte{9, 200, 1, 30})
	f.Fuzz(func(t *testing.T, data []byte, lo, hi uint64, cuts []byte) {
		hi = maxReasonable(hi, data)
		want, _, wantErr := wire.ConsumeBytes(data, lo, hi)
		sizes := func(off int) []int { // read sizes derived from cuts
			var s []int
			for i := off; i < len(cuts); i += 2 {
				s = append(s, int(cuts[i])%17+1)
			}
			if len(s) == 0 {
				s = []int{1 << 10}
			}
			return s
		}
		extent := int64(len(data))
		if n, ok := declared(data); ok && n <= uint64(len(data)) {
			extent = min(extent, int64(wire.BytesSize(int(n))))
		}

		src := &countReader{r: &chunkReader{r: bytes.NewReader(data), sizes: sizes(0)}}
		br, err := wire.NewBytesReader(src, lo, hi)
		var got []byte
		if err == nil {
			got, err = readAllChunks(br, sizes(1)...)
			if err != nil && br.Size()%8 != 0 && uint64(len(got)) > br.Size()&^7 {
				t.Fatalf("%d bytes handed out before %v", len(got), err)
			}
			if br.Len() != br.Size()-uint64(len(got)) {
				t.Fatalf("Len %d, Size %d, got %d", br.Len(), br.Size(), len(got))
			}
			if _, e := br.Read(make([]byte, 1)); err != nil && e != err && class(err) != "Injected" {
				t.Fatalf("error not sticky: %v then %v", err, e)
			}
		}
		if class(err) != class(wantErr) || (err == nil && !bytes.Equal(got, want)) {
			t.Fatalf("BytesReader: %d bytes, %v; ConsumeBytes: %d bytes, %v", len(got), err, len(want), wantErr)
		}
		if src.n > extent {
			t.Fatalf("read %d bytes, past the packet (%d)", src.n, extent)
		}

		// An error injected once after the length: it surfaces unchanged,
		// and retrying gives the same result as without it.
		if len(cuts) == 0 || wantErr != nil {
			return
		}
		at := 8 + int(cuts[0])%(len(data)-7)
		inj := &errAtReader{data: data, at: at, err: errInjected, once: true}
		br, err = wire.NewBytesReader(&chunkReader{r: inj, sizes: sizes(1)}, lo, hi)
		if err != nil {
			t.Fatalf("NewBytesReader: %v", err)
		}
		got = got[:0]
		buf := make([]byte, 7)
		for i := 0; ; i++ {
			k, e := br.Read(buf)
			got = append(got, buf[:k]...)
			if e == io.EOF {
				break
			}
			if e != nil && e != errInjected {
				t.Fatalf("retrying after an injected error: %v", e)
			}
			if i > 10*len(data)+10 {
				t.Fatal("no progress")
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("after an injected error at %d: %d bytes, want %d", at, len(got), len(want))
		}
	})
}

// framedModel parses a framed stream the simple way: the frames, the
// content, the bytes the stream occupies, and the error class. It reports
// how far a Drain would get too.
func framedModel(data []byte, max uint64) (frames [][]byte, content []byte, consumed int, cls string, drainEnd int, drainCls string) {
	pos := 0
	cls = ""
	drainEnd, drainCls = -1, ""
	for {
		if len(data)-pos < 8 {
			if cls == "" {
				cls, consumed = "UnexpectedEOF", len(data)
			}
			return frames, content, consumed, cls, len(data), "UnexpectedEOF"
		}
		n := binary.LittleEndian.Uint64(data[pos:])
		pos += 8
		if n == 0 {
			if cls == "" {
				cls, consumed = "ok", pos
			}
			return frames, content, consumed, cls, pos, "ok"
		}
		if n > max && cls == "" {
			cls, consumed = "TooLarge", pos
		}
		if uint64(len(data)-pos) < n {
			if cls == "" {
				content = append(content, data[pos:]...)
				cls, consumed = "UnexpectedEOF", len(data)
			}
			return frames, content, consumed, cls, len(data), "UnexpectedEOF"
		}
		if cls == "" {
			frames = append(frames, data[pos:pos+int(n)])
			content = append(content, data[pos:pos+int(n)]...)
		}
		pos += int(n)
	}
}

func FuzzFramedReader(f *testing.F) {
	f.Add(framed(), uint64(10), []byte{})
	f.Add(framed([]byte("hello"), []byte("world!")), uint64(10), []byte{1, 2})
	f.Add(framed(payload(11)), uint64(10), []byte{3})
	f.Add(framed([]byte("ok"), payload(30), []byte("x"))[:40], uint64(100), []byte{7, 1})
	f.Add(cat(framed([]byte("ab"), payload(20)), []byte("after")), uint64(8), []byte{2, 5, 9})
	f.Add(le64(1<<63), uint64(math.MaxUint64), []byte{})
	f.Fuzz(func(t *testing.T, data []byte, max uint64, cuts []byte) {
		frames, content, consumed, cls, drainEnd, drainCls := framedModel(data, max)
		var sizes []int
		for _, c := range cuts {
			sizes = append(sizes, int(c)%13+1)
		}
		src := &countReader{r: &chunkReader{r: bytes.NewReader(data), sizes: sizes}}
		fr := wire.NewFramedReader(src, max)
		got, err := readAllChunks(fr, append([]int{5}, sizes...)...)
		if class(err) != cls || !bytes.Equal(got, content) {
			t.Fatalf("FramedReader: %d bytes, %v; model: %d bytes, %s", len(got), err, len(content), cls)
		}
		if src.n != int64(consumed) {
			t.Fatalf("read %d bytes, the stream (as far as it goes) is %d", src.n, consumed)
		}
		if err == nil {
			if enc := framed(frames...); !bytes.Equal(enc, data[:consumed]) {
				t.Fatalf("not canonical: % x re-encodes to % x", data[:consumed], enc)
			}
		}
		// Drain: after a limit error it skips to the terminator.
		derr := fr.Drain()
		if cls == "TooLarge" {
			if class(derr) != drainCls || (derr == nil && src.n != int64(drainEnd)) {
				t.Fatalf("Drain = %v, read %d; model %s, %d", derr, src.n, drainCls, drainEnd)
			}
		} else if class(derr) != cls {
			t.Fatalf("Drain after %v = %v", err, derr)
		}

		// What was decoded goes through a FramedWriter and back.
		if err != nil {
			return
		}
		chunk := 1
		if len(cuts) > 0 {
			chunk = int(cuts[0]) + 1
		}
		var b bytes.Buffer
		fw := wire.NewFramedWriter(&b, chunk)
		if _, err := fw.Write(got); err != nil || fw.Close() != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(wire.NewFramedReader(&b, uint64(chunk)))
		if err != nil || !bytes.Equal(back, got) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzReader runs a sequence of reads chosen by ops on the buffered Reader
// and on the byte path over the same input: they must agree step by step.
func FuzzReader(f *testing.F) {
	var seq []byte
	seq = wire.AppendUint64(seq, 7)
	seq = wire.AppendBool(seq, true)
	seq = wire.AppendString(seq, "hello, world")
	seq = wire.AppendUint64(seq, 2)
	seq = wire.AppendBytes(seq, payload(70))
	f.Add(seq, []byte{0, 1, 5, 100, 3, 10, 4, 100})
	f.Add(seq, []byte{4, 0, 4, 0, 4, 0, 4, 0})
	f.Add(seq[:30], []byte{0, 1, 5, 100})
	f.Add([]byte{}, []byte{1})
	f.Add(le64(2), []byte{1})
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		if len(ops) == 0 {
			return
		}
		var src io.Reader = bytes.NewReader(data)
		if ops[0]&0x80 != 0 {
			src = iotest.OneByteReader(src)
		}
		r := wire.NewReaderSize(src, 64)
		b := data
		for i := 0; i+1 < len(ops) || i == 0; i += 2 {
			op := ops[i]
			arg := uint64(0)
			if i+1 < len(ops) {
				arg = uint64(ops[i+1])
			}
			lo, hi := arg/16, arg%64+arg/16
			if arg == 255 {
				hi = math.MaxUint64
			}
			var want, got any
			var errB, errR error
			var rest []byte
			switch op % 6 {
			case 0:
				want, rest, errB = toAny(wire.ConsumeUint64(b))
				got, errR = r.Uint64()
			case 1:
				want, rest, errB = toAny(wire.ConsumeBool(b))
				got, errR = r.Bool()
			case 2:
				want, rest, errB = toAny(wire.ConsumeUint(b, arg))
				got, errR = r.Uint(arg)
			case 3:
				want, rest, errB = toAny(wire.ConsumeCount(b, lo, hi, 0))
				got, errR = r.Count(lo, hi)
			case 4:
				hi = maxReasonable(hi, data)
				var p []byte
				p, rest, errB = wire.ConsumeBytes(b, lo, hi)
				want = string(p)
				q, e := r.Bytes(lo, hi)
				got, errR = string(q), e
				if uint64(cap(q)) > capLimit(len(q), hi, e) {
					t.Fatalf("cap %d for %d bytes (max %d, %v)", cap(q), len(q), hi, e)
				}
			case 5:
				hi = maxReasonable(hi, data)
				want, rest, errB = toAny(wire.ConsumeString(b, lo, hi))
				got, errR = r.String(lo, hi)
			}
			if class(errB) != class(errR) {
				t.Fatalf("op %d (%d): byte path %v, Reader %v", i, op%6, errB, errR)
			}
			if errB != nil {
				return
			}
			if want != got {
				t.Fatalf("op %d (%d): byte path %v, Reader %v", i, op%6, want, got)
			}
			b = rest
			if r.Offset() != int64(len(data)-len(b)) {
				t.Fatalf("op %d: Offset %d, byte path at %d", i, r.Offset(), len(data)-len(b))
			}
		}
	})
}
