package client

import "fmt"

// writeQueue is how many calls may wait for the write loop.
const writeQueue = 64

// writeLoop writes the requests of the calls handed to it, in order, for
// as long as the Conn lives. Each call joins the read loop's queue before
// its first byte is written, so that its reply always finds it. Requests
// that come while others are being written go out in one flush.
//
// The data that follows a request is sent from here too; nothing else is
// written until it is out (or, for data the daemon pulls, until the call
// is over), so that the daemon reads each op's bytes in order.
func (c *Conn) writeLoop() {
	for {
		if c.w.Buffered() > 0 && len(c.wq) == 0 {
			if err := c.w.Flush(); err != nil {
				c.writeFailed(err)
			}
		}
		var cl *call
		select {
		case cl = <-c.wq:
		case <-c.dead:
			c.drainWrites()
			return
		}
		if werr := c.writeErr(); werr != nil {
			if cl.state.CompareAndSwap(stPending, stWithdrawn) {
				cl.finish(&ConnError{Op: cl.name, Err: werr})
			}
			continue
		}
		if !c.enqueue(cl) {
			continue
		}
		// The caller recycles cl only once it is released (below).
		id, name := cl.id, cl.name
		send, over, written := cl.send, cl.over, cl.written
		c.w.Write(cl.req)
		switch {
		case send != nil:
			// The request goes out before the data is read, so that the
			// daemon can start (and refuse) whatever the source does.
			if err := c.w.Flush(); err != nil {
				c.writeFailed(err)
			}
			send.run(c.w)
			if send.source {
				// Close the connection rather than end the stream: the
				// daemon must not take the data as complete.
				c.breakConnID(&ConnError{Op: name, Err: fmt.Errorf("reading the data to send: %w", send.err)}, id)
			} else if send.err != nil && send.err != errStopped {
				c.writeFailed(send.err)
			}
		case over != nil:
			if err := c.w.Flush(); err != nil {
				c.writeFailed(err)
			}
			// The read loop writes the answers to the daemon's pulls.
			close(written)
			select {
			case <-over:
			case <-c.dead:
				// The read loop may still be answering a pull: the
				// writer is its until it returns (closing the
				// connection ends any write it is blocked in).
				<-c.readerDone
			}
		}
		cl.released.Store(true)
	}
}

// writeFailed records that writing to the connection failed. The Conn is
// not broken yet: the requests written before may still be answered, and
// the read loop breaks it once the daemon's side ends (a connection that
// fails to write has been closed by the daemon, or broken). Calls not yet
// written fail with a *ConnError matching err.
func (c *Conn) writeFailed(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.werr == nil {
		c.werr = fmt.Errorf("writing to the daemon: %w", err)
	}
}

// writeErr returns why writing failed, or nil.
func (c *Conn) writeErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.werr
}

// enqueue moves cl, unless its caller withdrew it, to the read loop's
// queue; it is the current call if the queue was empty. It reports
// whether cl is to be written.
func (c *Conn) enqueue(cl *call) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		if cl.state.CompareAndSwap(stPending, stWithdrawn) {
			cl.finish(c.broken.forOther(cl.name))
		}
		return false
	}
	st := stQueued
	if c.queue.len() == 0 {
		st = stCurrent
	}
	if !cl.state.CompareAndSwap(stPending, st) {
		return false // withdrawn: nothing was sent
	}
	c.queue.push(cl)
	return true
}

// drainWrites fails the calls still waiting for the write loop once the
// Conn is broken.
func (c *Conn) drainWrites() {
	for {
		select {
		case cl := <-c.wq:
			if cl.state.CompareAndSwap(stPending, stWithdrawn) {
				cl.finish(c.broken.forOther(cl.name))
			}
		default:
			return
		}
	}
}
