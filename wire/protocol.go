package wire

import (
	"errors"
	"fmt"
	"strconv"
)

// Request is a request message that knows its op: nixwire-gen gives every
// struct that is the request of exactly one op an OpCode method (and an Op
// method returning the protocol's typed code), so that code above wire can
// send it without naming the op twice.
type Request interface {
	Message
	// OpCode returns the code of the request's op.
	OpCode() uint64
}

// ErrNoOp reports an op code that names no op of a protocol at the
// negotiated version and features.
var ErrNoOp = errors.New("wire: no such operation at this protocol")

// Protocol is the op table of a protocol together with the protocol it
// extends. Lookup tries Ops first and then Base, recursively, so the order
// of precedence is the chain itself: an extension's ops (new ones, and ops
// re-declared from the base for newer versions) come before the base's,
// whatever order a program mentions them in. nixwire-gen declares one
// Protocol per schema protocol (<P>Protocol), with Base set from the
// schema's `protocol P extends Base` statement; a program builds none by
// hand, so it cannot put a base before its extension.
type Protocol struct {
	// Name is the protocol's name in its schema, e.g. "Worker".
	Name string
	// Ops are the protocol's own ops.
	Ops OpTable
	// Base is the protocol extended; nil for none.
	Base *Protocol
}

// Lookup returns the op with code that exists at p: the first found in
// Ops, then in Base's chain. A nil Protocol has no ops.
func (pr *Protocol) Lookup(code uint64, p Proto) (*Op, bool) {
	for ; pr != nil; pr = pr.Base {
		if op, ok := pr.Ops.Lookup(code, p); ok {
			return op, true
		}
	}
	return nil, false
}

// Find is Lookup with an error matching ErrNoOp when there is no such op.
func (pr *Protocol) Find(code uint64, p Proto) (*Op, error) {
	if op, ok := pr.Lookup(code, p); ok {
		return op, nil
	}
	name := "protocol"
	if pr != nil && pr.Name != "" {
		name = pr.Name + " protocol"
	}
	return nil, fmt.Errorf("%w: op %d in the %s at %s", ErrNoOp, code, name, p)
}

// Extends reports whether pr is base or extends it, directly or through
// others.
func (pr *Protocol) Extends(base *Protocol) bool {
	for ; pr != nil; pr = pr.Base {
		if pr == base {
			return true
		}
	}
	return false
}

// Chain returns the tables of pr in order of precedence, pr's own first.
func (pr *Protocol) Chain() []OpTable {
	var out []OpTable
	for ; pr != nil; pr = pr.Base {
		out = append(out, pr.Ops)
	}
	return out
}

// AppendRequest appends op code and request to b: both or, when req cannot
// be encoded at p, neither (b is returned unchanged in length with the
// error).
func AppendRequest(b []byte, req Request, p Proto) ([]byte, error) {
	n := len(b)
	out, err := req.AppendWire(AppendUint64(b, req.OpCode()), p)
	if err != nil {
		return b[:n], err
	}
	return out, nil
}

// WriteRequest writes req's op code and req to w, and only if the whole
// request encodes at p: the bytes are built first, so a request that
// cannot be encoded (say, an enum value that does not exist at p) writes
// nothing of itself, instead of an op code that the next write would
// desynchronise. It does not flush. Writing the op code and then calling
// EncodeWire is the unsafe way to do the same.
//
// A request that fits the writer's buffer is encoded in place, without
// allocating (the writer may flush what it held before to make room);
// a larger one is built in a buffer of its own first.
func WriteRequest(w *Writer, req Request, p Proto) error {
	if err := w.Err(); err != nil {
		return err
	}
	n := 8 + req.WireSize(p)
	if b, ok := w.Reserve(n); ok {
		b, err := AppendRequest(b, req, p)
		if err != nil {
			return err // nothing was committed
		}
		w.Commit(b)
		return nil
	}
	b, err := AppendRequest(make([]byte, 0, n), req, p)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// opName names an op for an error: its name, else its code.
func opName(op *Op) string {
	if op.Name != "" {
		return op.Name
	}
	return "op " + strconv.FormatUint(op.Code, 10)
}

// Derived is implemented by the messages that nixwire-gen generates for a
// struct derived from another (`struct D from B`): D embeds B and encodes
// exactly as B wherever D's added fields are off the wire. WireBase returns
// the embedded base value, so that a runtime expecting a B (the op table
// of the base protocol says so at an older version) can accept a D: it
// decodes with D's methods, which leave the added fields zero there.
type Derived interface {
	Message
	// WireBase returns a pointer to the embedded base value.
	WireBase() Message
}

// BaseOf returns the base of a derived message m, or nil when m is not
// derived.
func BaseOf(m Message) Message {
	if d, ok := m.(Derived); ok {
		return d.WireBase()
	}
	return nil
}
