package everything_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/gen/internal/everything/base"
	"github.com/nixwire/nixwire/wire"
)

// The exact encodings and the errors of terminated lists, when clauses and
// at clauses.

// TestClauseVectors checks byte-exact encodings, and that they decode back
// on both paths.
func TestClauseVectors(t *testing.T) {
	tests := []struct {
		name string
		p    wire.Proto
		m    wire.Message
		want []byte
	}{{
		name: "terminated lists: each element, then an empty string",
		p:    wire.P(1, 20),
		m: &everything.Terminated{
			Entries: everything.Entries{{Path: "/a"}},
			Inline:  []everything.Entry{{Path: "/b", Size: 5, Note: "n", New: 3, Mode: everything.ModeRepair}},
			Names:   []everything.Name{"x", "y"},
			Blobs:   [][]byte{{1}},
			Boxes:   []base.Box{{Label: "L", Kind: base.KindA}},
			Pinned:  []everything.Entry{{Path: "/c", New: 7, Mode: everything.ModeCheck}},
		},
		want: cat(
			s("/a"), u(0), u(0), u(0), u(9), u(0), // Entries: Note is absent (Size is 0)
			s("/b"), u(5), s("n"), u(3), u(1), u(9), u(0), // Inline
			s("x"), s("y"), u(0), // Names
			u(0), u(0), // Paths, Tokens
			s("\x01"), u(0), // Blobs
			s("L"), u(1), u(0), // Boxes
			s("/c"), u(0), u(7), u(2), u(9), u(0), // Pinned at 1.30: New, and Check exists
		),
	}, {
		name: "terminated lists before 1.20: Entry.New is absent",
		p:    wire.P(1, 19),
		m: &everything.Terminated{
			Inline: []everything.Entry{{Path: "/b", Size: 5, Note: "n", Mode: everything.ModeRepair}},
			Pinned: []everything.Entry{{Path: "/c", New: 7}},
		},
		want: cat(u(0), s("/b"), u(5), s("n"), u(1), u(9), u(0), u(0), u(0), u(0), u(0), u(0),
			s("/c"), u(0), u(7), u(0), u(9), u(0)),
	}, {
		name: "conditions at 1.25",
		p:    wire.P(1, 25),
		m: &everything.Conditional{Status: 3, Message: "m", Flag: true, Extra: 2, NoExtra: 9, Mode: everything.ModeRepair,
			Old: 4, Legacy: "l", Nested: 6, Req: "r", Level: everything.LevelWarn, Warned: true},
		want: cat(u(3), s("m"), u(1), u(2), u(1), s("l"), u(6), s("r"), u(0x6e6978), u(1), u(1), u(0)),
	}, {
		name: "conditions at 1.10, their fields absent",
		p:    wire.P(1, 10),
		m:    &everything.Conditional{Old: 5, NoExtra: 8, Level: everything.LevelError, Count: 2, Counted: []uint64{7}},
		want: cat(u(0), u(0), u(8), u(5), u(0), u(2), u(1), u(7)),
	}, {
		name: "conditions at 1.30: a gated enum compared",
		p:    wire.P(1, 30),
		m:    &everything.Conditional{Flag: true, NoExtra: 9, Mode: everything.ModeCheck, Checked: "c", Old: 4, Legacy: "l"},
		want: cat(u(0), u(1), u(0), u(2), s("c"), s("l"), u(0), u(0)),
	}, {
		name: "a condition in a layout",
		p:    wire.P(1, 25),
		m:    &everything.LayeredWhen{Kind: 1, Data: []byte("d"), More: 3},
		want: cat(u(1), s("d"), u(3)),
	}, {
		name: "an op reply with a condition",
		p:    wire.P(1, 0),
		m:    &everything.BuildReply{Status: 1, ErrorMsg: "failed"},
		want: cat(u(1), s("failed")),
	}, {
		name: "an op reply without the conditional field",
		p:    wire.P(1, 0),
		m:    &everything.BuildReply{},
		want: u(0),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, tt.m, tt.p)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("encoding at %v:\n got %x\nwant %x", tt.p, got, tt.want)
			}
			back := newClause(tt.m)
			if err := wire.Unmarshal(got, back, tt.p); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(tt.m, back, cmpOpts...); diff != "" {
				t.Errorf("decoded: (-want +got)\n%s", diff)
			}
			back2 := newClause(tt.m)
			if err := back2.DecodeWire(wire.NewReaderSize(&chunkReader{data: got, n: 5}, 64), tt.p); err != nil {
				t.Fatalf("DecodeWire: %v", err)
			}
			if diff := cmp.Diff(tt.m, back2, cmpOpts...); diff != "" {
				t.Errorf("DecodeWire: (-want +got)\n%s", diff)
			}
		})
	}
}

