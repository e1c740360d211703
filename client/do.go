package client

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Do runs the operation code: it sends req, reads the daemon's STDERR
// session (log frames go to Options.Logger) and decodes the reply into
// reply. req and reply must be the op's generated types (e.g.
// *messages.IsValidPathRequest and *messages.IsValidPathReply); req may be
// nil for an op with an empty request, and reply nil to discard the reply.
//
// The op must exist at the negotiated protocol (messages.WorkerOps says),
// else the error matches ErrUnsupported and nothing is sent; so does an op
// that carries data outside its messages at this protocol: use DoStream.
// A failure reported by the daemon is a *DaemonError. See the package
// documentation for which errors leave the Conn usable, and for what a
// done context does.
func (c *Conn) Do(ctx context.Context, code messages.WorkerOpCode, req, reply wire.Message) error {
	return c.DoStream(ctx, code, req, reply, nil, nil)
}

// DoStream is Do for operations that carry data outside their messages, as
// messages.WorkerOps describes for the negotiated protocol:
//
//   - a framed request stream (AddToStore ≥ 1.25, AddToStoreNar ≥ 1.23,
//     AddMultipleToStore, AddBuildLog): everything read from in is sent
//     as a framed stream while the STDERR session is read, as Nix does,
//     so that the daemon's messages and errors are seen while the data
//     goes out;
//   - a raw request NAR (AddToStore < 1.25, AddToStoreNar < 1.21): exactly
//     one NAR is read from in (checked with nar.Copy) and sent as is;
//   - data pulled with STDERR_READ (AddToStoreNar 1.21–1.22, ImportPaths):
//     each request is answered with the next bytes of in;
//   - data pushed with STDERR_WRITE (ExportPath) is written to out;
//   - a raw NAR reply (NarFromPath) is copied to out with nar.Copy, which
//     checks it and reads exactly to its end.
//
// in must be non-nil exactly when the op sends request data and out
// exactly when it receives reply data. If reading in fails, or in holds an
// invalid NAR where one is due, the connection is closed rather than let
// the daemon take truncated data. A Read of in that blocks does not hold
// the call once its context is done or the Conn is closed; DoStream
// starts no Read of in after it has returned. If writing to out fails,
// the rest of the data is read and discarded, so the Conn stays usable,
// and the write error is returned; out is written from the Conn's read
// loop and should not block indefinitely.
func (c *Conn) DoStream(ctx context.Context, code messages.WorkerOpCode, req, reply wire.Message, in io.Reader, out io.Writer) error {
	return c.doStream(ctx, uint64(code), req, reply, in, out)
}

// doStream is DoStream for an op code of the Conn's protocol (an
// extension's too).
func (c *Conn) doStream(ctx context.Context, code uint64, req, reply wire.Message, in io.Reader, out io.Writer) error {
	cl, decoded, err := c.prepare(code, req, reply, in, out)
	if err != nil {
		return err
	}
	if err := c.submit(ctx, cl); err != nil {
		return err
	}
	if err := c.wait(ctx, cl); err != nil {
		return err
	}
	if decoded != nil {
		decoded()
	}
	return nil
}

// opTypes are the request and reply types of an op.
type opTypes struct{ req, reply reflect.Type }

// opTypeCache maps a *wire.Op to its opTypes, so that checking the types
// of a call's messages allocates nothing.
var opTypeCache sync.Map

// typesOf returns the request and reply types of op (nil for a table
// entry without NewRequest or NewReply).
func typesOf(op *wire.Op) opTypes {
	if t, ok := opTypeCache.Load(op); ok {
		return t.(opTypes)
	}
	var t opTypes
	if op.NewRequest != nil {
		t.req = reflect.TypeOf(op.NewRequest())
	}
	if op.NewReply != nil {
		t.reply = reflect.TypeOf(op.NewReply())
	}
	opTypeCache.Store(op, t)
	return t
}

