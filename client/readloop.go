package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// stderrError is the code of a STDERR_ERROR frame, needed where one
// interrupts a NAR (see readNAR); everywhere else frames are decoded with
// messages.DecodeStderr.
const stderrError = 0x63787470

// maxPull bounds the bytes sent in answer to one STDERR_READ.
const maxPull = 64 << 10

// errHungUp reports a daemon that closed the connection where a frame or a
// reply was due.
var errHungUp = fmt.Errorf("the daemon closed the connection: %w", io.ErrUnexpectedEOF)

// readErr turns an end of input into errHungUp.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errHungUp
	}
	return err
}

// decodeErr classifies an error decoding what: the daemon hung up, sent
// something the protocol does not allow (or more than the limits allow),
// which is a *ProtocolError, or the connection itself failed.
func decodeErr(what string, err error) error {
	if err := readErr(err); err == errHungUp {
		return err
	}
	var we *wire.Error
	if errors.As(err, &we) || errors.Is(err, ErrTooLarge) {
		pe := &ProtocolError{Msg: "bad " + what + ": " + err.Error(), Err: err}
		if we != nil {
			pe.Offset = we.Offset
			pe.Msg = "bad " + what + ": " + we.Err.Error()
		}
		return pe
	}
	return err // an error of the connection itself
}

// readLoop reads everything the daemon sends after the handshake, for as
// long as the Conn lives: the STDERR session and the reply of each call
// in the order they were sent. Frames that come while no call is waiting
// are a protocol error, except the second copy of an error, which tells
// that the daemon hangs up.
//
// The two copies of an error that a daemon sends before hanging up (for an
// error raised before it started work) are recognised by protocol state:
// an error frame identical to the one that ended the previous call is that
// copy, however the bytes were split into reads. (A next call failing
// with exactly the same error is taken for the copy too: it then fails
// with a *ConnError, never with the other call's error.)
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	var last *messages.StderrError // the error that ended the previous call
	var lastOp string
	var ahead messages.Stderr // a frame read ahead to look for a copy
	for {
		select {
		case <-c.dead:
			// Broken meanwhile (by a caller, by Close, or because an
			// abandoned call came up): nothing more is read, and no reply
			// is decoded into a caller's memory.
			c.stop(c.brokenErr())
			return
		default:
		}
		frame := ahead
		ahead = nil
		if frame == nil {
			f, err := c.readFrame()
			if err != nil {
				c.stop(err)
				return
			}
			frame = f
		}
		if e, ok := frame.(*messages.StderrError); ok && last != nil && sameError(e, last) {
			de := c.toDaemonError(lastOp, last)
			de.Closed = true
			c.stopCopy(de)
			return
		}
		last = nil
		cl := c.current()
		if cl == nil {
			c.stop(&ProtocolError{Offset: c.r.ValueOffset(), Msg: fmt.Sprintf("unsolicited %T from the daemon between operations", frame)})
			return
		}
		switch f := frame.(type) {
		case *messages.StderrLast:
			if err := c.readReply(cl); err != nil {
				if en, ok := err.(*errNAR); ok {
					c.stopAfter(cl, en.de)
				} else {
					c.stop(err)
				}
				return
			}
			c.complete(cl, nil)
		case *messages.StderrError:
			de := c.toDaemonError(cl.name, f)
			if c.r.Buffered() > 0 {
				// The copy often comes in the same read: recognising it
				// now lets de say that the connection is closed.
				next, err := c.readFrame()
				if e, ok := next.(*messages.StderrError); ok && sameError(e, f) {
					de.Closed = true
				}
				if err != nil || de.Closed {
					de.Closed = true
					c.stopAfter(cl, de)
					return
				}
				ahead = next
			}
			last, lastOp = f, cl.name
			c.complete(cl, de)
		case *messages.StderrRead:
			if err := c.pull(cl, f); err != nil {
				c.stop(err)
				return
			}
		case *messages.StderrWrite:
			if cl.out != nil && cl.outErr == nil {
				if _, err := cl.out.Write(f.Data); err != nil {
					cl.outErr = err
				}
			}
		default:
			if c.logger != nil {
				c.logger(cl.ctx, cl.name, frame)
			}
		}
	}
}

// readFrame reads one STDERR frame within Limits.MaxFrame.
func (c *Conn) readFrame() (messages.Stderr, error) {
	c.br.Limit("STDERR frame", c.limits.MaxFrame)
	f, err := messages.DecodeStderr(c.r, c.info.Proto)
	if err != nil {
		return nil, decodeErr("STDERR frame", err)
	}
	return f, nil
}

// sameError reports whether two error frames are the same.
func sameError(a, b *messages.StderrError) bool {
	return a.Message == b.Message && a.Level == b.Level && a.Status == b.Status && a.Name == b.Name && slices.Equal(a.Traces, b.Traces)
}

// readReply reads the reply of cl (and the NAR that follows it).
func (c *Conn) readReply(cl *call) error {
	if cl.reply != nil {
		c.br.Limit("reply", c.limits.MaxReply)
		if err := cl.reply.DecodeWire(c.r, c.info.Proto); err != nil {
			return decodeErr("reply", err)
		}
	}
	if cl.raw {
		c.br.Unlimited()
		return c.readNAR(cl)
	}
	return nil
}

