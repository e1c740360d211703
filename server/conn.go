package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// conn is one client connection.
type conn struct {
	s  *Server
	nc net.Conn
	dw *deadlineWriter // under w: the write timeout
	rb *wire.Budget    // under r: the size of a request
	r  *wire.Reader
	w  *wire.Writer
	h  Hello
	l  *Logger
	ss *Session

	ctx    context.Context // operations' contexts derive from it
	cancel context.CancelFunc

	mu   sync.Mutex
	busy bool // an operation is running
	shut bool // closed by the server
}

type helloKey struct{}

// HelloFrom returns what the handshake established about the client of
// ctx's operation; ok is false when ctx does not come from a Server.
func HelloFrom(ctx context.Context) (h Hello, ok bool) {
	h, ok = ctx.Value(helloKey{}).(Hello)
	return h, ok
}

func (s *Server) newConn(nc net.Conn) *conn {
	dw := &deadlineWriter{nc: nc}
	rb := wire.NewBudget(nc, overMaxRequest)
	c := &conn{s: s, nc: nc, dw: dw, rb: rb, r: wire.NewReader(rb), w: wire.NewWriter(dw), ss: newSession(s.trusts(nc))}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return c
}

func (c *conn) done() {
	c.cancel()
	c.nc.Close()
	c.ss.close()
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	c.s.wg.Done()
}

// closeIfIdle closes the connection if no operation runs, and reports
// whether it did (or it was closed already).
func (c *conn) closeIfIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		return false
	}
	if !c.shut {
		c.shut = true
		c.nc.Close()
	}
	return true
}

// setBusy marks an operation as running; it fails once the server has
// closed the connection.
func (c *conn) setBusy(b bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shut {
		return false
	}
	c.busy = b
	return true
}

// serve runs the connection: handshake, startup session, then operations
// until the client hangs up, an error forces a hang-up, or the server
// closes it.
func (c *conn) serve() {
	defer c.done()
	log := c.s.log().With("remote", c.nc.RemoteAddr().String())
	defer func() {
		if v := recover(); v != nil {
			log.Error("server: panic serving a connection", "panic", v, "stack", string(debug.Stack()))
		}
	}()
	c.nc.SetDeadline(time.Now().Add(c.s.handshakeTimeout()))
	h, err := handshake(c.r, c.w, c.s, c.ss.Trusted())
	if err != nil {
		if !errors.Is(err, io.EOF) {
			log.Info("server: handshake failed", "err", err)
		}
		c.w.Flush()
		return
	}
	c.nc.SetDeadline(time.Time{})
	c.dw.timeout = c.s.writeTimeout()
	c.h = h
	c.l = newLogger(c.w, h.Proto)
	c.l.startWork()
	if err := c.l.stopWork(nil, nil); err != nil {
		return
	}
	ctx := context.WithValue(c.ctx, helloKey{}, h)
	ctx = context.WithValue(ctx, loggerKey{}, c.l)
	ctx = context.WithValue(ctx, sessionKey{}, c.ss)
	for {
		if idle := c.s.idleTimeout(); idle > 0 {
			c.nc.SetReadDeadline(time.Now().Add(idle))
		}
		// The budget counts from here: the op code and its request (and
		// up to one read buffer of what follows, read ahead).
		c.rb.Limit("request", c.s.maxRequest())
		code, err := c.r.Uint64()
		if err != nil {
			return // hang-up, idle timeout or shutdown
		}
		if c.s.isClosed() {
			return // no new operation once Shutdown has begun
		}
		// The idle deadline stays until the request has been read
		// (StartWork): a client that sends an op code and stalls must
		// not hold its slot.
		if !c.setBusy(true) {
			return
		}
		keep := c.op(ctx, code, log)
		if !c.setBusy(false) || !keep {
			return
		}
	}
}

