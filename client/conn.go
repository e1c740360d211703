package client

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Info is what the handshake established.
type Info struct {
	// Proto is the negotiated protocol: the lower of the two versions and,
	// from 1.38, the features both sides offered.
	Proto wire.Proto
	// DaemonProtocol is the protocol version the daemon announced.
	DaemonProtocol wire.Version
	// DaemonFeatures are the features the daemon offered (≥ 1.38).
	DaemonFeatures wire.Features
	// DaemonVersion is the daemon's Nix version, e.g. "2.26.3" (≥ 1.33;
	// empty before).
	DaemonVersion string
	// Trusted says whether the daemon trusts the client (≥ 1.35;
	// messages.TrustedFlagUnknown before).
	Trusted messages.TrustedFlag
}

// Conn is a connection to a Nix daemon, made by Handshake, DialUnix or
// Dial. It may be used from several goroutines: their requests are
// pipelined (see the package documentation).
type Conn struct {
	rw     io.ReadWriter
	br     *wire.Budget // between rw and r: bounds what one value may read
	r      *wire.Reader // owned by the read loop once it runs
	w      *wire.Writer // owned by the write loop once it runs
	info   Info
	logger Logger
	ops    *wire.Protocol // the ops sent, extension first (Options.Protocol)
	limits Limits

	wq chan *call // calls for the write loop

	mu       sync.Mutex
	queue    callQueue  // sent and unanswered, oldest first
	broken   *ConnError // non-nil once the Conn is unusable
	brokenBy uint64     // the id of the call whose failure broke it; 0: none
	werr     error      // why writing failed (the read loop may still work)
	dead     chan struct{}

	readerDone chan struct{} // closed when the read loop has returned
	closeOnce  sync.Once
	closeErr   error
}

// newConn makes a Conn over rw for the protocol ops, not yet shaken hands
// with.
func newConn(rw io.ReadWriter, ops *wire.Protocol, opt Options) *Conn {
	g := &gatherReader{src: rw, pause: time.Sleep}
	br := wire.NewBudget(g, overLimits)
	c := &Conn{
		rw:         rw,
		br:         br,
		r:          wire.NewReader(br),
		w:          wire.NewWriter(rw),
		logger:     opt.Logger,
		ops:        ops,
		limits:     opt.Limits.withDefaults(),
		wq:         make(chan *call, writeQueue),
		dead:       make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	g.due = c.InFlight
	return c
}

// brokenErr returns why the Conn is broken, or nil.
func (c *Conn) brokenErr() *ConnError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broken
}

// Info returns what the handshake established.
func (c *Conn) Info() Info { return c.info }

// Proto returns the negotiated protocol version and features.
func (c *Conn) Proto() wire.Proto { return c.info.Proto }

// Err returns nil while the Conn is usable, else the *ConnError that says
// why it is not.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.broken != nil:
		return c.broken
	case c.werr != nil:
		return &ConnError{Err: c.werr}
	}
	return nil
}

// InFlight returns the number of operations sent and not yet answered
// (including those whose callers gave up waiting).
func (c *Conn) InFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queue.len()
}

// Close closes the connection (the io.ReadWriter's Close, if it has one).
// Operations in progress fail with a *ConnError. Close returns the error
// of the underlying Close; calling it again returns the same.
func (c *Conn) Close() error {
	c.breakConn(&ConnError{}, nil)
	return c.closeRW()
}

// closeRW closes the underlying connection once.
func (c *Conn) closeRW() error {
	c.closeOnce.Do(func() {
		if cl, ok := c.rw.(io.Closer); ok {
			c.closeErr = cl.Close()
		}
	})
	return c.closeErr
}

// breakConn records why the Conn is unusable (keeping the first reason)
// and which call caused it (by, or nil), makes blocked I/O return, fails
// every queued call but the current one (the read loop finishes that
// one, as it may be decoding into the caller's memory), and closes the
// connection. It returns the recorded reason.
func (c *Conn) breakConn(e *ConnError, by *call) *ConnError {
	var id uint64
	if by != nil {
		id = by.id
	}
	return c.breakConnID(e, id)
}

// breakConnID is breakConn with the id of the call to blame (0: none).
func (c *Conn) breakConnID(e *ConnError, by uint64) *ConnError {
	c.mu.Lock()
	first := c.broken == nil
	if first {
		c.broken, c.brokenBy = e, by
		close(c.dead)
	}
	e = c.broken
	var orphans []*call
	if first {
		orphans = c.queue.dropQueued()
	}
	c.mu.Unlock()
	if !first {
		return e
	}
	for _, cl := range orphans {
		if cl.id == by {
			cl.finish(e)
		} else {
			cl.finish(e.forOther(cl.name))
		}
	}
	c.unblock()
	// Closing may take a while (a process may have to exit): not waited
	// for, so that the caller is released at once.
	go c.closeRW()
	return e
}

// fail breaks the Conn because of err during cl (nil: outside any call,
// as in the handshake) and returns the error to report to cl's caller.
func (c *Conn) fail(cl *call, op string, err error) error {
	return c.errFor(cl, c.breakConn(&ConnError{Op: op, Err: err}, cl))
}

// errFor returns the error cl reports for the Conn broken by e: e itself
// when cl broke it (or outside any call: cl nil), else e as seen by
// another operation.
func (c *Conn) errFor(cl *call, e *ConnError) *ConnError {
	c.mu.Lock()
	by := c.brokenBy
	c.mu.Unlock()
	if cl == nil || by == cl.id {
		return e
	}
	return e.forOther(cl.name)
}

// unblock makes blocked reads and writes on the connection return, if it
// supports deadlines.
func (c *Conn) unblock() {
	past := time.Unix(1, 0)
	switch d := c.rw.(type) {
	case interface{ SetDeadline(time.Time) error }:
		d.SetDeadline(past)
	case interface {
		SetReadDeadline(time.Time) error
		SetWriteDeadline(time.Time) error
	}:
		d.SetReadDeadline(past)
		d.SetWriteDeadline(past)
	}
}

// watch breaks the Conn when ctx is done before the returned stop is
// called. stop reports the context's error if it fired. It serves the
// handshake, which runs before the read loop.
func (c *Conn) watch(ctx context.Context, op string) (stop func() error) {
	if ctx.Done() == nil {
		return func() error { return nil }
	}
	fired := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		c.breakConn(&ConnError{Op: op, Err: ctx.Err()}, nil)
		close(fired)
	})
	return func() error {
		if cancel() {
			return nil
		}
		<-fired
		return ctx.Err()
	}
}
