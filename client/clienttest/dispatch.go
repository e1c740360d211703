package clienttest

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Serving through the generated dispatch: Daemon.Dispatcher serves the ops
// that have no entry in Handlers, with an Exchange that frames the call as
// Nix's daemon does (STDERR_LAST before the reply, STDERR_READ pulls,
// STDERR_WRITE pushes, STDERR_ERROR for a failing handler).

// maxFrame bounds the frames of a framed request stream the fake reads.
const maxFrame = 1 << 20

// exchange is the wire.Exchange of one call served by Daemon.Dispatcher.
type exchange struct {
	op     *Op
	framed *wire.FramedReader // the framed request stream handed out, drained after the call
}

func (x *exchange) Proto() wire.Proto    { return x.op.Proto }
func (x *exchange) Reader() *wire.Reader { return x.op.R }
func (x *exchange) Writer() *wire.Writer { return x.op.W }

// EndLog sends STDERR_LAST, without flushing (the reply follows).
// StartWork does nothing: clienttest tells errors before and after work
// apart by the error (wire.ErrNoOp).
func (x *exchange) StartWork(wire.Message) {}

func (x *exchange) EndLog() error { return x.op.Send(&messages.StderrLast{}) }

func (x *exchange) RequestStream(k wire.StreamKind) (io.Reader, error) {
	switch k {
	case wire.FramedStream:
		x.framed = wire.NewFramedReader(x.op.R, maxFrame)
		return x.framed, nil
	case wire.RawStream:
		return x.op.R, nil
	case wire.PullStream:
		return &puller{op: x.op}, nil
	}
	return nil, fmt.Errorf("clienttest: no %s request stream", k)
}

func (x *exchange) ReplyStream(k wire.StreamKind) (io.Writer, error) {
	switch k {
	case wire.RawStream:
		return x.op.W, nil
	case wire.PushStream:
		return pusher{op: x.op}, nil
	}
	return nil, fmt.Errorf("clienttest: no %s reply stream", k)
}

// puller reads a pulled request stream: each Read asks the client for
// data with STDERR_READ; an empty answer is the end.
type puller struct {
	op  *Op
	eof bool
}

func (p *puller) Read(b []byte) (int, error) {
	if p.eof {
		return 0, io.EOF
	}
	if len(b) == 0 {
		return 0, nil
	}
	if err := p.op.Send(&messages.StderrRead{Len: uint64(len(b))}); err != nil {
		return 0, err
	}
	if err := p.op.W.Flush(); err != nil {
		return 0, err
	}
	data, err := p.op.R.Bytes(0, uint64(len(b)))
	if err != nil {
		return 0, err
	}
	if len(data) == 0 {
		p.eof = true
		return 0, io.EOF
	}
	return copy(b, data), nil
}

// pusher sends a pushed reply stream as STDERR_WRITE frames.
type pusher struct{ op *Op }

func (p pusher) Write(b []byte) (int, error) {
	if err := p.op.Send(&messages.StderrWrite{Data: b}); err != nil {
		return 0, err
	}
	return len(b), nil
}

// dispatch serves op through d.Dispatcher. A handler's error goes to the
// client as a STDERR_ERROR and serving goes on; an op the protocol does
// not have is refused as Nix refuses it (hangUp). An error after the reply
// started (wire.ErrReplySent) or of the connection stops Serve.
func (d *Daemon) dispatch(op *Op) (hangUp bool, err error) {
	x := &exchange{op: op}
	err = d.Dispatcher.Serve(context.Background(), uint64(op.Code), x)
	if x.framed != nil {
		// Keep the connection in sync whatever the handler read.
		if _, derr := io.Copy(io.Discard, x.framed); derr != nil && err == nil {
			err = derr
		}
	}
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, wire.ErrUnsupported) && op.Code == messages.OpSetOptions:
		return false, op.Last() // as without a Dispatcher: settings are accepted
	case errors.Is(err, wire.ErrNoOp):
		return true, nil
	case errors.Is(err, wire.ErrReplySent), op.W.Err() != nil:
		return false, err
	}
	return false, op.Error(err.Error())
}
