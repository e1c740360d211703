package wire_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// num is a test request: one u64, which encodes only up to max (0: any),
// so that a test can make an encode fail.
type num struct {
	V   uint64
	Max uint64
	op  uint64
}

func (m *num) WireSize(wire.Proto) int { return 8 }
func (m *num) AppendWire(b []byte, _ wire.Proto) ([]byte, error) {
	if m.Max != 0 && m.V > m.Max {
		return b, wire.EncodeError("num", ".V", wire.ErrVersion)
	}
	return wire.AppendUint64(b, m.V), nil
}
func (m *num) ConsumeWire(b []byte, _ wire.Proto) ([]byte, error) {
	var err error
	m.V, b, err = wire.ConsumeUint64(b)
	return b, err
}
func (m *num) EncodeWire(w *wire.Writer, p wire.Proto) error {
	if m.Max != 0 && m.V > m.Max {
		return wire.EncodeError("num", ".V", wire.ErrVersion)
	}
	return w.Uint64(m.V)
}
func (m *num) DecodeWire(r *wire.Reader, _ wire.Proto) error {
	var err error
	m.V, err = r.Uint64()
	return err
}
func (m *num) OpCode() uint64 { return m.op }

// TestProtocolPrecedence looks ops up in a chain: the extension's own
// ops first, whatever the order of the entries, then the base's.
func TestProtocolPrecedence(t *testing.T) {
	base := &wire.Protocol{Name: "Base", Ops: wire.OpTable{
		{Name: "Query", Code: 26, Gate: wire.Gate{Since: wire.V(1, 6)}},
		{Name: "Stat", Code: 3},
	}}
	ext := &wire.Protocol{Name: "Ext", Base: base, Ops: wire.OpTable{
		{Name: "QueryV39", Code: 26, Gate: wire.Gate{Since: wire.V(1, 39)}},
		{Name: "New", Code: 1100},
	}}
	for _, tt := range []struct {
		code uint64
		p    wire.Proto
		want string
	}{
		{26, wire.P(1, 38), "Query"},
		{26, wire.P(1, 39), "QueryV39"},
		{3, wire.P(1, 39), "Stat"},
		{1100, wire.P(1, 10), "New"},
		{26, wire.P(1, 5), ""},
		{7, wire.P(1, 39), ""},
	} {
		op, ok := ext.Lookup(tt.code, tt.p)
		got := ""
		if ok {
			got = op.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%d, %v) = %q, want %q", tt.code, tt.p, got, tt.want)
		}
		_, err := ext.Find(tt.code, tt.p)
		if (err == nil) != (tt.want != "") || (err != nil && !errors.Is(err, wire.ErrNoOp)) {
			t.Errorf("Find(%d, %v): %v", tt.code, tt.p, err)
		}
	}
	if !ext.Extends(base) || !ext.Extends(ext) || base.Extends(ext) {
		t.Error("Extends does not follow the chain")
	}
	if got := ext.Chain(); len(got) != 2 || got[0][0].Name != "QueryV39" || got[1][0].Name != "Query" {
		t.Errorf("Chain = %v", got)
	}
	var none *wire.Protocol
	if _, ok := none.Lookup(26, wire.P(1, 38)); ok {
		t.Error("a nil Protocol found an op")
	}
	if _, err := none.Find(26, wire.P(1, 38)); !errors.Is(err, wire.ErrNoOp) {
		t.Errorf("Find in a nil Protocol: %v", err)
	}
}

