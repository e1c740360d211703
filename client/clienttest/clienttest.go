// Package clienttest is a scripted fake Nix daemon for testing clients of
// the worker protocol without Nix.
//
// A Daemon performs the daemon's side of the handshake (negotiating the
// version and features as current Nix does), sends its startup log frames,
// and then serves each operation with the Handler registered for its code.
// A handler reads the request, writes whatever STDERR frames the test needs
// (log lines, activities, STDERR_READ pulls, STDERR_WRITE data, an error, or
// bytes no daemon would send) and the reply. An op without a handler is
// refused as Nix refuses unknown ops: an error sent twice, then the
// connection is closed. SetOptions is accepted by default. With a
// Dispatcher, the daemon serves ops through nixwire's generated dispatch
// instead: a messages.WorkerHandler (or an extension's handler) written
// for the test.
package clienttest

import (
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Magic numbers of the worker protocol handshake.
const (
	workerMagic1 = 0x6e697863 // "nixc"
	workerMagic2 = 0x6478696f // "dxio"
)

// Daemon is a fake daemon. Its fields must not change while it serves.
type Daemon struct {
	// Version is the protocol version the daemon announces (default 1.38).
	// The connection uses the lower of it and the client's.
	Version wire.Version
	// Features are the features offered at ≥ 1.38.
	Features []string
	// NixVersion is the Nix version sent at ≥ 1.33 (default
	// "2.26.3-clienttest").
	NixVersion string
	// Trusted is the trust flag sent at ≥ 1.35.
	Trusted messages.TrustedFlag
	// Startup are the frames of the startup STDERR session, sent before
	// its STDERR_LAST (a *messages.StderrError there fails the handshake
	// instead).
	Startup []messages.Stderr
	// Handlers serve the ops, by code.
	Handlers map[messages.WorkerOpCode]Handler
	// Dispatcher, if set, serves the ops that have no entry in Handlers
	// through the generated dispatch: messages.NewWorkerDispatcher(h), or
	// the New<P>Dispatcher of an extension. A handler's error is sent to
	// the client as a STDERR_ERROR (errors.Is wire.ErrUnsupported for the
	// ops the handler leaves out), and an op the dispatcher's protocol
	// does not have at the negotiated version is refused as Nix does.
	Dispatcher *wire.Dispatcher
}

// Handler serves one operation. The op code has been read; the handler
// reads the request and writes the STDERR session and the reply. An error
// stops Serve.
type Handler func(op *Op) error

// Op is an operation being served.
type Op struct {
	// Code is the op code read from the client.
	Code messages.WorkerOpCode
	// Proto is the negotiated protocol.
	Proto wire.Proto
	// R reads from the client.
	R *wire.Reader
	// W writes to the client; Last, Error and Reply flush it.
	W *wire.Writer
}

// Decode reads m (the request, or the data that follows it) at the
// negotiated protocol.
func (o *Op) Decode(m wire.Message) error { return m.DecodeWire(o.R, o.Proto) }

// Send writes STDERR frames, without flushing.
func (o *Op) Send(frames ...messages.Stderr) error {
	for _, f := range frames {
		if err := messages.EncodeStderr(o.W, f, o.Proto); err != nil {
			return err
		}
	}
	return o.W.Err()
}

// Last ends the STDERR session successfully and flushes.
func (o *Op) Last() error {
	if err := o.Send(&messages.StderrLast{}); err != nil {
		return err
	}
	return o.W.Flush()
}

// ErrorFrame returns the STDERR_ERROR frame Nix sends for msg at p:
// structured from 1.26, else rendered with exit status 1.
func ErrorFrame(msg string, p wire.Proto) *messages.StderrError {
	if p.AtLeast(1, 26) {
		return &messages.StderrError{Level: messages.VerbosityError, Name: "Error", Message: msg}
	}
	return &messages.StderrError{Message: "error: " + msg, Status: 1}
}

// Error ends the STDERR session with an error and flushes.
func (o *Op) Error(msg string) error {
	if err := o.Send(ErrorFrame(msg, o.Proto)); err != nil {
		return err
	}
	return o.W.Flush()
}

// Reply writes the reply and flushes.
func (o *Op) Reply(m wire.Message) error { return wire.Encode(o.W, m, o.Proto) }

// Serve serves one client connection on rw until the client hangs up
// (nil), a handler fails, or an op without a handler comes (which is
// refused as Nix does, then Serve returns nil). It does not close rw.
func (d *Daemon) Serve(rw io.ReadWriter) error {
	r, w := wire.NewReader(rw), wire.NewWriter(rw)
	p, err := d.handshake(r, w)
	if err != nil {
		return err
	}
	for {
		code, err := r.Uint64()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		op := &Op{Code: messages.WorkerOpCode(code), Proto: p, R: r, W: w}
		h := d.Handlers[op.Code]
		if h == nil && d.Dispatcher != nil {
			if _, ok := d.Dispatcher.Lookup(code, p); ok {
				hangUp, err := d.dispatch(op)
				if err != nil {
					return fmt.Errorf("clienttest: op %s: %w", op.Code, err)
				}
				if !hangUp {
					continue
				}
			}
		}
		if h == nil && op.Code == messages.OpSetOptions {
			h = acceptSetOptions
		}
		if h == nil {
			// As Nix: an error before starting work comes twice, in one
			// write, and the daemon hangs up.
			f := ErrorFrame(fmt.Sprintf("invalid operation %d", code), p)
			op.Send(f, f)
			return w.Flush()
		}
		if err := h(op); err != nil {
			return fmt.Errorf("clienttest: op %s: %w", op.Code, err)
		}
	}
}

// acceptSetOptions reads SetOptions' settings and ends the session.
func acceptSetOptions(op *Op) error {
	var s messages.ClientSettings
	if err := op.Decode(&s); err != nil {
		return err
	}
	return op.Last()
}

// handshake serves the daemon's side of the handshake and the startup
// session, and returns the negotiated protocol.
func (d *Daemon) handshake(r *wire.Reader, w *wire.Writer) (wire.Proto, error) {
	ours := d.Version
	if ours == 0 {
		ours = wire.V(1, 38)
	}
	magic, err := r.Uint64()
	if err != nil {
		return wire.Proto{}, err
	}
	if magic != workerMagic1 {
		return wire.Proto{}, fmt.Errorf("clienttest: client magic %#x", magic)
	}
	w.Uint64(workerMagic2)
	w.Uint64(uint64(ours))
	if err := w.Flush(); err != nil {
		return wire.Proto{}, err
	}
	cv, err := r.Uint64()
	if err != nil {
		return wire.Proto{}, err
	}
	if cv > 0xffff {
		return wire.Proto{}, fmt.Errorf("clienttest: client version %#x", cv)
	}
	p := wire.Proto{Version: min(ours, wire.Version(cv))}
	if p.AtLeast(1, 38) {
		var theirs messages.FeatureSet
		if err := theirs.DecodeWire(r, p); err != nil {
			return wire.Proto{}, err
		}
		offer := wire.NewFeatures(d.Features...)
		if err := wire.Encode(w, &messages.FeatureSet{Features: offer.Names()}, p); err != nil {
			return wire.Proto{}, err
		}
		p.Features = offer.Intersect(wire.NewFeatures(theirs.Features...))
	}
	var post messages.ClientPostHandshake
	if err := post.DecodeWire(r, p); err != nil {
		return wire.Proto{}, err
	}
	nixVersion := d.NixVersion
	if nixVersion == "" {
		nixVersion = "2.26.3-clienttest"
	}
	if err := (&messages.ClientHandshakeInfo{DaemonVersion: nixVersion, Trusted: d.Trusted}).EncodeWire(w, p); err != nil {
		return wire.Proto{}, err
	}
	op := &Op{Proto: p, R: r, W: w}
	if err := op.Send(d.Startup...); err != nil {
		return wire.Proto{}, err
	}
	for _, f := range d.Startup {
		if _, ok := f.(*messages.StderrError); ok {
			w.Flush()
			return wire.Proto{}, errors.New("clienttest: startup error sent")
		}
	}
	return p, op.Last()
}

// Start serves one connection on an in-memory pipe (net.Pipe) in a new
// goroutine and returns the client's end. done receives Serve's result once
// it returns; the daemon's end is closed then.
func (d *Daemon) Start() (client net.Conn, done <-chan error) {
	c, s := net.Pipe()
	ch := make(chan error, 1)
	go func() {
		err := d.Serve(s)
		s.Close()
		ch <- err
	}()
	return c, ch
}
