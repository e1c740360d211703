package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The server-side dispatch seam. nixwire-gen emits, per protocol P, a
// P Handler interface (one method per op), an embeddable
// UnimplementedPHandler, and NewPDispatcher, which binds a handler to the
// protocol's ops as Routes of a Dispatcher. A server framework (above wire:
// it knows the protocol's log channel, in Nix the STDERR frames) reads an
// op code, implements Exchange for that one call and hands both to
// Dispatcher.Serve. The generated route then:
//
//  1. decodes the request from Exchange.Reader at Exchange.Proto, then
//     calls Exchange.StartWork;
//  2. if the op's rules say a stream follows the request at that protocol,
//     asks Exchange.RequestStream for a reader of its kind and passes it to
//     the handler method (an empty reader when none follows);
//  3. calls the handler method;
//  4. encodes the reply into a buffer first (a reply that cannot be
//     encoded at the protocol fails here, while an error can still be
//     reported in-band);
//  5. runs a push reply stream (the handler's StreamFunc, writing to
//     Exchange.ReplyStream(PushStream)) while the log channel is open;
//  6. calls Exchange.EndLog (Nix: STDERR_LAST), writes the reply bytes to
//     Exchange.Writer, runs a raw reply stream, and flushes.
//
// Any error before step 6 is returned by Serve with the log channel still
// open: the server reports it there (Nix: STDERR_ERROR) and the connection
// stays in sync, provided the server drains what is left of a request
// stream it handed out (a framed stream to its terminator). An error from
// step 6 on matches ErrReplySent: the client has been told the op
// succeeded, so the only honest thing left is to close the connection.

// Errors of the dispatch seam.
var (
	// ErrUnsupported is what an Unimplemented handler's methods return for
	// an op the server leaves out, and what Serve returns for an op of the
	// protocol that has no route. A server answers it as Nix answers an op
	// it does not implement.
	ErrUnsupported = errors.New("operation not supported")
	// ErrReplySent wraps an error that happened after the server had ended
	// the log and started the reply (a failing raw reply stream): it
	// cannot be reported to the client, and the connection must be closed.
	ErrReplySent = errors.New("wire: failed after the reply was sent")
	// ErrNoReply reports a handler that returned neither a reply nor an
	// error for an op that has a reply.
	ErrNoReply = errors.New("wire: handler returned no reply")
)

// Unsupported returns an error matching ErrUnsupported for the op named:
// "operation QueryReferrers is not supported".
func Unsupported(op string) error { return &UnsupportedError{Op: op} }

// UnsupportedError reports an op that a server leaves out. It matches
// ErrUnsupported, and the standard library's errors.ErrUnsupported, under
// errors.Is.
type UnsupportedError struct {
	Op string // the op's name
}

// Error says which op is not supported.
func (e *UnsupportedError) Error() string { return "operation " + e.Op + " is not supported" }

// Is reports whether target is ErrUnsupported or errors.ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool {
	return target == ErrUnsupported || target == errors.ErrUnsupported
}

// Exchange is what a server framework supplies for one call of an op; the
// generated routes only call it, in the order described in the package
// documentation of the dispatch seam (dispatch.go). wire knows stream
// kinds but not how a protocol carries them: an Exchange does.
type Exchange interface {
	// Proto is the negotiated protocol.
	Proto() Proto
	// Reader reads the request, which follows the op code.
	Reader() *Reader
	// Writer receives the reply, after EndLog.
	Writer() *Writer
	// RequestStream returns a reader of the data of kind k (FramedStream,
	// RawStream or PullStream) that follows the request. For a framed
	// stream the server should read it to its terminator after the call,
	// whatever the handler read, to keep the connection in sync.
	RequestStream(k StreamKind) (io.Reader, error)
	// ReplyStream returns a writer for data of kind k that goes to the
	// client: PushStream (Nix: STDERR_WRITE frames) is asked for before
	// EndLog, RawStream after the reply.
	ReplyStream(k StreamKind) (io.Writer, error)
	// StartWork is called once the request m has been read, before the
	// request stream is asked for and the handler runs (Nix:
	// logger->startWork()). An error before it (a request that does not
	// decode, an unknown op) leaves the connection out of step, and Nix's
	// daemon reports it and hangs up; an error after it is the op's own,
	// reported without hanging up.
	StartWork(m Message)
	// EndLog ends the op's log channel successfully (Nix: STDERR_LAST).
	// The reply, if any, follows on Writer.
	EndLog() error
}

// StreamFunc writes the data of a reply stream; a handler returns one with
// its reply for an op that carries a reply stream, and the route runs it
// at the moment the stream's kind requires.
type StreamFunc func(w io.Writer) error

// Route serves one op of a protocol for one call.
type Route func(ctx context.Context, c *Call) error

// Dispatcher serves the ops of a protocol through routes bound to a
// handler, and falls back to the dispatcher of the base protocol for ops
// it has no route for. Generated NewPDispatcher functions build them.
type Dispatcher struct {
	proto  *Protocol
	routes []Route // parallel to proto.Ops
	base   *Dispatcher
}