// TestWriteRequest writes op code and request together, and nothing when
// the request does not encode: the writer is untouched (no buffered byte,
// no error, offset unchanged), so the next request is still in sync.
func TestWriteRequest(t *testing.T) {
	p := wire.P(1, 38)
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	if err := wire.WriteRequest(w, &num{V: 7, op: 26}, p); err != nil {
		t.Fatal(err)
	}
	before, off := w.Buffered(), w.Offset()
	err := wire.WriteRequest(w, &num{V: 9, Max: 8, op: 26}, p)
	if !errors.Is(err, wire.ErrVersion) {
		t.Fatalf("WriteRequest of a request that cannot be encoded: %v", err)
	}
	if w.Buffered() != before || w.Offset() != off || w.Err() != nil {
		t.Errorf("a failed WriteRequest changed the writer: buffered %d → %d, offset %d → %d, err %v",
			before, w.Buffered(), off, w.Offset(), w.Err())
	}
	if err := wire.WriteRequest(w, &num{V: 8, op: 1100}, p); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := cat(le64(26), le64(7), le64(1100), le64(8))
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("wrote %x, want %x", buf.Bytes(), want)
	}

	b := []byte{1, 2}
	out, err := wire.AppendRequest(b, &num{V: 9, Max: 8, op: 26}, p)
	if err == nil || len(out) != 2 {
		t.Errorf("AppendRequest of a failing request = %x, %v", out, err)
	}

	// A writer that failed already reports its error and writes nothing.
	bad := wire.NewWriterSize(errWriter{}, 16)
	bad.Write(make([]byte, 1<<20))
	if err := wire.WriteRequest(bad, &num{op: 1}, p); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("WriteRequest on a failed writer: %v", err)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestWriteRequestAllocs: a request that fits the writer's buffer is
// encoded in place.
func TestWriteRequestAllocs(t *testing.T) {
	w := wire.NewWriter(io.Discard)
	req := &num{V: 7, op: 26}
	p := wire.P(1, 38)
	if n := testing.AllocsPerRun(100, func() {
		if err := wire.WriteRequest(w, req, p); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("WriteRequest allocates %v times", n)
	}
}

// TestWriteRequestLarge: a request larger than the writer's buffer is
// built apart and written whole, and a failing one writes nothing.
func TestWriteRequestLarge(t *testing.T) {
	var buf bytes.Buffer
	w := wire.NewWriterSize(&buf, 64)
	big := &blob{data: bytes.Repeat([]byte{'x'}, 100000), op: 5}
	if err := wire.WriteRequest(w, big, wire.P(1, 38)); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if buf.Len() != 8+8+100000 || buf.Bytes()[0] != 5 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
	buf.Reset()
	big.fail = true
	if err := wire.WriteRequest(w, big, wire.P(1, 38)); err == nil || w.Buffered() != 0 || buf.Len() != 0 {
		t.Errorf("failing large request: %v, %d buffered, %d written", err, w.Buffered(), buf.Len())
	}
}

// blob is a test request of one bytes packet.
type blob struct {
	data []byte
	fail bool
	op   uint64
}

func (m *blob) WireSize(wire.Proto) int { return wire.BytesSize(len(m.data)) }
func (m *blob) AppendWire(b []byte, _ wire.Proto) ([]byte, error) {
	if m.fail {
		return b, wire.ErrInvalid
	}
	return wire.AppendBytes(b, m.data), nil
}
func (m *blob) ConsumeWire(b []byte, _ wire.Proto) ([]byte, error) { return b, nil }
func (m *blob) EncodeWire(w *wire.Writer, p wire.Proto) error      { return w.Bytes(m.data) }
func (m *blob) DecodeWire(r *wire.Reader, _ wire.Proto) error      { return nil }
func (m *blob) OpCode() uint64                                     { return m.op }

// BenchmarkWriteRequest compares WriteRequest with the unsafe way (the op
// code, then EncodeWire), interleaved in one run.
func BenchmarkWriteRequest(b *testing.B) {
	req := &num{V: 7, op: 26}
	p := wire.P(1, 38)
	b.Run("impl=WriteRequest", func(b *testing.B) {
		w := wire.NewWriter(io.Discard)
		b.ReportAllocs()
		for b.Loop() {
			wire.WriteRequest(w, req, p)
		}
	})
	b.Run("impl=Uint64+EncodeWire", func(b *testing.B) {
		w := wire.NewWriter(io.Discard)
		b.ReportAllocs()
		for b.Loop() {
			w.Uint64(req.OpCode())
			req.EncodeWire(w, p)
		}
	})
}