// newClause returns a new zero value of m's type.
func newClause(m wire.Message) wire.Message {
	switch m.(type) {
	case *everything.Terminated:
		return new(everything.Terminated)
	case *everything.Conditional:
		return new(everything.Conditional)
	case *everything.LayeredWhen:
		return new(everything.LayeredWhen)
	case *everything.BuildReply:
		return new(everything.BuildReply)
	case *everything.Pinned:
		return new(everything.Pinned)
	}
	panic("newClause: add the type")
}

// TestPinned checks that a field with an at clause is encoded exactly as
// its value alone at its fixed version, without features, whatever the
// protocol: the negotiated features do not reach it, and gates inside it
// follow the fixed version.
func TestPinned(t *testing.T) {
	var action everything.Action = &everything.ActionNew{Level: everything.LevelInfo}
	m := &everything.Pinned{
		Gated:     everything.Gated{Always: 1, New: "n", Old: 7, NoFeat: 2, Req: 3, ReqStr: "s", Both: everything.ModeRepair, Level: everything.LevelWarn},
		Old:       everything.Gated{Always: 4, Old: 5, NoFeat: 6, ReqStr: "x", Both: everything.ModeRepair},
		Modes:     []everything.Mode{everything.ModeCheck},
		Action:    action,
		Later:     everything.Prims{I: "ab", J: []byte{1}},
		Versioned: everything.Versioned{Path: "/v", Hash: everything.Hash{9}, Size: 10},
		Cond:      everything.Conditional{Status: 1, Message: "m", NoExtra: 9, Old: 4, Legacy: "l", Mode: everything.ModeRepair},
	}
	alone := func(m wire.Message, major, minor uint8) []byte { return encode(t, m, wire.P(major, minor)) }
	actionAt130, err := everything.AppendAction(nil, action, wire.P(1, 30))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []wire.Proto{wire.P(1, 0), wire.P(1, 40, everything.FeatureFoo, everything.FeatureBar)} {
		later := alone(&m.Later, 1, 0)
		if p.Version < wire.V(1, 20) {
			later = nil
			// Later is not on the wire: encoding refuses to drop a value.
			if _, err := wire.Marshal(m, p); !errors.Is(err, wire.ErrVersion) {
				t.Errorf("at %v: encoding a value of Later: %v, want wire.ErrVersion", p, err)
			}
		}
		want := cat(alone(&m.Gated, 1, 25), alone(&m.Old, 1, 10), u(1), u(2), actionAt130, later,
			alone(&m.Versioned, 1, 26), alone(&m.Cond, 1, 20))
		m := *m
		if p.Version < wire.V(1, 20) {
			m.Later = everything.Prims{}
		}
		got := encode(t, &m, p)
		if !bytes.Equal(got, want) {
			t.Fatalf("at %v:\n got %x\nwant %x", p, got, want)
		}
		back := new(everything.Pinned)
		if err := wire.Unmarshal(got, back, p); err != nil {
			t.Fatalf("at %v: Unmarshal: %v", p, err)
		}
		wantBack := m
		if diff := cmp.Diff(&wantBack, back, cmpOpts...); diff != "" {
			t.Errorf("at %v: decoded: (-want +got)\n%s", p, diff)
		}
	}
}

