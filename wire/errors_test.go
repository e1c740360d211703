package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

func TestLimitError(t *testing.T) {
	tests := []struct {
		e                     wire.LimitError
		msg                   string
		large, small, inRange bool
	}{
		{wire.LimitError{What: "string length", N: 1048577, Max: 1048576}, "string length 1048577 exceeds limit 1048576", true, false, false},
		{wire.LimitError{What: "bytes length", N: 1, Min: 2, Max: 5}, "bytes length 1 below minimum 2", false, true, false},
		{wire.LimitError{What: "count", N: 7, Max: 6}, "count 7 exceeds limit 6", true, false, false},
		{wire.LimitError{What: "frame length", N: 10, Min: 1, Max: 9}, "frame length 10 exceeds limit 9", true, false, false},
		{wire.LimitError{What: "value", N: 256, Max: 255}, "value 256 exceeds limit 255", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			err := error(&tt.e)
			if err.Error() != tt.msg {
				t.Errorf("Error() = %q", err.Error())
			}
			if errors.Is(err, wire.ErrTooLarge) != tt.large || errors.Is(err, wire.ErrTooSmall) != tt.small || errors.Is(err, wire.ErrRange) != tt.inRange {
				t.Errorf("Is: TooLarge %v TooSmall %v Range %v", errors.Is(err, wire.ErrTooLarge), errors.Is(err, wire.ErrTooSmall), errors.Is(err, wire.ErrRange))
			}
			for _, other := range []error{wire.ErrPadding, wire.ErrBool, io.EOF, io.ErrUnexpectedEOF, wire.ErrTrailing} {
				if errors.Is(err, other) {
					t.Errorf("matches %v", other)
				}
			}
			wrapped := fmt.Errorf("context: %w", err)
			if errors.Is(wrapped, wire.ErrTooLarge) != tt.large {
				t.Errorf("wrapped: Is TooLarge = %v", !tt.large)
			}
		})
	}
}

func TestSentinelsDistinct(t *testing.T) {
	all := []error{wire.ErrTooLarge, wire.ErrTooSmall, wire.ErrRange, wire.ErrPadding, wire.ErrBool,
		wire.ErrTrailing, wire.ErrInvalid, wire.ErrVersion, wire.ErrWriteTooLong, wire.ErrIncomplete, wire.ErrClosed}
	seen := map[string]bool{}
	for i, a := range all {
		if !strings.HasPrefix(a.Error(), "wire: ") || seen[a.Error()] {
			t.Errorf("sentinel %q: missing prefix or duplicate text", a)
		}
		seen[a.Error()] = true
		for j, b := range all {
			if errors.Is(a, b) != (i == j) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, i != j)
			}
		}
	}
}

func TestErrorRendering(t *testing.T) {
	limit := &wire.LimitError{What: "string length", N: 1048577, Max: 1048576}
	tests := []struct {
		name string
		err  *wire.Error
		want string
	}{
		{"the reference rendering", &wire.Error{Op: "decode", Type: "ValidPathInfo", Field: ".References[3]", Offset: 184, Err: limit},
			"decode ValidPathInfo.References[3] at byte 184: string length 1048577 exceeds limit 1048576"},
		{"no field", &wire.Error{Op: "decode", Type: "BuildResult", Offset: 0, Err: io.EOF},
			"decode BuildResult at byte 0: EOF"},
		{"encode has no offset", &wire.Error{Op: "encode", Type: "ValidPathInfo", Field: ".NarHash", Offset: -1, Err: wire.ErrVersion},
			"encode ValidPathInfo.NarHash: wire: value not representable at this protocol version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%q, want\n%q", got, tt.want)
			}
			if !errors.Is(tt.err, tt.err.Err) || errors.Unwrap(tt.err) != tt.err.Err {
				t.Error("does not unwrap")
			}
		})
	}
	var e error = tests[0].err
	var le *wire.LimitError
	if !errors.Is(e, wire.ErrTooLarge) || !errors.As(e, &le) || le.N != 1048577 {
		t.Error("errors.Is/As through *Error")
	}
}

