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

// Conn is a connection to a Nix daemon, made by Handshake or DialUnix.
type Conn struct {
	rw     io.ReadWriter
	r      *wire.Reader
	w      *wire.Writer
	info   Info
	logger Logger
	ops    *wire.Protocol // the ops sent, extension first (Options.Protocol)

	op     sync.Mutex // serialises operations
	reqBuf []byte     // encoded request, reused

	state     sync.Mutex
	broken    *ConnError // non-nil once the Conn is unusable
	closeOnce sync.Once
	closeErr  error
}

// Info returns what the handshake established.
func (c *Conn) Info() Info { return c.info }

// Proto returns the negotiated protocol version and features.
func (c *Conn) Proto() wire.Proto { return c.info.Proto }

// Err returns nil while the Conn is usable, else the *ConnError that says
// why it is not.
func (c *Conn) Err() error {
	c.state.Lock()
	defer c.state.Unlock()
	if c.broken == nil {
		return nil
	}
	return c.broken
}

// Close closes the connection (the io.ReadWriter's Close, if it has one).
// An operation in progress fails. Close returns the error of the underlying
// Close; calling it again returns the same.
func (c *Conn) Close() error {
	c.markBroken(&ConnError{})
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

// markBroken records why the Conn is unusable, keeping the first reason.
func (c *Conn) markBroken(e *ConnError) *ConnError {
	c.state.Lock()
	defer c.state.Unlock()
	if c.broken == nil {
		c.broken = e
	}
	return c.broken
}

// fail breaks the Conn because of err during op, closes the connection and
// returns the error to report: err itself when it is already a *ConnError,
// else a new one.
func (c *Conn) fail(op string, err error) error {
	ce, ok := err.(*ConnError)
	if !ok {
		ce = &ConnError{Op: op, Err: err}
	}
	first := c.markBroken(ce)
	c.unblock()
	c.closeRW()
	return first
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

// watch aborts the Conn when ctx is done before the returned stop is
// called. stop reports the context's error if it fired.
func (c *Conn) watch(ctx context.Context, op string) (stop func() error) {
	if ctx.Done() == nil {
		return func() error { return nil }
	}
	fired := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		// Break the Conn and unblock its I/O first; closing may take
		// longer (a process may have to exit) and is not waited for.
		c.markBroken(&ConnError{Op: op, Err: ctx.Err()})
		c.unblock()
		close(fired)
		c.closeRW()
	})
	return func() error {
		if cancel() {
			return nil
		}
		<-fired
		return ctx.Err()
	}
}