// TestClauseDecodeErrors checks the decode errors of terminated lists,
// conditions and fixed versions on both paths, with paths and offsets.
func TestClauseDecodeErrors(t *testing.T) {
	entry := func(path string) []byte { return cat(s(path), u(0), u(0), u(0), u(9)) }
	tests := []struct {
		name string
		m    func() wire.Message
		p    wire.Proto
		in   []byte
		want string
		is   error
	}{{
		name: "a terminated list that ends below its minimum",
		m:    func() wire.Message { return new(everything.Terminated) },
		p:    wire.P(1, 20),
		in:   cat(u(0), u(0)),
		want: "decode Terminated.Inline at byte 8: count 0 below minimum 1",
		is:   wire.ErrTooSmall,
	}, {
		name: "a terminated list with an element past its maximum",
		m:    func() wire.Message { return new(everything.Terminated) },
		p:    wire.P(1, 20),
		in:   cat(u(0), entry("/a"), u(0), u(0), s("/1"), s("/2"), s("/3"), s("/4")),
		want: "decode Terminated.Paths at byte 120: count 4 exceeds limit 3",
		is:   wire.ErrTooLarge,
	}, {
		name: "a named terminated list with an element past its maximum",
		m:    func() wire.Message { return new(everything.Entries) },
		p:    wire.P(1, 20),
		in:   cat(entry("/1"), entry("/2"), entry("/3"), entry("/4"), entry("/5"), entry("/6"), entry("/7")),
		want: "decode Entries at byte 288: count 7 exceeds limit 6",
		is:   wire.ErrTooLarge,
	}, {
		name: "a leading string that fails Validate",
		m:    func() wire.Message { return new(everything.Terminated) },
		p:    wire.P(1, 20),
		in:   cat(entry("/a"), entry("rel")),
		want: "decode Terminated.Entries[1].Path at byte 48: store path is not absolute",
	}, {
		name: "a leading string above its limit",
		m:    func() wire.Message { return new(everything.Entries) },
		p:    wire.P(1, 20),
		in:   cat(u(4097)),
		want: "decode Entries[0].Path at byte 0: string length 4097 exceeds limit 4096",
		is:   wire.ErrTooLarge,
	}, {
		name: "an error in an element's other fields, decoded inline",
		m:    func() wire.Message { return new(everything.Terminated) },
		p:    wire.P(1, 20),
		in:   cat(u(0), s("/a"), u(1), s(strings.Repeat("x", 21))),
		want: "decode Terminated.Inline[0].Note at byte 32: string length 21 exceeds limit 20",
		is:   wire.ErrTooLarge,
	}, {
		name: "a wrong const in an element",
		m:    func() wire.Message { return new(everything.Terminated) },
		p:    wire.P(1, 20),
		in:   cat(s("/a"), u(0), u(0), u(0), u(8)),
		want: "decode Terminated.Entries[0].Tag at byte 40: invalid constant 8, want 9",
		is:   wire.ErrInvalid,
	}, {
		name: "a truncated element",
		m:    func() wire.Message { return new(everything.QueryPathsReply) },
		p:    wire.P(1, 20),
		in:   cat(s("/a"), u(0)),
		want: "decode QueryPathsReply.Infos[0].New at byte 24: unexpected EOF",
		is:   io.ErrUnexpectedEOF,
	}, {
		name: "a missing terminator",
		m:    func() wire.Message { return new(everything.QueryPathsReply) },
		p:    wire.P(1, 20),
		in:   entry("/a"),
		want: "decode QueryPathsReply.Infos[1].Path at byte 48: unexpected EOF",
		is:   io.ErrUnexpectedEOF,
	}, {
		name: "an enum value of a later version at a fixed version",
		m:    func() wire.Message { return new(everything.Terminated) },
		p:    wire.P(1, 40),
		in:   cat(u(0), entry("/a"), u(0), u(0), u(0), u(0), u(0), u(0), s("/p"), u(0), u(0), u(3)),
		want: "decode Terminated.Pinned[0].Mode at byte 136: invalid Mode value 3",
		is:   wire.ErrInvalid,
	}, {
		name: "a conditional const",
		m:    func() wire.Message { return new(everything.Conditional) },
		p:    wire.P(1, 20),
		in:   cat(u(1), s("m"), u(0), u(0), u(0), s("l"), u(0x6e6979)),
		want: "decode Conditional.Magic at byte 64: invalid constant 0x6e6979, want 0x6e6978",
		is:   wire.ErrInvalid,
	}, {
		name: "no feature at a fixed version: NoFeat (unless Foo) is read, then Req",
		m:    func() wire.Message { return new(everything.Pinned) },
		p:    wire.P(1, 40, everything.FeatureFoo),
		in:   cat(u(1), u(0x6e697863), s("n"), u(0)),
		want: "decode Pinned.Gated.Req at byte 40: unexpected EOF",
		is:   io.ErrUnexpectedEOF,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err1 := tt.m().ConsumeWire(tt.in, tt.p)
			err2 := tt.m().DecodeWire(wire.NewReaderSize(&chunkReader{data: tt.in, n: 3}, 64), tt.p)
			for i, err := range []error{err1, err2} {
				path := [2]string{"ConsumeWire", "DecodeWire"}[i]
				if err == nil {
					t.Fatalf("%s: no error, want %q", path, tt.want)
				}
				if err.Error() != tt.want {
					t.Errorf("%s:\n got %q\nwant %q", path, err, tt.want)
				}
				var we *wire.Error
				if !errors.As(err, &we) {
					t.Errorf("%s: %T is not a *wire.Error", path, err)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("%s: %v does not match %v", path, err, tt.is)
				}
			}
		})
	}
}