// prepare checks an operation and encodes its request into a new call.
// Nothing is sent. decoded, when not nil, must run once the call has
// succeeded: it copies a reply decoded through a derived type into the
// caller's base message (see checkMessages).
func (c *Conn) prepare(code uint64, req, reply wire.Message, in io.Reader, out io.Writer) (cl *call, decoded func(), err error) {
	p := c.info.Proto
	op, ok := c.ops.Lookup(code, p)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s (op %d) does not exist at protocol %s", ErrUnsupported, c.opName(code), code, p)
	}
	name := op.Name
	if name == "" {
		name = c.opName(code)
	}
	reqKind, replyKind := op.RequestStream(p), op.ReplyStream(p)
	switch {
	case reqKind != wire.NoStream && in == nil:
		return nil, nil, fmt.Errorf("%w: %s sends a %s stream at protocol %s: use DoStream with data to send", ErrUnsupported, name, reqKind, p)
	case reqKind == wire.NoStream && in != nil:
		return nil, nil, fmt.Errorf("%w: %s sends no data at protocol %s", ErrUnsupported, name, p)
	case replyKind != wire.NoStream && out == nil:
		return nil, nil, fmt.Errorf("%w: %s receives a %s stream at protocol %s: use DoStream with a writer", ErrUnsupported, name, replyKind, p)
	case replyKind == wire.NoStream && out != nil:
		return nil, nil, fmt.Errorf("%w: %s receives no data at protocol %s", ErrUnsupported, name, p)
	}
	if req, reply, decoded, err = checkMessages(op, typesOf(op), name, req, reply); err != nil {
		return nil, nil, err
	}
	cl = getCall()
	// Encode the whole request first, so that a value that cannot be
	// encoded at this protocol fails before anything is sent.
	b := wire.AppendUint64(cl.req[:0], code)
	if req != nil {
		b, err = req.AppendWire(b, p)
	}
	if err != nil {
		putCall(cl)
		return nil, nil, fmt.Errorf("client: %s: %w", name, err)
	}
	cl.req, cl.name, cl.reply, cl.out = b, name, reply, out
	cl.raw = replyKind == wire.RawStream
	switch reqKind {
	case wire.PullStream:
		cl.pull = in
		cl.over, cl.written = make(chan struct{}), make(chan struct{})
	case wire.FramedStream, wire.RawStream:
		cl.send = newSender(reqKind, in)
	}
	return cl, decoded, nil
}

// submit hands cl to the write loop. A context that is done, or a Conn
// that is broken, returns an error and sends nothing.
func (c *Conn) submit(ctx context.Context, cl *call) error {
	if err := ctx.Err(); err != nil {
		putCall(cl)
		return err
	}
	cl.ctx = ctx
	select {
	case c.wq <- cl:
		return nil
	case <-ctx.Done():
		putCall(cl)
		return ctx.Err()
	case <-c.dead:
		err := c.errFor(cl, c.brokenErr())
		putCall(cl)
		return err
	}
}

// wait waits for the result of cl, honouring ctx: a caller whose request
// was not sent yet returns ctx.Err() and nothing is sent; one whose
// request waits behind others returns ctx.Err() at once (the Conn breaks
// when its turn comes, see complete); one whose request the daemon is
// working on breaks the Conn.
func (c *Conn) wait(ctx context.Context, cl *call) error {
	select {
	case <-cl.done:
	case <-ctx.Done():
		if cl.state.CompareAndSwap(stPending, stWithdrawn) {
			return ctx.Err()
		}
		if !cl.streams() && cl.state.CompareAndSwap(stQueued, stAbandoned) {
			return ctx.Err()
		}
		select {
		case <-cl.done:
			// Answered already (select picks at random among ready
			// cases): the answer stands and the Conn stays healthy.
		default:
			c.breakConn(&ConnError{Op: cl.name, Err: ctx.Err()}, cl)
			<-cl.done
		}
	case <-c.dead:
		if cl.state.CompareAndSwap(stPending, stWithdrawn) {
			return c.errFor(cl, c.brokenErr())
		}
		<-cl.done
	}
	if cl.send != nil {
		return c.finishUpload(ctx, cl)
	}
	err := cl.err
	if err == nil {
		switch {
		case cl.outErr != nil:
			err = fmt.Errorf("client: %s: writing the daemon's data: %w", cl.name, cl.outErr)
		case cl.inErr != nil:
			err = fmt.Errorf("client: %s: reading the data to send: %w", cl.name, cl.inErr)
		}
	} else if de, ok := err.(*DaemonError); ok && !de.Closed && cl.inErr != nil {
		// The daemon failed because the data ended early.
		err = fmt.Errorf("client: %s: reading the data to send: %w (%w)", cl.name, cl.inErr, de)
	}
	if cl.released.Load() {
		putCall(cl)
	}
	return err
}

// finishUpload completes a call whose data a sender sends, once its
// session is over: the data must have been sent whole, else the daemon
// has not read what it expected and the Conn cannot be used again.
func (c *Conn) finishUpload(ctx context.Context, cl *call) error {
	s := cl.send
	if !s.gate.stop() {
		select {
		case <-s.sent:
		case <-ctx.Done():
		case <-c.dead:
		}
	}
	err := cl.err
	var sendErr error
	select {
	case <-s.sent:
		sendErr = s.err
		if s.early && sendErr == nil {
			sendErr = errStopped
		}
	default:
		// Still inside the caller's Read, or blocked writing: not whole.
		sendErr = errStopped
	}
	// cl is not put back in the pool: the write loop may still hold it.
	if sendErr == nil {
		return err
	}
	if de, ok := err.(*DaemonError); ok {
		de.Closed = true
		c.breakConn(&ConnError{Op: cl.name, Err: de}, cl)
		return de
	}
	if err != nil {
		return err
	}
	return c.fail(cl, cl.name, sendErr)
}
