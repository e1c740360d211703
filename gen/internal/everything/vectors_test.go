package everything_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/gen/internal/everything/base"
	"github.com/nixwire/nixwire/wire"
)

// unhex decodes hex written as space-separated words, ignoring newlines.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVectors checks byte-exact encodings of a handful of values, and that
// they decode back.
func TestVectors(t *testing.T) {
	var (
		v120       = wire.P(1, 20)
		gated119   = &everything.Gated{Always: 1, Old: 2, NoFeat: 4, ReqStr: "x", Both: everything.ModeRepair, Level: everything.LevelWarn}
		gated130   = &everything.Gated{Always: 1, New: "n", Old: 7, Feat: true, NoFeat: 3, Req: 9, ReqStr: "rs", Both: everything.ModeCheck, ReqList: []uint64{6}, ReqStruct: everything.Prims{I: "ab", J: []byte{1}}, Level: everything.Level(77)}
		pathA      = everything.StorePath("/a")
		actionNew  = everything.Action(&everything.ActionNew{Level: everything.LevelInfo})
		nineteen   = uint64(5)
		optionalsV = &everything.Optionals{Tag: &nineteen, TagPath: &pathA, TagUnion: actionNew, EmptyMin: "abc"}
	)
	tests := []struct {
		name string
		p    wire.Proto
		m    wire.Message
		want string
	}{{
		name: "every primitive",
		p:    v120,
		m: &everything.Prims{A: 1, B: 0x0203, C: 0x04050607, D: 0x08090a0b0c0d0e0f, E: 5, F: true, G: "hi", H: []byte{0xff},
			I: "abc", J: []byte{1, 2}, K: 7, L: "name", M: true, N: 9},
		want: `0100000000000000 0302000000000000 0706050400000000 0f0e0d0c0b0a0908
			0500000000000000 0100000000000000
			0200000000000000 6869000000000000
			0100000000000000 ff00000000000000
			0300000000000000 6162630000000000
			0200000000000000 0102000000000000
			0700000000000000
			0400000000000000 6e616d6500000000
			0100000000000000 0900000000000000
			0000000000000000`,
	}, {
		name: "gates before 1.20: Old and NoFeat, no New, Both, Req…",
		p:    wire.P(1, 19),
		m:    gated119,
		want: `0100000000000000 6378696e00000000
			0200000000000000
			0400000000000000
			0500000000000000 6d61676963000000
			0100000000000000 0100000000000000
			0100000000000000`,
	}, {
		name: "gates at 1.30 with Foo and Bar",
		p:    wire.P(1, 30, everything.FeatureFoo, everything.FeatureBar),
		m:    gated130,
		want: `0100000000000000 6378696e00000000
			0100000000000000 6e00000000000000
			0100000000000000
			0900000000000000
			0200000000000000 7273000000000000
			0200000000000000
			0100000000000000 0600000000000000
			` + strings.Repeat("0000000000000000 ", 6) + `
			0000000000000000 0000000000000000
			0200000000000000 6162000000000000
			0100000000000000 0100000000000000
			0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000
			0500000000000000 6d61676963000000
			0500000000000000
			0100000000000000 0100000000000000
			4d00000000000000`,
	}, {
		name: "first layout",
		p:    wire.P(1, 24),
		m:    &everything.Versioned{Path: "/a", Size: 3},
		want: `0200000000000000 2f61000000000000 0300000000000000`,
	}, {
		name: "second layout with Foo",
		p:    wire.P(1, 26, everything.FeatureFoo),
		m:    &everything.Versioned{Path: "/a", Hash: everything.Hash{0xab}, Size: 3, Extra: "e"},
		want: `0200000000000000 2f61000000000000 0100000000000000 ab00000000000000 0300000000000000
			0100000000000000 6500000000000000`,
	}, {
		name: "no layout",
		p:    wire.P(1, 45),
		m:    &everything.Versioned{},
		want: ``,
	}, {
		name: "optionals",
		p:    wire.P(1, 30),
		m:    optionalsV,
		want: `0100000000000000 0500000000000000
			0000000000000000
			0100000000000000 0200000000000000 2f61000000000000
			0000000000000000
			0100000000000000 0200000000000000 0200000000000000
			0000000000000000
			0000000000000000
			0300000000000000 6162630000000000
			0000000000000000`,
	}, {
		name: "map keys sorted, a union in a list",
		p:    v120,
		m: &everything.Collections{Map: map[string]uint64{"b": 2, "a": 1},
			Actions: []everything.Action{&everything.ActionDelete{Force: true}}, Blobs: [][]byte{{}}},
		want: `0000000000000000 0000000000000000
			0200000000000000 0100000000000000 6100000000000000 0100000000000000
			0100000000000000 6200000000000000 0200000000000000
			0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000
			0100000000000000 0100000000000000 0100000000000000
			0100000000000000 0000000000000000`,
	}, {
		name: "imported types",
		p:    wire.P(1, 20, base.FeatureBaz),
		m: &everything.Imported{Path: "p", Kind: base.KindB, Box: base.Box{Label: "l", Kind: base.KindA},
			Shape: &base.Square{S: 4}, Feat: 8},
		want: `0100000000000000 7000000000000000
			0200000000000000
			0100000000000000 6c00000000000000 0100000000000000
			0100000000000000 0400000000000000
			0000000000000000
			0800000000000000`,
	}, {
		name: "a path info",
		p:    v120,
		m: &everything.ValidPathInfo{Path: "/nix/store/abc", NarHash: "sha256:x", References: []everything.StorePath{"/a"},
			RegistrationTime: 1700000000, NarSize: 1024, Ultimate: true, Sigs: []string{"s"}},
		want: `0e00000000000000 2f6e69782f73746f 72652f6162630000
			0000000000000000
			0800000000000000 7368613235363a78
			0100000000000000 0200000000000000 2f61000000000000
			00f1536500000000
			0004000000000000
			0100000000000000
			0100000000000000 0100000000000000 7300000000000000
			0000000000000000`,
	}, {
		name: "a named set",
		p:    v120,
		m:    &everything.Paths{"/x", "/y"},
		want: `0200000000000000 0200000000000000 2f78000000000000 0200000000000000 2f79000000000000`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.want)
			got := encode(t, tt.m, tt.p)
			if !cmp.Equal(want, got) {
				t.Fatalf("encoding at %v:\n got %x\nwant %x", tt.p, got, want)
			}
			back := newLike(tt.m)
			if err := wire.Unmarshal(got, back, tt.p); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(tt.m, back, cmpOpts...); diff != "" {
				t.Errorf("decoded: (-want +got)\n%s", diff)
			}
		})
	}
}

