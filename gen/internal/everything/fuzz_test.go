package everything_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/wire"
)

// fuzzTypes are the message types of the fuzz target, by name.
var fuzzTypes = func() []string {
	var names []string
	for n := range goTypes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}()

// fuzzSelect picks the type and protocol of a fuzz input from its first two
// bytes.
func fuzzSelect(in []byte) (reflect.Type, wire.Proto, []byte, bool) {
	if len(in) < 2 {
		return nil, wire.Proto{}, nil, false
	}
	return goTypes[fuzzTypes[int(in[0])%len(fuzzTypes)]], protos[int(in[1])%len(protos)], in[2:], true
}

// FuzzDecode decodes arbitrary bytes as any message at any protocol: it
// never panics, the byte and stream paths agree, and whatever decodes
// re-encodes to exactly the bytes consumed.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add([]byte{1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		rt, p, data, ok := fuzzSelect(in)
		if !ok {
			return
		}
		m := reflect.New(rt).Interface().(wire.Message)
		rest, err := m.ConsumeWire(data, p)
		m2 := reflect.New(rt).Interface().(wire.Message)
		r := wire.NewReaderSize(bytes.NewReader(data), 64)
		err2 := m2.DecodeWire(r, p)

		if (err == nil) != (err2 == nil) {
			t.Fatalf("%v at %v: ConsumeWire: %v, DecodeWire: %v", rt, p, err, err2)
		}
		if err != nil {
			// The byte path fails early, on a count that its input cannot
			// hold: io.ErrUnexpectedEOF where the stream path may meet
			// another error first.
			if c1, c2 := errClass(err), errClass(err2); c1 != c2 && c1 != "UnexpectedEOF" {
				t.Fatalf("%v at %v: the paths disagree:\nConsumeWire: %v\nDecodeWire:  %v", rt, p, err, err2)
			}
			return
		}
		consumed := data[:len(data)-len(rest)]
		if r.Offset() != int64(len(consumed)) {
			t.Fatalf("%v at %v: ConsumeWire consumed %d bytes, DecodeWire %d", rt, p, len(consumed), r.Offset())
		}
		if diff := cmp.Diff(m, m2, cmpOpts...); diff != "" {
			t.Fatalf("%v at %v: the paths decode differently: %s", rt, p, diff)
		}
		if n := m.WireSize(p); n != len(consumed) {
			t.Fatalf("%v at %v: WireSize %d, consumed %d", rt, p, n, len(consumed))
		}
		again, err := m.AppendWire(nil, p)
		if err != nil {
			t.Fatalf("%v at %v: decoded value does not encode: %v", rt, p, err)
		}
		if !bytes.Equal(again, consumed) {
			t.Fatalf("%v at %v: re-encoding differs:\nconsumed %x\nencoded  %x", rt, p, consumed, again)
		}
	})
}

// TestFuzzSeeds writes the seed corpus of FuzzDecode (with -update): a
// populated value of every type at a few protocols.
func TestFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzDecode")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range messageDecls(t) {
		name := d.DeclPkg().Name + "." + d.DeclName()
		ti := slices.Index(fuzzTypes, name)
		for _, pi := range []int{3, 9} {
			m := populated(t, d, protos[pi], *seedFlag, false)
			enc := encode(t, m, protos[pi])
			in := append([]byte{byte(ti), byte(pi)}, enc...)
			file := filepath.Join(dir, fmt.Sprintf("%s-%d", d.DeclName(), pi))
			if err := os.WriteFile(file, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", in), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
