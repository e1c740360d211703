package wire_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"testing"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

// result is what one decoding path made of an input.
type result struct {
	path     string
	value    string
	consumed int64 // meaningful on success only
	class    string
}

// agreeVector is an input with the outcome every path must agree on.
type agreeVector struct {
	name     string
	kind     string // "bytes", "uint64", "bool", "count", "uint"
	in       []byte
	min, max uint64
	class    string // expected error class ("ok" for success)
}

func agreeVectors() []agreeVector {
	var vs []agreeVector
	bytesV := func(name string, in []byte, min, max uint64, class string) {
		vs = append(vs, agreeVector{name: name, kind: "bytes", in: in, min: min, max: max, class: class})
	}
	trail := []byte("TRAILING")
	for _, n := range []int{0, 1, 7, 8, 9, 16, 17, 47, 48, 49, 100, 1000} {
		pk := packet(payload(n))
		bytesV(fmt.Sprintf("valid %d", n), pk, 0, 1000, "ok")
		bytesV(fmt.Sprintf("valid %d with trailing bytes", n), cat(pk, trail), 0, 1000, "ok")
		bytesV(fmt.Sprintf("valid %d at min=max", n), pk, uint64(n), uint64(n), "ok")
		if n > 0 {
			bytesV(fmt.Sprintf("%d above max", n), pk, 0, uint64(n)-1, "TooLarge")
		}
		bytesV(fmt.Sprintf("%d below min", n), pk, uint64(n)+1, 2000, "TooSmall")
		for _, k := range []int{1, 4, 7, 8, 8 + n/2, 8 + n, len(pk) - 1} {
			if k < len(pk) && k > 0 && (k != 8+n/2 || n > 1) {
				bytesV(fmt.Sprintf("%d cut at %d", n, k), pk[:k], 0, 1000, "UnexpectedEOF")
			}
		}
		for pos := 8 + n; pos < len(pk); pos++ {
			bad := bytes.Clone(pk)
			bad[pos] = 0x01
			bytesV(fmt.Sprintf("%d bad padding at %d", n, pos), bad, 0, 1000, "Padding")
			bytesV(fmt.Sprintf("%d bad padding at %d, cut", n, pos), bad[:len(bad)-1], 0, 1000, "UnexpectedEOF")
			bytesV(fmt.Sprintf("%d bad padding at %d, too long", n, pos), bad, 0, uint64(n)-1, "TooLarge")
		}
	}
	bytesV("empty input", nil, 0, 10, "EOF")
	bytesV("2^63 over 1 KiB", cat(le64(1<<63), payload(100)), 0, 1024, "TooLarge")
	bytesV("2^63 length only", le64(1<<63), 0, 1024, "TooLarge")
	bytesV("2^63 without limit", cat(le64(1<<63), payload(100)), 0, math.MaxUint64, "UnexpectedEOF")
	bytesV("max u64 without limit", cat(le64(math.MaxUint64), payload(100)), 0, math.MaxUint64, "UnexpectedEOF")
	bytesV("max u64 - 7 without limit", cat(le64(math.MaxUint64-7), payload(16)), 0, math.MaxUint64, "UnexpectedEOF")
	bytesV("min above max", packet(payload(3)), 5, 2, "TooLarge") // and TooSmall

	num := func(kind, name string, in []byte, max uint64, class string) {
		vs = append(vs, agreeVector{name: name, kind: kind, in: in, max: max, class: class})
	}
	for _, kind := range []string{"uint64", "bool", "count", "uint"} {
		num(kind, "empty", nil, 10, "EOF")
		for k := 1; k < 8; k++ {
			num(kind, fmt.Sprintf("cut at %d", k), le64(1)[:k], 10, "UnexpectedEOF")
		}
		num(kind, "zero", le64(0), 10, "ok")
		num(kind, "one", cat(le64(1), trail), 10, "ok")
	}
	num("uint64", "max", le64(math.MaxUint64), 0, "ok")
	num("uint64", "2^63", le64(1<<63), 0, "ok")
	num("bool", "two", le64(2), 0, "Bool")
	num("bool", "max", le64(math.MaxUint64), 0, "Bool")
	num("bool", "high byte", le64(1<<56), 0, "Bool")
	num("count", "at max", le64(10), 10, "ok")
	num("count", "over max", le64(11), 10, "TooLarge")
	num("count", "2^63 unlimited", le64(1<<63), math.MaxUint64, "TooLarge")
	num("uint", "at max", le64(255), 255, "ok")
	num("uint", "over max", le64(256), 255, "Range")
	return vs
}