func TestConsumeError(t *testing.T) {
	limit := &wire.LimitError{What: "string length", N: 1048577, Max: 1048576}
	t.Run("leaf", func(t *testing.T) {
		err := wire.ConsumeError("ValidPathInfo", ".References[3]", 184, limit)
		if err.Error() != "decode ValidPathInfo.References[3] at byte 184: string length 1048577 exceeds limit 1048576" {
			t.Errorf("%q", err)
		}
		checkError(t, err, "decode", "ValidPathInfo", ".References[3]", 184, limit)
	})
	t.Run("nested is re-rooted", func(t *testing.T) {
		inner := wire.ConsumeError("StorePath", ".Name", 8, wire.ErrPadding)
		mid := wire.ConsumeError("ValidPathInfo", ".Deriver", 40, inner)
		outer := wire.ConsumeError("Reply", ".Info", 16, mid)
		checkError(t, mid, "decode", "ValidPathInfo", ".Deriver.Name", 48, wire.ErrPadding)
		checkError(t, outer, "decode", "Reply", ".Info.Deriver.Name", 64, wire.ErrPadding)
		if outer.Error() != "decode Reply.Info.Deriver.Name at byte 64: wire: non-zero padding" {
			t.Errorf("%q", outer)
		}
	})
	t.Run("nested through a wrapping error", func(t *testing.T) {
		inner := fmt.Errorf("while reading: %w", wire.ConsumeError("StorePath", "", 0, wire.ErrBool))
		checkError(t, wire.ConsumeError("Outer", ".P", 24, inner), "decode", "Outer", ".P", 24, wire.ErrBool)
	})
	t.Run("an encode error inside is not merged", func(t *testing.T) {
		enc := wire.EncodeError("X", ".Y", wire.ErrInvalid)
		err := wire.ConsumeError("T", ".F", 8, enc)
		checkError(t, err, "decode", "T", ".F", 8, enc)
	})
	tests := []struct {
		name    string
		err     func() error
		want    error
		wantOff int64
	}{
		{"EOF at offset 0 stays EOF", func() error { return wire.ConsumeError("T", ".A", 0, io.EOF) }, io.EOF, 0},
		{"EOF later is unexpected", func() error { return wire.ConsumeError("T", ".B", 8, io.EOF) }, io.ErrUnexpectedEOF, 8},
		{"unexpected EOF at 0 stays", func() error { return wire.ConsumeError("T", ".A", 0, io.ErrUnexpectedEOF) }, io.ErrUnexpectedEOF, 0},
		{"nested EOF at 0 of a value at 0", func() error {
			return wire.ConsumeError("T", ".In", 0, wire.ConsumeError("U", ".A", 0, io.EOF))
		}, io.EOF, 0},
		{"nested EOF at 0 of a value later", func() error {
			return wire.ConsumeError("T", ".In", 16, wire.ConsumeError("U", ".A", 0, io.EOF))
		}, io.ErrUnexpectedEOF, 16},
		{"nested EOF inside a value at 0", func() error {
			return wire.ConsumeError("T", ".In", 0, wire.ConsumeError("U", ".B", 8, io.EOF))
		}, io.ErrUnexpectedEOF, 8},
		{"other errors kept", func() error { return wire.ConsumeError("T", ".A", 5, errInjected) }, errInjected, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *wire.Error
			err := tt.err()
			if !errors.As(err, &e) || e.Err != tt.want || e.Offset != tt.wantOff {
				t.Fatalf("got %#v, want Err %v at %d", err, tt.want, tt.wantOff)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(err, %v) is false", tt.want)
			}
			if tt.want == io.ErrUnexpectedEOF && errors.Is(err, io.EOF) {
				t.Errorf("still matches io.EOF")
			}
		})
	}
}

func TestReadError(t *testing.T) {
	t.Run("absolute offsets", func(t *testing.T) {
		err := wire.ReadError("ValidPathInfo", ".References[3]", 1184, 1000, &wire.LimitError{What: "string length", N: 1048577, Max: 1048576})
		if err.Error() != "decode ValidPathInfo.References[3] at byte 1184: string length 1048577 exceeds limit 1048576" {
			t.Errorf("%q", err)
		}
	})
	t.Run("nested keeps the inner absolute offset", func(t *testing.T) {
		inner := wire.ReadError("StorePath", ".Name", 130, 120, wire.ErrPadding)
		outer := wire.ReadError("Reply", ".Path", 120, 100, inner)
		checkError(t, outer, "decode", "Reply", ".Path.Name", 130, wire.ErrPadding)
	})
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"EOF at the start", wire.ReadError("T", ".A", 100, 100, io.EOF), io.EOF},
		{"EOF after the start", wire.ReadError("T", ".B", 108, 100, io.EOF), io.ErrUnexpectedEOF},
		{"nested EOF at the start of both", wire.ReadError("T", ".In", 100, 100, wire.ReadError("U", ".A", 100, 100, io.EOF)), io.EOF},
		{"nested EOF at a later field", wire.ReadError("T", ".In", 116, 100, wire.ReadError("U", ".A", 116, 116, io.EOF)), io.ErrUnexpectedEOF},
		{"source error", wire.ReadError("T", ".A", 100, 100, errInjected), errInjected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *wire.Error
			if !errors.As(tt.err, &e) || e.Err != tt.want {
				t.Fatalf("got %v, want %v", tt.err, tt.want)
			}
		})
	}
}