// newLike returns a new zero value of m's type.
func newLike(m wire.Message) wire.Message {
	switch m.(type) {
	case *everything.Prims:
		return new(everything.Prims)
	case *everything.Gated:
		return new(everything.Gated)
	case *everything.Versioned:
		return new(everything.Versioned)
	case *everything.Optionals:
		return new(everything.Optionals)
	case *everything.Collections:
		return new(everything.Collections)
	case *everything.Imported:
		return new(everything.Imported)
	case *everything.ValidPathInfo:
		return new(everything.ValidPathInfo)
	case *everything.Paths:
		return new(everything.Paths)
	}
	panic("newLike: add the type")
}

// TestEnumsAndOps checks the generated String and Valid methods, the op
// codes and the op table.
func TestEnumsAndOps(t *testing.T) {
	if got := everything.ModeRepair.String(); got != "Repair" {
		t.Errorf("ModeRepair.String() = %q", got)
	}
	if got := everything.Mode(7).String(); got != "Mode(7)" {
		t.Errorf("Mode(7).String() = %q", got)
	}
	if everything.ModeCheck.Valid(wire.P(1, 29)) || !everything.ModeCheck.Valid(wire.P(1, 30)) {
		t.Error("ModeCheck.Valid: want false at 1.29, true at 1.30")
	}
	if everything.Level(9).Valid(wire.P(1, 30)) || !everything.LevelInfo.Valid(wire.P(1, 0)) {
		t.Error("Level.Valid: want false for 9, true for Info")
	}
	if got := everything.OpQuery.String(); got != "Query" {
		t.Errorf("OpQuery.String() = %q", got)
	}
	if got := everything.EveryOpCode(99).String(); got != "EveryOpCode(99)" {
		t.Errorf("EveryOpCode(99).String() = %q", got)
	}
	ops := everything.EveryOps
	if _, ok := ops.Lookup(2, wire.P(1, 9)); ok {
		t.Error("Query exists at 1.9")
	}
	op, ok := ops.Lookup(uint64(everything.OpQuery), wire.P(1, 10))
	if !ok || op.Name != "Query" {
		t.Fatalf("Lookup(Query, 1.10) = %v, %v", op, ok)
	}
	if _, ok := op.NewRequest().(*everything.QueryRequest); !ok {
		t.Errorf("Query.NewRequest() = %T", op.NewRequest())
	}
	if _, ok := op.NewReply().(*everything.QueryReply); !ok {
		t.Errorf("Query.NewReply() = %T", op.NewReply())
	}
	add, _ := ops.ByName("Add")
	if add.Deprecated != "use AddMulti" || add.NewReply != nil {
		t.Errorf("Add: deprecated %q, NewReply %v", add.Deprecated, add.NewReply != nil)
	}
	if k := add.RequestStream(wire.P(1, 22)); k != wire.RawStream {
		t.Errorf("Add request stream at 1.22 = %v", k)
	}
	if k := add.RequestStream(wire.P(1, 23)); k != wire.FramedStream {
		t.Errorf("Add request stream at 1.23 = %v", k)
	}
	if _, ok := ops.Lookup(4, wire.P(1, 30)); ok {
		t.Error("Log exists without Foo")
	}
	logOp, ok := ops.Lookup(4, wire.P(1, 30, everything.FeatureFoo))
	if !ok || logOp.ReplyStream(wire.P(1, 30)) != wire.RawStream || logOp.RequestStream(wire.P(1, 30)) != wire.NoStream {
		t.Errorf("Log: %v %v", ok, logOp)
	}
	// The first rule that holds wins: pushed with Bar, raw without.
	if k := logOp.ReplyStream(wire.P(1, 30, everything.FeatureBar)); k != wire.PushStream {
		t.Errorf("Log reply stream with Bar = %v", k)
	}
	if _, ok := logOp.NewReply().(*everything.Prims); !ok {
		t.Errorf("Log.NewReply() = %T", logOp.NewReply())
	}
}
