package client

import (
	"context"
	"fmt"
	"io"
	"reflect"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Extended protocols. A program that speaks an extension of the worker
// protocol (a schema with `protocol P extends nix.Worker`, generated with
// nixwire-gen) passes the extension's generated Protocol as
// Options.Protocol, may offer versions beyond DefaultVersion and the
// extension's features, and sends the extension's ops with Call:
//
//	conn, err := client.Handshake(rw, client.Options{
//		Protocol:   extend.ExtProtocol,
//		MaxVersion: wire.V(1, 39),
//	})
//	var reply extend.QueryProvenanceReply
//	err = conn.Call(ctx, &extend.QueryProvenanceRequest{Path: p}, &reply)
//
// The order of precedence between the tables is the Protocol chain: the
// extension's ops first, then those of the protocol it extends, down to
// messages.WorkerProtocol. It is fixed by the generated code's Base
// chain; Handshake refuses a Protocol that puts the worker protocol's ops
// before the extension's.

// MaxExtendedVersion is the highest protocol version Options.MaxVersion
// may name when Options.Protocol extends the worker protocol: the largest
// minor version of protocol 1.
const MaxExtendedVersion = wire.Version(1<<8 | 255)

// protocolOf returns the protocol the options select and the highest
// version they allow, or an error for options that make no sense.
func (opt *Options) protocolOf() (*wire.Protocol, wire.Version, error) {
	pr := opt.Protocol
	if pr == nil {
		pr = messages.WorkerProtocol
	}
	if !pr.Extends(messages.WorkerProtocol) {
		return nil, 0, fmt.Errorf("client: Options.Protocol %s does not extend messages.WorkerProtocol: "+
			"pass the generated Protocol of the extension (e.g. ext.ExtProtocol), whose Base chain leads to the worker protocol", pr.Name)
	}
	for p := pr; p != nil && p != messages.WorkerProtocol; p = p.Base {
		if len(p.Ops) > 0 && len(messages.WorkerOps) > 0 && &p.Ops[0] == &messages.WorkerOps[0] {
			return nil, 0, fmt.Errorf("client: Options.Protocol %s puts the worker protocol's ops before the extension %s: "+
				"pass the extension's generated Protocol, which lists its own ops first", pr.Name, p.Base.Name)
		}
	}
	top := DefaultVersion
	if pr != messages.WorkerProtocol {
		top = MaxExtendedVersion
	}
	max := opt.MaxVersion
	if max == 0 {
		max = DefaultVersion
	}
	if max < MinVersion || max > top {
		hint := ""
		if top == DefaultVersion && max > top {
			hint = " (versions beyond it need an extended Options.Protocol)"
		}
		return nil, 0, fmt.Errorf("client: Options.MaxVersion %s outside [%s, %s]%s", max, MinVersion, top, hint)
	}
	return pr, max, nil
}

// Protocol returns the protocol whose ops the Conn sends: Options.Protocol,
// or messages.WorkerProtocol.
func (c *Conn) Protocol() *wire.Protocol { return c.ops }

// Call runs the op of req (its OpCode, looked up in the Conn's Protocol at
// the negotiated version) and decodes its reply into reply, as Do does:
// reply must be the op's reply type, or nil to discard it. It is how the
// ops of an extended protocol are sent; for worker ops it equals Do with
// req.Op().
func (c *Conn) Call(ctx context.Context, req wire.Request, reply wire.Message) error {
	return c.CallStream(ctx, req, reply, nil, nil)
}

// CallStream is Call for ops that carry data outside their messages; see
// DoStream for in and out.
func (c *Conn) CallStream(ctx context.Context, req wire.Request, reply wire.Message, in io.Reader, out io.Writer) error {
	if req == nil {
		return fmt.Errorf("client: Call: %w: a nil request names no op", wire.ErrInvalid)
	}
	return c.doStream(ctx, req.OpCode(), req, reply, in, out)
}

// opName names an op for errors: the op with code at the negotiated
// protocol, else any op of the Conn's protocol with that code, else its
// number.
func (c *Conn) opName(code uint64) string {
	if op, ok := c.ops.Lookup(code, c.info.Proto); ok && op.Name != "" {
		return op.Name
	}
	for _, t := range c.ops.Chain() {
		for _, op := range t {
			if op.Code == code && op.Name != "" {
				return op.Name
			}
		}
	}
	return fmt.Sprintf("op %d", code)
}

// checkMessages checks req and reply against the op's types t, and
// returns the request to encode (nil: the op code alone, for a table
// entry without NewRequest), the message to decode the reply into (nil:
// none) and a function to run after decoding (nil: none). Messages of the
// op's own types, the common case, cost a type comparison each. A message
// derived from the op's type (wire.Derived) is used as is: it encodes as
// its base where the table names the base. A base message where the table
// names a type derived from it (an extension re-declares the op at this
// version) is wrapped: the request is sent as the derived type with the
// added fields zero, and the reply decoded as the derived type, whose
// base part is then copied to reply, so the stream stays in sync. A table
// entry without NewRequest or NewReply is handled, never called.
func checkMessages(op *wire.Op, t opTypes, name string, req, reply wire.Message) (wire.Message, wire.Message, func(), error) {
	// A nil pointer in the interface would be encoded, or decoded into,
	// on the Conn's own goroutines: refused here, before anything is sent.
	if isNilPointer(req) {
		return nil, nil, nil, fmt.Errorf("client: %s: %w: the request is a nil %T", name, wire.ErrInvalid, req)
	}
	if isNilPointer(reply) {
		return nil, nil, nil, fmt.Errorf("client: %s: %w: the reply to decode into is a nil %T", name, wire.ErrInvalid, reply)
	}
	switch {
	case req == nil && op.NewRequest != nil:
		req = op.NewRequest()
	case req != nil && op.NewRequest != nil && reflect.TypeOf(req) != t.req && !derivesFrom(req, t.req):
		want := op.NewRequest()
		inner := baseOfType(want, req)
		if inner == nil {
			return nil, nil, nil, fmt.Errorf("client: %s: request is a %T, want a %s", name, req, t.req)
		}
		reflect.ValueOf(inner).Elem().Set(reflect.ValueOf(req).Elem())
		req = want
	}
	var after func()
	switch {
	case reply != nil && op.NewReply == nil:
		return nil, nil, nil, fmt.Errorf("client: %s has no reply, got a %T to decode it into", name, reply)
	case reply != nil && reflect.TypeOf(reply) != t.reply && !derivesFrom(reply, t.reply):
		want := op.NewReply()
		inner := baseOfType(want, reply)
		if inner == nil {
			return nil, nil, nil, fmt.Errorf("client: %s: reply is a %T, want a %s", name, reply, t.reply)
		}
		dst := reply
		after = func() { reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(inner).Elem()) }
		reply = want
	case reply == nil && op.NewReply != nil:
		reply = op.NewReply()
	}
	return req, reply, after, nil
}

// isNilPointer reports whether m holds a nil pointer (not whether m is
// nil: a nil message means "none").
func isNilPointer(m wire.Message) bool {
	if m == nil {
		return false
	}
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// derivesFrom reports whether m is derived (wire.Derived, at any depth)
// from a message of type t: it then encodes as that type where the table
// names it.
func derivesFrom(m wire.Message, t reflect.Type) bool {
	for b := wire.BaseOf(m); b != nil; b = wire.BaseOf(b) {
		if reflect.TypeOf(b) == t {
			return true
		}
	}
	return false
}

// baseOfType returns the base of the derived message m (at any depth)
// that has the type of like, or nil.
func baseOfType(m, like wire.Message) wire.Message {
	for b := wire.BaseOf(m); b != nil; b = wire.BaseOf(b) {
		if reflect.TypeOf(b) == reflect.TypeOf(like) {
			return b
		}
	}
	return nil
}
