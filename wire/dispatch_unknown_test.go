package wire

import (
	"context"
	"errors"
	"io"
	"testing"
)

// protoOnly is an Exchange that has nothing but a protocol.
type protoOnly struct{ p Proto }

func (x protoOnly) Proto() Proto                              { return x.p }
func (protoOnly) Reader() *Reader                             { return nil }
func (protoOnly) Writer() *Writer                             { return nil }
func (protoOnly) RequestStream(StreamKind) (io.Reader, error) { return nil, ErrInvalid }
func (protoOnly) ReplyStream(StreamKind) (io.Writer, error)   { return nil, ErrInvalid }
func (protoOnly) StartWork(Message)                           {}
func (protoOnly) EndLog() error                               { return nil }

// TestDispatcherUnknownOp: an op code that no protocol of the chain has is
// ErrNoOp, not a panic (a nil dispatcher was dereferenced once the chain
// was walked).
func TestDispatcherUnknownOp(t *testing.T) {
	base := &Protocol{Name: "Base", Ops: OpTable{{Name: "A", Code: 1}}}
	ext := &Protocol{Name: "Ext", Ops: OpTable{{Name: "B", Code: 2}}, Base: base}
	bd, err := NewDispatcher(base, []Route{nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDispatcher(ext, []Route{nil}, bd)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Serve(context.Background(), 1, protoOnly{}); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("an op without a route: %v, want a match for errors.ErrUnsupported", err)
	}
	for code, want := range map[uint64]error{1: ErrUnsupported, 2: ErrUnsupported, 3: ErrNoOp} {
		if err := d.Serve(context.Background(), code, protoOnly{}); !errors.Is(err, want) {
			t.Errorf("op %d: %v, want %v", code, err, want)
		}
	}
}