// TestClauseEncodeErrors checks the encode errors of terminated lists,
// conditions and fixed versions on both paths.
func TestClauseEncodeErrors(t *testing.T) {
	one := []everything.Entry{{Path: "/i"}}
	tests := []struct {
		name string
		m    wire.Message
		p    wire.Proto
		want string
		is   error
	}{{
		name: "an empty leading string, which would end the list",
		m:    &everything.Terminated{Inline: []everything.Entry{{Path: "/a"}, {Size: 1}}},
		p:    wire.P(1, 20),
		want: "encode Terminated.Inline[1].Path: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "an empty string element",
		m:    &everything.Terminated{Inline: one, Names: []everything.Name{"a", ""}},
		p:    wire.P(1, 20),
		want: "encode Terminated.Names[1]: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "empty bytes in an imported struct's leading field",
		m:    &everything.Terminated{Inline: one, Boxes: []base.Box{{Kind: base.KindA}}},
		p:    wire.P(1, 20),
		want: "encode Terminated.Boxes[0].Label: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "a terminated list below its minimum",
		m:    &everything.Terminated{},
		p:    wire.P(1, 20),
		want: "encode Terminated.Inline: count 0 below minimum 1",
		is:   wire.ErrTooSmall,
	}, {
		name: "a terminated list above its maximum",
		m:    &everything.Terminated{Inline: one, Paths: []everything.StorePath{"/1", "/2", "/3", "/4"}},
		p:    wire.P(1, 20),
		want: "encode Terminated.Paths: count 4 exceeds limit 3",
		is:   wire.ErrTooLarge,
	}, {
		name: "a required field whose condition does not hold",
		m:    &everything.Conditional{Status: 2, Req: "r"},
		p:    wire.P(1, 25),
		want: "encode Conditional.Req: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "a required conditional field gated out",
		m:    &everything.Conditional{Status: 3, Req: "r"},
		p:    wire.P(1, 20),
		want: "encode Conditional.Req: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a required conditional field in a layout",
		m:    &everything.LayeredWhen{More: 1},
		p:    wire.P(1, 25),
		want: "encode LayeredWhen.More: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "a required field of a layout not selected",
		m:    &everything.LayeredWhen{Kind: 1, More: 1},
		p:    wire.P(1, 20),
		want: "encode LayeredWhen.More: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a required field gated out at the fixed version",
		m:    &everything.Pinned{Old: everything.Gated{Req: 1}},
		p:    wire.P(1, 40),
		want: "encode Pinned.Old.Req: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "an enum value of a later version at a fixed version",
		m: &everything.Pinned{Gated: everything.Gated{ReqStr: "x"}, Old: everything.Gated{ReqStr: "x"},
			Action: &everything.ActionDelete{}, Later: everything.Prims{I: "ab", J: []byte{1}}, Versioned: everything.Versioned{Path: "/v"},
			Cond: everything.Conditional{Mode: everything.ModeCheck}},
		p:    wire.P(1, 40),
		want: "encode Pinned.Cond.Mode: Mode value 2 does not exist at this protocol version",
		is:   wire.ErrVersion,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("prefix")
			b, err1 := tt.m.AppendWire(prefix, tt.p)
			if string(b) != "prefix" {
				t.Errorf("AppendWire returned %q, want the buffer as it was", b)
			}
			err2 := tt.m.EncodeWire(wire.NewWriter(io.Discard), tt.p)
			for i, err := range []error{err1, err2} {
				path := [2]string{"AppendWire", "EncodeWire"}[i]
				if err == nil {
					t.Fatalf("%s: no error, want %q", path, tt.want)
				}
				if err.Error() != tt.want {
					t.Errorf("%s:\n got %q\nwant %q", path, err, tt.want)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("%s: %v does not match %v", path, err, tt.is)
				}
			}
		})
	}
}
