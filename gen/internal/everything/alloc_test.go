package everything_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/wire"
)

// TestAllocs guards the allocations of the ValidPathInfo-shaped message:
// none to encode, one per string and slice to decode.
func TestAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	v := benchPathInfo()
	enc, err := wire.Marshal(v, benchProto)
	if err != nil {
		t.Fatal(err)
	}
	const strings, slices = 16, 2
	buf := make([]byte, 0, 4096)
	w := wire.NewWriter(io.Discard)
	src := bytes.NewReader(enc)
	r := wire.NewReader(src)
	var reused everything.ValidPathInfo
	tests := []struct {
		name string
		want float64
		f    func()
	}{
		{"AppendWire into a reused buffer", 0, func() { buf, _ = v.AppendWire(buf[:0], benchProto) }},
		{"EncodeWire to a reused Writer", 0, func() { _ = v.EncodeWire(w, benchProto) }},
		{"WireSize", 0, func() { _ = v.WireSize(benchProto) }},
		{"ConsumeWire into a fresh value", strings + slices, func() {
			var m everything.ValidPathInfo
			if _, err := m.ConsumeWire(enc, benchProto); err != nil {
				panic(err)
			}
		}},
		{"ConsumeWire into a reused value", strings, func() {
			if _, err := reused.ConsumeWire(enc, benchProto); err != nil {
				panic(err)
			}
		}},
		{"DecodeWire into a fresh value", strings + slices, func() {
			src.Reset(enc)
			r.Reset(src)
			var m everything.ValidPathInfo
			if err := m.DecodeWire(r, benchProto); err != nil {
				panic(err)
			}
		}},
		{"DecodeWire into a reused value", strings, func() {
			src.Reset(enc)
			r.Reset(src)
			if err := reused.DecodeWire(r, benchProto); err != nil {
				panic(err)
			}
		}},
	}
	for _, tt := range tests {
		tt.f() // warm up: reused values get their capacity
		if got := testing.AllocsPerRun(100, tt.f); got != tt.want {
			t.Errorf("%s: %v allocations, want %v", tt.name, got, tt.want)
		}
	}
}

// TestEncodeAllocsEverywhere checks that encoding any populated message, at
// any protocol, allocates nothing: maps of up to 16 entries are sorted on
// the stack.
func TestEncodeAllocsEverywhere(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	buf := make([]byte, 0, 1<<16)
	w := wire.NewWriter(io.Discard)
	for _, d := range messageDecls(t) {
		for _, p := range protos {
			m := populated(t, d, p, *seedFlag, false)
			if n := testing.AllocsPerRun(10, func() { buf, _ = m.AppendWire(buf[:0], p) }); n != 0 {
				t.Errorf("%s.AppendWire at %v: %v allocations", d.DeclName(), p, n)
			}
			if n := testing.AllocsPerRun(10, func() { _ = m.EncodeWire(w, p) }); n != 0 {
				t.Errorf("%s.EncodeWire at %v: %v allocations", d.DeclName(), p, n)
			}
		}
	}
}

// TestTerminatedAllocs checks that decoding a terminated list into a
// reused value reuses its elements: one allocation per string only.
func TestTerminatedAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	p := wire.P(1, 20)
	v := &everything.QueryPathsReply{Infos: []everything.Entry{
		{Path: "/a", Size: 1, Note: "one"}, {Path: "/b", Size: 2, Note: "two"}, {Path: "/c", Size: 3, Note: "three"}}}
	enc, err := wire.Marshal(v, p)
	if err != nil {
		t.Fatal(err)
	}
	const strings = 6
	src := bytes.NewReader(enc)
	r := wire.NewReader(src)
	var reused everything.QueryPathsReply
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"ConsumeWire into a reused value", func() {
			if _, err := reused.ConsumeWire(enc, p); err != nil {
				panic(err)
			}
		}},
		{"DecodeWire into a reused value", func() {
			src.Reset(enc)
			r.Reset(src)
			if err := reused.DecodeWire(r, p); err != nil {
				panic(err)
			}
		}},
	} {
		tt.f()
		if got := testing.AllocsPerRun(100, tt.f); got != strings {
			t.Errorf("%s: %v allocations, want %v", tt.name, got, strings)
		}
	}
}