func TestEncodeError(t *testing.T) {
	inner := wire.EncodeError("StorePath", ".Name", wire.ErrInvalid)
	outer := wire.EncodeError("ValidPathInfo", ".Deriver", inner)
	checkError(t, outer, "encode", "ValidPathInfo", ".Deriver.Name", -1, wire.ErrInvalid)
	if outer.Error() != "encode ValidPathInfo.Deriver.Name: wire: invalid value" {
		t.Errorf("%q", outer)
	}
	// A decode error inside an encode error is kept whole.
	dec := wire.ConsumeError("X", ".Y", 3, wire.ErrBool)
	checkError(t, wire.EncodeError("T", ".F", dec), "encode", "T", ".F", -1, dec)
	if err := wire.EncodeError("T", "", io.EOF); !errors.Is(err, io.EOF) {
		t.Errorf("encode keeps io.EOF: %v", err)
	}
}

func checkError(t *testing.T, err error, op, typ, field string, off int64, inner error) {
	t.Helper()
	var e *wire.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not a *wire.Error", err)
	}
	if e.Op != op || e.Type != typ || e.Field != field || e.Offset != off || e.Err != inner {
		t.Errorf("got {%s %s %q at %d: %v}, want {%s %s %q at %d: %v}",
			e.Op, e.Type, e.Field, e.Offset, e.Err, op, typ, field, off, inner)
	}
}

// pathInfo is a hand-written Message shaped like Nix's ValidPathInfo: a
// deriver, a size, references, and a field that exists only from 1.16 on.
type pathInfo struct {
	Deriver    string
	NarSize    uint64
	References []string
	Ultimate   bool // ≥ 1.16
}

const maxRef = 1 << 20

func (m *pathInfo) WireTypeName() string { return "ValidPathInfo" }

func (m *pathInfo) WireSize(p wire.Proto) int {
	n := wire.BytesSize(len(m.Deriver)) + 8 + 8
	for _, r := range m.References {
		n += wire.BytesSize(len(r))
	}
	if p.AtLeast(1, 16) {
		n += 8
	}
	return n
}

func (m *pathInfo) AppendWire(b []byte, p wire.Proto) ([]byte, error) {
	orig := b
	b = wire.AppendString(b, m.Deriver)
	b = wire.AppendUint64(b, m.NarSize)
	b = wire.AppendUint64(b, uint64(len(m.References)))
	for i, r := range m.References {
		if len(r) > maxRef {
			return orig, wire.EncodeError("ValidPathInfo", fmt.Sprintf(".References[%d]", i),
				&wire.LimitError{What: "string length", N: uint64(len(r)), Max: maxRef})
		}
		b = wire.AppendString(b, r)
	}
	if p.AtLeast(1, 16) {
		b = wire.AppendBool(b, m.Ultimate)
	} else if m.Ultimate {
		return orig, wire.EncodeError("ValidPathInfo", ".Ultimate", wire.ErrVersion)
	}
	return b, nil
}