// bytePath decodes v on the byte path with every function that applies.
func bytePath(v agreeVector) []result {
	res := func(path, value string, rest []byte, err error) result {
		r := result{path: path, class: class(err)}
		if err == nil {
			r.value, r.consumed = value, int64(len(v.in)-len(rest))
		}
		return r
	}
	switch v.kind {
	case "bytes":
		p, rest1, err1 := wire.ConsumeBytes(v.in, v.min, v.max)
		s, rest2, err2 := wire.ConsumeString(v.in, v.min, v.max)
		a, rest3, err3 := wire.ConsumeStringAlias(v.in, v.min, v.max)
		return []result{res("ConsumeBytes", string(p), rest1, err1), res("ConsumeString", s, rest2, err2),
			res("ConsumeStringAlias", a, rest3, err3)}
	case "uint64":
		n, rest, err := wire.ConsumeUint64(v.in)
		return []result{res("ConsumeUint64", fmt.Sprint(n), rest, err)}
	case "bool":
		b, rest, err := wire.ConsumeBool(v.in)
		return []result{res("ConsumeBool", fmt.Sprint(b), rest, err)}
	case "count":
		n, rest, err := wire.ConsumeCount(v.in, v.min, v.max, 0)
		return []result{res("ConsumeCount", fmt.Sprint(n), rest, err)}
	case "uint":
		n, rest, err := wire.ConsumeUint(v.in, v.max)
		return []result{res("ConsumeUint", fmt.Sprint(n), rest, err)}
	}
	panic(v.kind)
}

// readerPath decodes v with a Reader over several buffer sizes and sources.
func readerPath(v agreeVector) []result {
	var out []result
	for _, size := range []int{64, wire.DefaultBufferSize} {
		for _, one := range []bool{false, true} {
			newReader := func() *wire.Reader {
				var src io.Reader = bytes.NewReader(v.in)
				if one {
					src = iotest.OneByteReader(src)
				}
				return wire.NewReaderSize(src, size)
			}
			name := fmt.Sprintf("Reader(%d,1-byte=%v).", size, one)
			res := func(path, value string, r *wire.Reader, err error) result {
				x := result{path: name + path, class: class(err)}
				if err == nil {
					x.value, x.consumed = value, r.Offset()
				} else if r.Offset() != 0 && v.kind != "bytes" {
					x.class += fmt.Sprintf(" (consumed %d)", r.Offset())
				}
				return x
			}
			switch v.kind {
			case "bytes":
				r := newReader()
				p, err := r.Bytes(v.min, v.max)
				out = append(out, res("Bytes", string(p), r, err))
				r = newReader()
				s, err := r.String(v.min, v.max)
				out = append(out, res("String", s, r, err))
				r = newReader()
				p, err = r.AppendBytes(nil, v.min, v.max)
				out = append(out, res("AppendBytes", string(p), r, err))
			case "uint64":
				r := newReader()
				n, err := r.Uint64()
				out = append(out, res("Uint64", fmt.Sprint(n), r, err))
			case "bool":
				r := newReader()
				b, err := r.Bool()
				out = append(out, res("Bool", fmt.Sprint(b), r, err))
			case "count":
				r := newReader()
				n, err := r.Count(v.min, v.max)
				out = append(out, res("Count", fmt.Sprint(n), r, err))
			case "uint":
				r := newReader()
				n, err := r.Uint(v.max)
				out = append(out, res("Uint", fmt.Sprint(n), r, err))
			}
		}
	}
	return out
}

// streamPath decodes a bytes vector with BytesReader and ReadBytes, which
// read the source unbuffered, so the bytes consumed are the bytes read.
func streamPath(v agreeVector) []result {
	var out []result
	for _, one := range []bool{false, true} {
		wrap := func(r io.Reader) io.Reader { return r }
		if one {
			wrap = iotest.OneByteReader
		}
		src := &countReader{r: wrap(bytes.NewReader(v.in))}
		r := result{path: fmt.Sprintf("BytesReader(1-byte=%v)", one)}
		br, err := wire.NewBytesReader(src, v.min, v.max)
		var p []byte
		if err == nil {
			p, err = io.ReadAll(wrap(br))
		}
		if r.class = class(err); err == nil {
			r.value, r.consumed = string(p), src.n
		}
		out = append(out, r)

		src = &countReader{r: wrap(bytes.NewReader(v.in))}
		r = result{path: fmt.Sprintf("ReadBytes(1-byte=%v)", one)}
		p, err = wire.ReadBytes(src, v.min, v.max)
		if r.class = class(err); err == nil {
			r.value, r.consumed = string(p), src.n
		}
		out = append(out, r)
	}
	return out
}

// TestPathsAgree runs every vector through the byte path, the Reader and
// the unbuffered stream path: all must give the expected error class and,
// on success, the same value and the same number of bytes consumed.
func TestPathsAgree(t *testing.T) {
	for _, v := range agreeVectors() {
		t.Run(v.kind+"/"+v.name, func(t *testing.T) {
			all := bytePath(v)
			ref := all[0]
			all = append(all, readerPath(v)...)
			if v.kind == "bytes" {
				all = append(all, streamPath(v)...)
			}
			if ref.class != v.class {
				t.Fatalf("%s: class %s, want %s", ref.path, ref.class, v.class)
			}
			for _, r := range all[1:] {
				if r != (result{path: r.path, value: ref.value, consumed: ref.consumed, class: ref.class}) {
					t.Errorf("%s = %.30q/%d/%s; %s = %.30q/%d/%s",
						r.path, r.value, r.consumed, r.class, ref.path, ref.value, ref.consumed, ref.class)
				}
			}
		})
	}
}