// op serves one operation and reports whether the connection can go on.
func (c *conn) op(ctx context.Context, code uint64, log interface {
	Info(string, ...any)
}) (keep bool) {
	x := &exchange{c: c}
	var err error
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("server: internal error in op %d: %v", code, v)
				log.Info("server: handler panic", "op", code, "panic", v, "stack", string(debug.Stack()))
			}
		}()
		c.l.startWork()
		err = c.s.Handler.Serve(ctx, code, x)
	}()
	if code == uint64(messages.OpSetOptions) && x.started {
		c.applySettings(x)
		if errors.Is(err, wire.ErrUnsupported) && !x.ended {
			// A handler that leaves SetOptions out accepts the settings,
			// as every Nix daemon does.
			err = x.EndLog()
			if err == nil {
				err = x.c.w.Flush()
			}
		}
	}
	switch {
	case err == nil && x.ended:
		return true
	case err == nil:
		err = fmt.Errorf("server: op %d ended without a reply", code)
		fallthrough
	case errors.Is(err, wire.ErrReplySent):
		log.Info("server: op failed after its reply began", "op", code, "err", err)
		x.abandonUpload() // the connection ends: its data stays unread
		return false
	}
	if ferr := x.finishUpload(); ferr != nil {
		// The request's data cannot be skipped: the connection is lost.
		c.l.stopWork(err, nil)
		return false
	}
	if !x.started {
		// As nix-daemon: an error before the op started work (a request
		// that does not decode, an unknown op) is sent, and sent again as
		// the connection ends, both in one write. A client that no longer
		// reads gets a few seconds to take them.
		if t := c.dw.timeout; t <= 0 || t > lastWordTimeout {
			c.dw.timeout = lastWordTimeout
		}
		c.l.stopWorkTwice(err)
		return false
	}
	return c.l.stopWork(err, nil) == nil
}

// applySettings records the verbosity a SetOptions request chose.
func (c *conn) applySettings(x *exchange) {
	if s, ok := x.request.(*messages.ClientSettings); ok {
		c.l.setVerbosity(s.Verbosity)
	}
}

// lastWordTimeout bounds the write of the error frames sent before the
// server hangs up.
const lastWordTimeout = 5 * time.Second

// exchange is the wire.Exchange of one operation.
type exchange struct {
	c       *conn
	started bool // the request was read: errors are reported once
	ended   bool // STDERR_LAST was sent
	request wire.Message
	upload  upload
}

var _ wire.Exchange = (*exchange)(nil)

func (x *exchange) Proto() wire.Proto    { return x.c.h.Proto }
func (x *exchange) Reader() *wire.Reader { return x.c.r }
func (x *exchange) Writer() *wire.Writer { return x.c.w }

// StartWork records that the request has been read: from now on the
// operation runs without the idle deadline.
func (x *exchange) StartWork(req wire.Message) {
	x.c.nc.SetReadDeadline(time.Time{})
	x.c.rb.Unlimited()
	x.started = true
	x.request = req
}

func (x *exchange) RequestStream(k wire.StreamKind) (io.Reader, error) {
	if x.upload != nil {
		return nil, errors.New("server: request stream asked for twice")
	}
	switch k {
	case wire.FramedStream:
		u := newFramedUpload(x.c.r)
		x.upload = u
		return u, nil
	case wire.RawStream:
		u := newRawUpload(x.c.r)
		x.upload = u
		return u, nil
	case wire.PullStream:
		u := newRawUpload(&pullUpload{l: x.c.l, r: x.c.r})
		x.upload = u
		return u, nil
	}
	return nil, fmt.Errorf("server: no request stream of kind %s", k)
}

func (x *exchange) ReplyStream(k wire.StreamKind) (io.Writer, error) {
	switch k {
	case wire.RawStream:
		if !x.ended {
			return nil, errors.New("server: raw reply stream before the end of the log")
		}
		return x.c.w, nil
	case wire.PushStream:
		return pushWriter{x.c.l}, nil
	}
	return nil, fmt.Errorf("server: no reply stream of kind %s", k)
}

// EndLog reads what is left of the request's data, then sends
// STDERR_LAST; from then on only the reply is written.
func (x *exchange) EndLog() error {
	if err := x.finishUpload(); err != nil {
		return err
	}
	x.ended = true
	x.c.l.mu.Lock()
	defer x.c.l.mu.Unlock()
	x.c.l.working = false
	if x.c.l.err != nil {
		return x.c.l.err
	}
	return messages.EncodeStderr(x.c.w, &messages.StderrLast{}, x.c.h.Proto)
}

func (x *exchange) finishUpload() error {
	if x.upload == nil {
		return nil
	}
	u := x.upload
	x.upload = nil
	return u.finish()
}

// abandonUpload gives up the request's data, unread, as the connection
// ends: no goroutine may be left copying it.
func (x *exchange) abandonUpload() {
	if x.upload != nil {
		x.upload.abandon()
		x.upload = nil
	}
}

// pushWriter sends data to the client's sink in STDERR_WRITE frames.
type pushWriter struct{ l *Logger }

func (pw pushWriter) Write(p []byte) (int, error) {
	pw.l.mu.Lock()
	defer pw.l.mu.Unlock()
	if pw.l.err != nil {
		return 0, pw.l.err
	}
	if err := messages.EncodeStderr(pw.l.w, &messages.StderrWrite{Data: p}, pw.l.p); err != nil {
		return 0, err
	}
	return len(p), nil
}