// NewDispatcher returns a dispatcher of pr's own ops: routes[i] serves
// pr.Ops[i] (a nil route answers ErrUnsupported). base serves the ops of
// pr.Base; it must be a dispatcher of pr.Base (or nil when pr has no base),
// else NewDispatcher returns an error, so an extension's and its base's
// dispatchers cannot be swapped.
func NewDispatcher(pr *Protocol, routes []Route, base *Dispatcher) (*Dispatcher, error) {
	switch {
	case pr == nil:
		return nil, errors.New("wire: NewDispatcher: no protocol")
	case len(routes) != len(pr.Ops):
		return nil, fmt.Errorf("wire: NewDispatcher: %d routes for the %d ops of %s", len(routes), len(pr.Ops), pr.Name)
	case pr.Base == nil && base != nil:
		return nil, fmt.Errorf("wire: NewDispatcher: protocol %s extends none, got a base dispatcher of %s", pr.Name, base.proto.Name)
	case pr.Base != nil && (base == nil || base.proto != pr.Base):
		return nil, fmt.Errorf("wire: NewDispatcher: protocol %s extends %s: the base dispatcher must serve %s", pr.Name, pr.Base.Name, pr.Base.Name)
	}
	return &Dispatcher{proto: pr, routes: routes, base: base}, nil
}

// Protocol returns the protocol d serves.
func (d *Dispatcher) Protocol() *Protocol { return d.proto }

// Lookup returns the op with code at p, as d.Protocol().Lookup does.
func (d *Dispatcher) Lookup(code uint64, p Proto) (*Op, bool) { return d.proto.Lookup(code, p) }

// Serve serves one call of the op with code, read from the client, through
// ex. An unknown code (at ex.Proto()) is an error matching ErrNoOp, and
// nothing has been read past the code then; see the dispatch seam's
// documentation for the other errors.
func (d *Dispatcher) Serve(ctx context.Context, code uint64, ex Exchange) error {
	if d == nil {
		return errors.New("wire: Serve on a nil Dispatcher")
	}
	p := ex.Proto()
	top := d.proto
	for ; d != nil; d = d.base {
		// From the end, as OpTable.Lookup looks: the same op wins.
		for i := len(d.proto.Ops) - 1; i >= 0; i-- {
			op := &d.proto.Ops[i]
			if op.Code != code || !op.Gate.Holds(p) {
				continue
			}
			if d.routes[i] == nil {
				return Unsupported(opName(op))
			}
			return d.routes[i](context.WithValue(ctx, protoKey{}, p), &Call{Op: op, ex: ex, p: p})
		}
	}
	_, err := top.Find(code, p)
	return err
}

// Call is one call of an op being served: the generated route uses it to
// read the request, get the request stream and send the reply in the
// order the protocol requires.
type Call struct {
	// Op is the op being served.
	Op *Op
	ex Exchange
	p  Proto
}

// Proto returns the negotiated protocol.
func (c *Call) Proto() Proto { return c.p }

// Decode reads the request m at the negotiated protocol and, once it is
// read, tells the Exchange (StartWork).
func (c *Call) Decode(m Message) error {
	if err := m.DecodeWire(c.ex.Reader(), c.p); err != nil {
		return fmt.Errorf("%s: %w", opName(c.Op), err)
	}
	c.ex.StartWork(m)
	return nil
}

// RequestStream returns the reader of the data that follows the request at
// the negotiated protocol, or an empty reader when none does.
func (c *Call) RequestStream() (io.Reader, error) {
	k := c.Op.RequestStream(c.p)
	if k == NoStream {
		return strings.NewReader(""), nil
	}
	r, err := c.ex.RequestStream(k)
	if err != nil {
		return nil, fmt.Errorf("%s: %s request stream: %w", opName(c.Op), k, err)
	}
	return r, nil
}

// Reply sends the reply m (nil for an op without one) and runs stream, the
// reply stream (nil for none), at the moments its kind requires: a push
// stream before EndLog, a raw stream after the reply. See the dispatch
// seam's documentation for which errors can still be reported.
func (c *Call) Reply(m Message, stream StreamFunc) error {
	name := opName(c.Op)
	k := c.Op.ReplyStream(c.p)
	switch {
	case k == NoStream && stream != nil:
		return fmt.Errorf("%s: %w: the handler returned a reply stream, but none follows the reply at %s", name, ErrInvalid, c.p)
	case k != NoStream && stream == nil:
		return fmt.Errorf("%s: %w: the handler returned no %s reply stream, which the protocol requires at %s", name, ErrInvalid, k, c.p)
	case k != NoStream && k != PushStream && k != RawStream:
		// Schemas cannot declare them; an OpTable written by hand can.
		return fmt.Errorf("%s: %w: a %s stream cannot follow a reply (only push and raw can)", name, ErrInvalid, k)
	}
	var b []byte
	if m != nil {
		var err error
		if b, err = Marshal(m, c.p); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if k == PushStream {
		w, err := c.ex.ReplyStream(k)
		if err == nil {
			err = stream(w)
		}
		if err != nil {
			return fmt.Errorf("%s: push reply stream: %w", name, err)
		}
	}
	if err := c.ex.EndLog(); err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrReplySent, err)
	}
	w := c.ex.Writer()
	w.Write(b)
	if k == RawStream {
		if err := w.Flush(); err != nil {
			return fmt.Errorf("%s: %w: %w", name, ErrReplySent, err)
		}
		sw, err := c.ex.ReplyStream(k)
		if err == nil {
			err = stream(sw)
		}
		if err != nil {
			return fmt.Errorf("%s: %w: raw reply stream: %w", name, ErrReplySent, err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrReplySent, err)
	}
	return nil
}

// NoReply returns the error for a handler that returned a nil reply and a
// nil error.
func (c *Call) NoReply() error { return fmt.Errorf("%s: %w", opName(c.Op), ErrNoReply) }

type protoKey struct{}

// ProtoFrom returns the negotiated protocol of the call that ctx belongs
// to, in a handler called by a Dispatcher; ok is false elsewhere. A
// handler needs it to fill in only the fields that are on the wire at that
// protocol: encoding refuses a value set where the protocol has no room for
// it.
func ProtoFrom(ctx context.Context) (p Proto, ok bool) {
	p, ok = ctx.Value(protoKey{}).(Proto)
	return p, ok
}
