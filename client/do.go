package client

import (
	"context"
	"fmt"
	"io"
	"reflect"

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
// documentation for which errors leave the Conn usable.
func (c *Conn) Do(ctx context.Context, code messages.WorkerOpCode, req, reply wire.Message) error {
	return c.DoStream(ctx, code, req, reply, nil, nil)
}

// DoStream is Do for operations that carry data outside their messages, as
// messages.WorkerOps describes for the negotiated protocol:
//
//   - a framed request stream (AddToStore ≥ 1.25, AddToStoreNar ≥ 1.23,
//     AddMultipleToStore, AddBuildLog): everything read from in is sent
//     as a framed stream, from a goroutine, while the STDERR session is
//     read, as Nix does, so that the daemon's messages and errors are seen
//     while the data goes out;
//   - a raw request NAR (AddToStore < 1.25, AddToStoreNar < 1.21): exactly
//     one NAR is read from in (checked with nar.Copy) and sent as is;
//   - data pulled with STDERR_READ (AddToStoreNar 1.21–1.22, ImportPaths):
//     each request is answered with the next bytes of in;
//   - data pushed with STDERR_WRITE (ExportPath) is written to out;
//   - a raw NAR reply (NarFromPath) is copied to out with nar.Copy, which
//     checks it and reads exactly to its end.
//
// in must be non-nil exactly when the op sends request data and out
// exactly when it receives reply data. in should not block indefinitely.
// If reading in fails, or in holds an invalid NAR where one is due, the
// connection is closed rather than let the daemon take truncated data. If
// writing to out fails, the rest of the data is read and discarded, so the
// Conn stays usable, and the write error is returned.
func (c *Conn) DoStream(ctx context.Context, code messages.WorkerOpCode, req, reply wire.Message, in io.Reader, out io.Writer) error {
	return c.doStream(ctx, uint64(code), req, reply, in, out)
}

// doStream is DoStream for an op code of the Conn's protocol.
func (c *Conn) doStream(ctx context.Context, code uint64, req, reply wire.Message, in io.Reader, out io.Writer) error {
	p := c.info.Proto
	name := c.opName(code)
	op, ok := c.ops.Lookup(code, p)
	if !ok {
		return fmt.Errorf("%w: %s (op %d) does not exist at protocol %s", ErrUnsupported, name, code, p)
	}
	reqKind, replyKind := op.RequestStream(p), op.ReplyStream(p)
	switch {
	case reqKind != wire.NoStream && in == nil:
		return fmt.Errorf("%w: %s sends a %s stream at protocol %s: use DoStream with data to send", ErrUnsupported, name, reqKind, p)
	case reqKind == wire.NoStream && in != nil:
		return fmt.Errorf("%w: %s sends no data at protocol %s", ErrUnsupported, name, p)
	case replyKind != wire.NoStream && out == nil:
		return fmt.Errorf("%w: %s receives a %s stream at protocol %s: use DoStream with a writer", ErrUnsupported, name, replyKind, p)
	case replyKind == wire.NoStream && out != nil:
		return fmt.Errorf("%w: %s receives no data at protocol %s", ErrUnsupported, name, p)
	}
	req, reply, decoded, err := checkMessages(op, name, req, reply)
	if err != nil {
		return err
	}

	c.op.Lock()
	defer c.op.Unlock()
	if err := c.Err(); err != nil {
		return err
	}
	// Encode the whole request first, so that a value that cannot be
	// encoded at this protocol fails before anything is sent.
	b := wire.AppendUint64(c.reqBuf[:0], code)
	if req != nil {
		b, err = req.AppendWire(b, p)
	}
	if err != nil {
		return fmt.Errorf("client: %s: %w", name, err)
	}
	c.reqBuf = b
	if err := ctx.Err(); err != nil {
		return c.fail(name, err)
	}
	stop := c.watch(ctx, name)
	err = c.exchange(name, b, reqKind, replyKind, reply, in, out)
	if cerr := stop(); cerr != nil {
		return c.fail(name, cerr)
	}
	if err == nil {
		decoded()
	}
	return err
}

// sameType checks that a message has the type the op table makes.
// A message derived from want's type (wire.Derived) is accepted too: it
// encodes as its base where the table names the base.
func sameType(op, what string, got, want wire.Message) error {
	for m := got; m != nil; m = wire.BaseOf(m) {
		if reflect.TypeOf(m) == reflect.TypeOf(want) {
			return nil
		}
	}
	return fmt.Errorf("client: %s: %s is a %T, want a %T", op, what, got, want)
}

// exchange sends the encoded request b and its data, runs the STDERR
// session and reads the reply and its data.
func (c *Conn) exchange(name string, b []byte, reqKind, replyKind wire.StreamKind, reply wire.Message, in io.Reader, out io.Writer) error {
	if err := c.settle(name); err != nil {
		return err
	}
	s := &session{op: name, out: out}
	if reqKind == wire.PullStream {
		s.in = in
	}
	c.w.Write(b)
	if err := c.w.Flush(); err != nil {
		return c.fail(name, err)
	}
	var snd *sender
	if reqKind == wire.FramedStream || reqKind == wire.RawStream {
		snd = c.startSender(name, reqKind, in)
	}
	err := c.runSession(s)
	if snd != nil {
		if serr := snd.finish(); serr != nil {
			return c.senderFailed(name, serr, err)
		}
	}
	if err != nil {
		de, ok := err.(*DaemonError)
		switch {
		case !ok:
			return c.fail(name, err)
		case de.Closed:
			c.fail(name, de)
		case s.inErr != nil:
			// The daemon failed because the data ended early.
			return fmt.Errorf("client: %s: reading the data to send: %w (%w)", name, s.inErr, de)
		}
		return de
	}
	if reply != nil {
		if err := reply.DecodeWire(c.r, c.info.Proto); err != nil {
			return c.fail(name, readErr(err))
		}
	}
	if replyKind == wire.RawStream {
		if err := c.readNAR(name, out); err != nil {
			return err
		}
	}
	switch {
	case s.outErr != nil:
		return fmt.Errorf("client: %s: writing the daemon's data: %w", name, s.outErr)
	case s.inErr != nil:
		return fmt.Errorf("client: %s: reading the data to send: %w", name, s.inErr)
	}
	return nil
}

// settle checks that nothing is buffered between operations. The reply of
// the new request then lands at the start of the reader's empty buffer, so
// the two copies of an error that a daemon sends before hanging up (written
// at once) arrive in one read, which is how daemonError recognises them.
func (c *Conn) settle(op string) error {
	if c.r.Buffered() != 0 {
		return c.fail(op, &ProtocolError{Offset: c.r.Offset(), Msg: "unsolicited data from the daemon between operations"})
	}
	return nil
}

// offset returns the offset in the stream from the daemon of the last
// value read.
func (c *Conn) offset() int64 { return c.r.ValueOffset() }
