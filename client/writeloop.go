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
	var last *call // the last call written, to blame for a failed flush
	for {
		if c.w.Buffered() > 0 && len(c.wq) == 0 {
			if err := c.w.Flush(); err != nil {
				c.fail(last, last.name, err)
			}
		}
		var cl *call
		select {
		case cl = <-c.wq:
		case <-c.dead:
			c.drainWrites()
			return
		}
		if !c.enqueue(cl) {
			continue
		}
		last = cl
		c.w.Write(cl.req)
		switch {
		case cl.send != nil:
			cl.send.run(c.w)
			if cl.send.source {
				// Close the connection rather than end the stream: the
				// daemon must not take the data as complete.
				c.fail(cl, cl.name, fmt.Errorf("reading the data to send: %w", cl.send.err))
			} else if cl.send.err != nil && cl.send.err != errStopped {
				c.fail(cl, cl.name, cl.send.err)
			}
		case cl.over != nil:
			if err := c.w.Flush(); err != nil {
				c.fail(cl, cl.name, err)
			}
			// The read loop writes the answers to the daemon's pulls.
			close(cl.written)
			select {
			case <-cl.over:
			case <-c.dead:
			}
		}
	}
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
