package everything_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/wire"
)

// u and s build encodings: a number, a bytes packet.
func u(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func s(str string) []byte { return wire.AppendString(nil, str) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// zeros returns n zero counts.
func zeros(n int) []byte { return make([]byte, 8*n) }

// TestDecodeErrors checks decode errors, with their paths and offsets, on
// both paths: the messages are the same.
func TestDecodeErrors(t *testing.T) {
	v120bar := wire.P(1, 20, everything.FeatureBar)
	tests := []struct {
		name string
		m    func() wire.Message
		p    wire.Proto
		in   []byte
		want string
		is   error
	}{{
		name: "a string too long in a list in a nested struct",
		m:    func() wire.Message { return new(everything.Deep) },
		in:   cat(u(1), u(3), s("a"), s("b"), s("abcdefghijk")),
		want: "decode Deep.Inner.Items[2].Name at byte 48: string length 11 exceeds limit 10",
		is:   wire.ErrTooLarge,
	}, {
		name: "a truncated list element in a nested struct",
		m:    func() wire.Message { return new(everything.Deep) },
		in:   cat(u(1), u(3), s("a"), s("b"), u(3), []byte("ab")),
		want: "decode Deep.Inner.Items[2].Name at byte 48: unexpected EOF",
		is:   io.ErrUnexpectedEOF,
	}, {
		name: "empty input",
		m:    func() wire.Message { return new(everything.Deep) },
		in:   nil,
		want: "decode Deep.ID at byte 0: EOF",
		is:   io.EOF,
	}, {
		name: "a map with unsorted keys",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(u(0), u(0), u(2), s("b"), u(1), s("a"), u(2)),
		want: "decode Collections.Map[#1] at byte 48: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "a map with a duplicate key",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(u(0), u(0), u(2), s("a"), u(1), s("a"), u(2)),
		want: "decode Collections.Map[#1] at byte 48: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "a map value below an enum key",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(u(0), u(0), u(0), u(0), u(1), u(1), u(1), s("relative")),
		want: "decode Collections.MapEnum[Repair][0] at byte 56: store path is not absolute",
	}, {
		name: "an enum value that does not exist yet",
		m:    func() wire.Message { return new(everything.Gated) },
		p:    v120bar,
		in:   cat(u(1), u(0x6e697863), s(""), u(3), u(2)),
		want: "decode Gated.Both at byte 32: Mode value 2 does not exist at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "an unknown enum value",
		m:    func() wire.Message { return new(everything.Gated) },
		p:    v120bar,
		in:   cat(u(1), u(0x6e697863), s(""), u(3), u(9)),
		want: "decode Gated.Both at byte 32: invalid Mode value 9",
		is:   wire.ErrInvalid,
	}, {
		name: "a wrong magic number",
		m:    func() wire.Message { return new(everything.Gated) },
		in:   cat(u(1), u(0x6e697864)),
		want: "decode Gated.Magic at byte 8: invalid constant 0x6e697864, want 0x6e697863",
		is:   wire.ErrInvalid,
	}, {
		name: "a wrong magic string",
		m:    func() wire.Message { return new(everything.Gated) },
		p:    wire.P(1, 10),
		in:   cat(u(1), u(0x6e697863), u(7), u(3), s("magix")),
		want: "decode Gated.MagicStr at byte 32: wire: invalid value",
		is:   wire.ErrInvalid,
	}, {
		name: "an unknown union tag in a list",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(zeros(10), u(1), u(7)),
		want: "decode Collections.Actions[0] at byte 88: invalid union tag 7",
		is:   wire.ErrInvalid,
	}, {
		name: "a union variant that does not exist yet",
		m:    func() wire.Message { return new(everything.Collections) },
		p:    wire.P(1, 29),
		in:   cat(zeros(10), u(1), u(2), u(0)),
		want: "decode Collections.Actions[0] at byte 88: union tag 2 does not exist at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "an error inside a union variant",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(zeros(10), u(2), u(1), u(0), u(0), u(1), s("x")),
		want: "decode Collections.Actions[1].(*ActionAdd).Paths[0] at byte 120: store path is not absolute",
	}, {
		name: "a bad optional tag",
		m:    func() wire.Message { return new(everything.Optionals) },
		in:   u(2),
		want: "decode Optionals.Tag at byte 0: invalid optional tag 2",
		is:   wire.ErrInvalid,
	}, {
		name: "a bad boolean",
		m:    func() wire.Message { return new(everything.ActionDelete) },
		in:   u(2),
		want: "decode ActionDelete.Force at byte 0: wire: invalid boolean",
		is:   wire.ErrBool,
	}, {
		name: "a narrow integer out of range",
		m:    func() wire.Message { return new(everything.Prims) },
		in:   cat(u(1), u(0x10000)),
		want: "decode Prims.B at byte 8: value 65536 exceeds limit 65535",
		is:   wire.ErrRange,
	}, {
		name: "an i64 out of range",
		m:    func() wire.Message { return new(everything.Prims) },
		in:   cat(u(1), u(2), u(3), u(4), u(1<<63)),
		want: "decode Prims.E at byte 32: value 9223372036854775808 exceeds limit 9223372036854775807",
		is:   wire.ErrRange,
	}, {
		name: "a string too short",
		m:    func() wire.Message { return new(everything.Prims) },
		in:   cat(u(1), u(2), u(3), u(4), u(5), u(0), s(""), s(""), s("a")),
		want: "decode Prims.I at byte 64: string length 1 below minimum 2",
		is:   wire.ErrTooSmall,
	}, {
		name: "non-zero padding",
		m:    func() wire.Message { return new(everything.Item) },
		in:   cat(u(1), []byte("a\x00\x00\x00\x00\x00\x00\x01")),
		want: "decode Item.Name at byte 0: wire: non-zero padding",
		is:   wire.ErrPadding,
	}, {
		name: "a count above its limit",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(u(9)),
		want: "decode Collections.Nested at byte 0: count 9 exceeds limit 8",
		is:   wire.ErrTooLarge,
	}, {
		name: "a count below its minimum",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(zeros(11), u(0)),
		want: "decode Collections.Blobs at byte 88: count 0 below minimum 1",
		is:   wire.ErrTooSmall,
	}, {
		name: "an optional<T, empty> too short",
		m:    func() wire.Message { return new(everything.Optionals) },
		in:   cat(u(0), u(0), u(0), u(0), u(0), u(0), s(""), s("ab")),
		want: "decode Optionals.EmptyMin at byte 56: string length 2 below minimum 3",
		is:   wire.ErrTooSmall,
	}, {
		name: "a named map's Validate",
		m:    func() wire.Message { return new(everything.Collections) },
		in:   cat(u(0), u(0), u(0), u(0), u(0), u(1), s(""), s("v")),
		want: "decode Collections.Env at byte 40: empty environment variable name",
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

// TestEncodeErrors checks encode errors on both paths: a value that cannot
// be written at the protocol leaves AppendWire's buffer as it was.
func TestEncodeErrors(t *testing.T) {
	v120 := wire.P(1, 20)
	tests := []struct {
		name string
		m    wire.Message
		p    wire.Proto
		want string
		is   error
	}{{
		name: "a required field gated out",
		m:    &everything.Gated{Req: 5},
		p:    v120,
		want: "encode Gated.Req: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a required field with a default, gated out",
		m:    &everything.Gated{ReqStr: ""},
		p:    v120,
		want: "encode Gated.ReqStr: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a required list gated out",
		m:    &everything.Gated{ReqStr: "x", ReqList: []uint64{1}},
		p:    v120,
		want: "encode Gated.ReqList: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a required struct gated out",
		m:    &everything.Gated{ReqStr: "x", ReqStruct: everything.Prims{O: everything.Hash{1}}},
		p:    v120,
		want: "encode Gated.ReqStruct: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "an enum value that does not exist yet",
		m:    &everything.Gated{ReqStr: "x", Both: everything.ModeCheck},
		p:    wire.P(1, 20, everything.FeatureBar),
		want: "encode Gated.Both: Mode value 2 does not exist at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "an unknown enum value",
		m:    &everything.Gated{ReqStr: "x", Both: 12},
		p:    wire.P(1, 20, everything.FeatureBar),
		want: "encode Gated.Both: invalid Mode value 12",
		is:   wire.ErrInvalid,
	}, {
		name: "a union variant that does not exist yet, in a list",
		m:    &everything.Collections{Actions: []everything.Action{&everything.ActionDelete{}, &everything.ActionNew{}}},
		p:    v120,
		want: "encode Collections.Actions[1].(*ActionNew): union tag 2 does not exist at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a value of a field gated out (not dropped silently)",
		m:    &everything.Gated{ReqStr: "x", New: "lost"},
		p:    wire.P(1, 19),
		want: "encode Gated.New: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a value of a field of another feature",
		m:    &everything.Gated{ReqStr: "x", Feat: true},
		p:    wire.P(1, 19),
		want: "encode Gated.Feat: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a value other than the default and zero where the field is gated out",
		m:    &everything.Gated{ReqStr: "x", Old: 8},
		p:    wire.P(1, 20),
		want: "encode Gated.Old: wire: value not representable at this protocol version",
		is:   wire.ErrVersion,
	}, {
		name: "a nil union",
		m:    &everything.Collections{Actions: []everything.Action{nil}},
		p:    v120,
		want: "encode Collections.Actions[0]: nil Action: a union value must be one of its variants",
		is:   wire.ErrInvalid,
	}, {
		name: "a typed nil union",
		m:    &everything.Collections{Actions: []everything.Action{(*everything.ActionAdd)(nil)}},
		p:    v120,
		want: "encode Collections.Actions[0]: nil Action: a union value must be one of its variants",
		is:   wire.ErrInvalid,
	}, {
		name: "Validate in a map value",
		m:    &everything.Collections{MapEnum: map[everything.Mode][]everything.StorePath{everything.ModeRepair: {"/a", "b"}}},
		p:    v120,
		want: "encode Collections.MapEnum[Repair][1]: store path is not absolute",
	}, {
		name: "a negative i64",
		m:    &everything.Prims{E: -1, I: "ab", J: []byte{1}},
		p:    v120,
		want: "encode Prims.E: wire: number out of range",
		is:   wire.ErrRange,
	}, {
		name: "a string above its limit",
		m:    &everything.Prims{I: "abcdefghijk", J: []byte{1}},
		p:    v120,
		want: "encode Prims.I: string length 11 exceeds limit 10",
		is:   wire.ErrTooLarge,
	}, {
		name: "bytes below their minimum",
		m:    &everything.Prims{I: "ab"},
		p:    v120,
		want: "encode Prims.J: bytes length 0 below minimum 1",
		is:   wire.ErrTooSmall,
	}, {
		name: "a count above its limit",
		m:    &everything.Collections{Nested: make([][]string, 9)},
		p:    v120,
		want: "encode Collections.Nested: count 9 exceeds limit 8",
		is:   wire.ErrTooLarge,
	}, {
		name: "a deep string above its limit",
		m:    &everything.Deep{Inner: everything.Outer{Items: []everything.Item{{}, {Name: strings.Repeat("x", 11)}}}},
		p:    v120,
		want: "encode Deep.Inner.Items[1].Name: string length 11 exceeds limit 10",
		is:   wire.ErrTooLarge,
	}, {
		name: "an optional's Validate",
		m:    &everything.Optionals{Empty: "rel"},
		p:    v120,
		want: "encode Optionals.Empty: store path is not absolute",
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
				var we *wire.Error
				if !errors.As(err, &we) || we.Offset != -1 {
					t.Errorf("%s: %#v is not a *wire.Error without offset", path, err)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("%s: %v does not match %v", path, err, tt.is)
				}
			}
		})
	}
}

// errWriter fails every write.
type errWriter struct{}

var errBroken = errors.New("broken pipe")

func (errWriter) Write([]byte) (int, error) { return 0, errBroken }

// TestWriterErrors checks that an error of the underlying writer comes back
// unchanged, also from nested values and unions.
func TestWriterErrors(t *testing.T) {
	m := &everything.Collections{Actions: []everything.Action{&everything.ActionAdd{Paths: []everything.StorePath{"/a"}}}, Blobs: [][]byte{nil}}
	w := wire.NewWriterSize(errWriter{}, 64)
	if err := m.EncodeWire(w, wire.P(1, 20)); err != errBroken {
		t.Errorf("EncodeWire = %v, want the writer's error unchanged", err)
	}
}

// TestUnmarshalTrailing checks wire.Unmarshal on generated types.
func TestUnmarshalTrailing(t *testing.T) {
	err := wire.Unmarshal(cat(u(1), u(0)), new(everything.ActionDelete), wire.P(1, 20))
	if err == nil || err.Error() != "decode ActionDelete at byte 8: wire: trailing bytes after message" {
		t.Errorf("Unmarshal = %v", err)
	}
}

// Where a field is not on the wire, its zero value and its default both
// encode (a struct literal may leave the field out); a required field
// must hold its default.
func TestGatedOutZeroAndDefault(t *testing.T) {
	for _, m := range []*everything.Gated{
		{ReqStr: "x", Old: 0, NoFeat: 3},
		{ReqStr: "x", Old: 7, NoFeat: 0},
	} {
		if _, err := wire.Marshal(m, wire.P(1, 25, everything.FeatureFoo)); err != nil {
			t.Errorf("%+v: %v", *m, err)
		}
	}
	if _, err := wire.Marshal(&everything.Gated{}, wire.P(1, 20)); !errors.Is(err, wire.ErrVersion) {
		t.Errorf("a required field holding its zero value, not its default \"x\": %v", err)
	}
}