func (m *pathInfo) ConsumeWire(b []byte, p wire.Proto) ([]byte, error) {
	orig := b
	off := func() int { return len(orig) - len(b) }
	var err error
	var rest []byte
	if m.Deriver, rest, err = wire.ConsumeString(b, 0, 1024); err != nil {
		return b, wire.ConsumeError("ValidPathInfo", ".Deriver", off(), err)
	}
	b = rest
	if m.NarSize, rest, err = wire.ConsumeUint64(b); err != nil {
		return b, wire.ConsumeError("ValidPathInfo", ".NarSize", off(), err)
	}
	b = rest
	n, rest, err := wire.ConsumeCount(b, 0, 1000, 8)
	if err != nil {
		return b, wire.ConsumeError("ValidPathInfo", ".References", off(), err)
	}
	b = rest
	m.References = m.References[:0]
	for i := range n {
		var s string
		if s, rest, err = wire.ConsumeString(b, 0, maxRef); err != nil {
			return b, wire.ConsumeError("ValidPathInfo", fmt.Sprintf(".References[%d]", i), off(), err)
		}
		b = rest
		m.References = append(m.References, s)
	}
	m.Ultimate = false
	if p.AtLeast(1, 16) {
		if m.Ultimate, rest, err = wire.ConsumeBool(b); err != nil {
			return b, wire.ConsumeError("ValidPathInfo", ".Ultimate", off(), err)
		}
		b = rest
	}
	return b, nil
}

func (m *pathInfo) EncodeWire(w *wire.Writer, p wire.Proto) error {
	if p.AtLeast(1, 16) || !m.Ultimate {
		_ = w.String(m.Deriver)
		_ = w.Uint64(m.NarSize)
		_ = w.Uint64(uint64(len(m.References)))
		for _, r := range m.References {
			_ = w.String(r)
		}
		if p.AtLeast(1, 16) {
			_ = w.Bool(m.Ultimate)
		}
		return w.Err()
	}
	return wire.EncodeError("ValidPathInfo", ".Ultimate", wire.ErrVersion)
}

func (m *pathInfo) DecodeWire(r *wire.Reader, p wire.Proto) error {
	start := r.Offset()
	var err error
	fail := func(field string) error { return wire.ReadError("ValidPathInfo", field, r.ValueOffset(), start, err) }
	if m.Deriver, err = r.String(0, 1024); err != nil {
		return fail(".Deriver")
	}
	if m.NarSize, err = r.Uint64(); err != nil {
		return fail(".NarSize")
	}
	n, err := r.Count(0, 1000)
	if err != nil {
		return fail(".References")
	}
	m.References = m.References[:0]
	for i := range n {
		var s string
		if s, err = r.String(0, maxRef); err != nil {
			return fail(fmt.Sprintf(".References[%d]", i))
		}
		m.References = append(m.References, s)
	}
	m.Ultimate = false
	if p.AtLeast(1, 16) {
		if m.Ultimate, err = r.Bool(); err != nil {
			return fail(".Ultimate")
		}
	}
	return nil
}

// wrapper nests a pathInfo after two numbers, to test re-rooted errors;
// it has no WireTypeName.
type wrapper struct {
	A, B uint64
	Info pathInfo
}

func (m *wrapper) WireSize(p wire.Proto) int { return 16 + m.Info.WireSize(p) }

func (m *wrapper) AppendWire(b []byte, p wire.Proto) ([]byte, error) {
	orig := b
	b = wire.AppendUint64(wire.AppendUint64(b, m.A), m.B)
	b, err := m.Info.AppendWire(b, p)
	if err != nil {
		return orig, wire.EncodeError("Wrapper", ".Info", err)
	}
	return b, nil
}

func (m *wrapper) ConsumeWire(b []byte, p wire.Proto) ([]byte, error) {
	orig := b
	var err error
	if m.A, b, err = wire.ConsumeUint64(b); err != nil {
		return orig, wire.ConsumeError("Wrapper", ".A", 0, err)
	}
	if m.B, b, err = wire.ConsumeUint64(b); err != nil {
		return orig, wire.ConsumeError("Wrapper", ".B", 8, err)
	}
	rest, err := m.Info.ConsumeWire(b, p)
	if err != nil {
		return orig, wire.ConsumeError("Wrapper", ".Info", 16, err)
	}
	return rest, nil
}

func (m *wrapper) EncodeWire(w *wire.Writer, p wire.Proto) error {
	_ = w.Uint64(m.A)
	_ = w.Uint64(m.B)
	if err := m.Info.EncodeWire(w, p); err != nil {
		return wire.EncodeError("Wrapper", ".Info", err)
	}
	return w.Err()
}

func (m *wrapper) DecodeWire(r *wire.Reader, p wire.Proto) error {
	start := r.Offset()
	var err error
	if m.A, err = r.Uint64(); err != nil {
		return wire.ReadError("Wrapper", ".A", r.ValueOffset(), start, err)
	}
	if m.B, err = r.Uint64(); err != nil {
		return wire.ReadError("Wrapper", ".B", r.ValueOffset(), start, err)
	}
	at := r.Offset()
	if err := m.Info.DecodeWire(r, p); err != nil {
		return wire.ReadError("Wrapper", ".Info", at, start, err)
	}
	return nil
}