// current returns the oldest call in flight, or nil.
func (c *Conn) current() *call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queue.front()
}

// complete ends the current call cl with err and makes the next one
// current. A next call whose caller has given up breaks the Conn: the
// daemon is about to work for nobody, and only hanging up stops it.
func (c *Conn) complete(cl *call, err error) {
	c.mu.Lock()
	c.queue.pop()
	next := c.queue.front()
	abandoned := next != nil && !next.state.CompareAndSwap(stQueued, stCurrent)
	c.mu.Unlock()
	if cl.send != nil {
		cl.send.gate.stop()
	}
	if cl.over != nil {
		close(cl.over)
	}
	cl.finish(err)
	if abandoned {
		c.breakConn(&ConnError{Op: next.name, Err: fmt.Errorf("gave up waiting: %w", next.ctx.Err())}, next)
	}
}

// stop ends the read loop because of err, raised while cl (the current
// call, or nil) was served: the Conn breaks, unless it is already broken,
// and cl fails.
func (c *Conn) stop(err error) {
	cl := c.current()
	op := ""
	if cl != nil {
		op = cl.name
	}
	e := c.breakConn(&ConnError{Op: op, Err: err}, cl)
	if cl != nil {
		c.complete(cl, c.errFor(cl, e))
	}
}

// stopAfter ends the read loop after de, the error of cl after which the
// daemon hangs up: cl fails with de itself.
func (c *Conn) stopAfter(cl *call, de *DaemonError) {
	e := c.breakConn(&ConnError{Op: cl.name, Err: de}, cl)
	if c.errFor(cl, e) == e {
		c.complete(cl, de)
		return
	}
	c.complete(cl, c.errFor(cl, e))
}

// stopCopy ends the read loop on the copy of the error of op, an earlier
// call: the daemon hangs up.
func (c *Conn) stopCopy(de *DaemonError) {
	e := c.breakConn(&ConnError{Op: de.Op, Err: de}, nil)
	if cl := c.current(); cl != nil {
		c.complete(cl, c.errFor(cl, e))
	}
}

// maxEmptyReads is how many times in a row a source may return no data
// and no error before it counts as broken (io.ErrNoProgress).
const maxEmptyReads = 100

// pull answers a STDERR_READ with up to the requested number of bytes
// from cl.pull: at least one byte, or none at its end (which the daemon
// reports as an error). An error of the source is remembered and answered
// like its end. The source is read on its own goroutine, so that one that
// blocks cannot hold the Conn once it breaks.
func (c *Conn) pull(cl *call, m *messages.StderrRead) error {
	if cl.pull == nil {
		return &ProtocolError{Offset: c.r.ValueOffset(), Msg: "the daemon pulls data (STDERR_READ) for an operation that sends none"}
	}
	select {
	case <-cl.written:
	case <-c.dead:
		return c.brokenErr()
	}
	n := int(min(m.Len, maxPull))
	k := 0
	var buf []byte
	if cl.inErr == nil && n > 0 {
		buf = make([]byte, n)
		type result struct {
			n   int
			err error
		}
		ch := make(chan result, 1)
		src := cl.pull
		go func() {
			// A reader that keeps returning nothing fails, as in bufio.
			for empty := 0; ; empty++ {
				k, err := src.Read(buf)
				if k < 0 || k > n || (k == 0 && err == nil && empty == maxEmptyReads) {
					k, err = 0, io.ErrNoProgress
				}
				if k > 0 || err != nil {
					ch <- result{k, err}
					return
				}
			}
		}()
		select {
		case res := <-ch:
			k = res.n
			if res.err != nil && res.err != io.EOF {
				cl.inErr = res.err
			}
		case <-c.dead:
			return c.brokenErr()
		}
	}
	c.w.Bytes(buf[:k])
	return c.w.Flush()
}

// toDaemonError turns a STDERR_ERROR frame into a *DaemonError.
func (c *Conn) toDaemonError(op string, m *messages.StderrError) *DaemonError {
	de := &DaemonError{Op: op, Message: m.Message, Level: m.Level, Status: m.Status, Legacy: !c.info.Proto.AtLeast(1, 26)}
	for _, t := range m.Traces {
		de.Traces = append(de.Traces, t.Hint)
	}
	return de
}

// runStartup reads the startup STDERR session of the handshake.
func (c *Conn) runStartup(ctx context.Context) error {
	for {
		frame, err := c.readFrame()
		if err != nil {
			return err
		}
		switch f := frame.(type) {
		case *messages.StderrLast:
			return nil
		case *messages.StderrError:
			return c.toDaemonError("", f)
		case *messages.StderrRead, *messages.StderrWrite:
			return &ProtocolError{Offset: c.r.ValueOffset(), Msg: fmt.Sprintf("%T in the startup session", frame)}
		default:
			if c.logger != nil {
				c.logger(ctx, "", frame)
			}
		}
	}
}