var (
	_ wire.Message = (*pathInfo)(nil)
	_ wire.Message = (*wrapper)(nil)
)

func samplePathInfo() *pathInfo {
	return &pathInfo{
		Deriver:    strings.Repeat("d", 40),
		NarSize:    123456,
		References: []string{strings.Repeat("a", 32), strings.Repeat("b", 32), strings.Repeat("c", 32), "last"},
		Ultimate:   true,
	}
}

func TestMarshalUnmarshal(t *testing.T) {
	for _, p := range []wire.Proto{wire.P(1, 15), wire.P(1, 16), wire.P(1, 38, "x")} {
		t.Run(p.String(), func(t *testing.T) {
			m := samplePathInfo()
			m.Ultimate = p.AtLeast(1, 16)
			b, err := wire.Marshal(m, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != m.WireSize(p) || cap(b) != len(b) {
				t.Errorf("Marshal: len %d cap %d, WireSize %d", len(b), cap(b), m.WireSize(p))
			}
			var got pathInfo
			if err := wire.Unmarshal(b, &got, p); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(*m) {
				t.Errorf("round trip: %+v", got)
			}
			var buf bytes.Buffer
			if err := wire.Encode(wire.NewWriter(&buf), m, p); err != nil || !bytes.Equal(buf.Bytes(), b) {
				t.Fatalf("Encode: % x, %v", buf.Bytes(), err)
			}
			var dec pathInfo
			r := wire.NewReader(&buf)
			if err := wire.Decode(r, &dec, p); err != nil || fmt.Sprint(dec) != fmt.Sprint(*m) {
				t.Fatalf("Decode: %+v, %v", dec, err)
			}
			if err := wire.Decode(r, &dec, p); !errors.Is(err, io.EOF) {
				t.Fatalf("Decode at the end: %v, want io.EOF", err)
			}
		})
	}
	t.Run("ErrTrailing", func(t *testing.T) {
		p := wire.P(1, 16)
		b, _ := wire.Marshal(samplePathInfo(), p)
		n := len(b)
		err := wire.Unmarshal(append(b, 0, 0, 0), &pathInfo{}, p)
		if !errors.Is(err, wire.ErrTrailing) {
			t.Fatalf("err = %v", err)
		}
		want := fmt.Sprintf("decode ValidPathInfo at byte %d: wire: trailing bytes after message", n)
		if err.Error() != want {
			t.Errorf("%q, want %q", err, want)
		}
		// A type without WireTypeName is named "message".
		w := &wrapper{Info: *samplePathInfo()}
		b, _ = wire.Marshal(w, p)
		err = wire.Unmarshal(append(b, 1), &wrapper{}, p)
		if want := fmt.Sprintf("decode message at byte %d: wire: trailing bytes after message", len(b)); err == nil || err.Error() != want {
			t.Errorf("%v, want %q", err, want)
		}
	})
	t.Run("encode errors", func(t *testing.T) {
		m := samplePathInfo()
		buf := []byte("keep")
		b, err := m.AppendWire(buf, wire.P(1, 15))
		if !errors.Is(err, wire.ErrVersion) || string(b) != "keep" {
			t.Fatalf("AppendWire = %q, %v", b, err)
		}
		if _, err := wire.Marshal(m, wire.P(1, 15)); err == nil || err.Error() != "encode ValidPathInfo.Ultimate: wire: value not representable at this protocol version" {
			t.Fatalf("Marshal = %v", err)
		}
		w := &wrapper{Info: *m}
		w.Info.References = append(w.Info.References, strings.Repeat("x", maxRef+1))
		_, err = wire.Marshal(w, wire.P(1, 16))
		if err == nil || err.Error() != "encode Wrapper.Info.References[4]: string length 1048577 exceeds limit 1048576" || !errors.Is(err, wire.ErrTooLarge) {
			t.Fatalf("Marshal = %v", err)
		}
		if err := wire.Encode(wire.NewWriter(io.Discard), m, wire.P(1, 15)); !errors.Is(err, wire.ErrVersion) {
			t.Fatalf("Encode = %v", err)
		}
		if err := wire.Encode(wire.NewWriterSize(&errAtWriter{at: 3, err: errInjected}, 64), m, wire.P(1, 16)); err != errInjected {
			t.Fatalf("Encode to a failing writer = %v", err)
		}
	})
}

// TestDecodeErrorPaths decodes broken inputs on both paths: the errors
// name the same field at the same byte with the same text.
func TestDecodeErrorPaths(t *testing.T) {
	p := wire.P(1, 16)
	good, _ := wire.Marshal(samplePathInfo(), p)
	// References[3] starts at 48 (deriver) + 8 + 8 + 3*40 = 184.
	forged := cat(good[:184], le64(maxRef+1))
	badBool := cat(good[:len(good)-8], le64(2))
	tests := []struct {
		name   string
		in     []byte
		outer  bool // decode as a wrapper
		want   string
		target error
	}{
		{"the reference error", forged, false,
			"decode ValidPathInfo.References[3] at byte 184: string length 1048577 exceeds limit 1048576", wire.ErrTooLarge},
		{"the reference error nested", cat(le64(1), le64(2), forged), true,
			"decode Wrapper.Info.References[3] at byte 200: string length 1048577 exceeds limit 1048576", wire.ErrTooLarge},
		{"empty input", nil, false, "decode ValidPathInfo.Deriver at byte 0: EOF", io.EOF},
		{"empty input nested", nil, true, "decode Wrapper.A at byte 0: EOF", io.EOF},
		{"nested value missing", cat(le64(1), le64(2)), true,
			"decode Wrapper.Info.Deriver at byte 16: unexpected EOF", io.ErrUnexpectedEOF},
		{"cut after the deriver", good[:48], false, "decode ValidPathInfo.NarSize at byte 48: unexpected EOF", io.ErrUnexpectedEOF},
		{"cut inside a reference", good[:190], false, "decode ValidPathInfo.References[3] at byte 184: unexpected EOF", io.ErrUnexpectedEOF},
		{"bad bool", badBool, false, fmt.Sprintf("decode ValidPathInfo.Ultimate at byte %d: wire: invalid boolean", len(good)-8), wire.ErrBool},
		{"too many references", cat(good[:56], le64(1001)), false, "decode ValidPathInfo.References at byte 56: count 1001 exceeds limit 1000", wire.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m1, m2 wire.Message = &pathInfo{}, &pathInfo{}
			if tt.outer {
				m1, m2 = &wrapper{}, &wrapper{}
			}
			err1 := wire.Unmarshal(tt.in, m1, p)
			err2 := wire.Decode(wire.NewReaderSize(bytes.NewReader(tt.in), 64), m2, p)
			for i, err := range []error{err1, err2} {
				path := [...]string{"Unmarshal", "Decode"}[i]
				if err == nil || err.Error() != tt.want {
					t.Errorf("%s:\n%v, want\n%s", path, err, tt.want)
				}
				if !errors.Is(err, tt.target) {
					t.Errorf("%s: errors.Is(%v) is false", path, tt.target)
				}
				if tt.target == io.ErrUnexpectedEOF && errors.Is(err, io.EOF) {
					t.Errorf("%s: matches io.EOF inside a value", path)
				}
			}
		})
	}
}

func TestValueError(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
		is   error
	}{
		{wire.Invalid("union tag", 0x12345678), "invalid union tag 0x12345678", wire.ErrInvalid},
		{wire.Invalid("optional tag", 2), "invalid optional tag 2", wire.ErrInvalid},
		{wire.Mismatch(0x12345678, 0x6478696f), "invalid constant 0x12345678, want 0x6478696f", wire.ErrInvalid},
		{wire.Mismatch(3, 0), "invalid constant 3, want 0", wire.ErrInvalid},
		{wire.NotInVersion("BuildMode value", 2), "BuildMode value 2 does not exist at this protocol version", wire.ErrVersion},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, tt.is) {
			t.Errorf("%v does not match %v", tt.err, tt.is)
		}
	}
	if errors.Is(wire.Invalid("x", 1), wire.ErrVersion) {
		t.Error("Invalid matches ErrVersion")
	}
}

func TestNilError(t *testing.T) {
	err := wire.EncodeError("Op", ".Action", &wire.NilError{Type: "GCAction"})
	if got, want := err.Error(), "encode Op.Action: nil GCAction: a union value must be one of its variants"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, wire.ErrInvalid) {
		t.Errorf("%v does not match ErrInvalid", err)
	}
}
