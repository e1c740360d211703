package client

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/nixwire/nixwire/wire"
)

// States of a call.
const (
	stPending   int32 = iota // waiting for the write loop; nothing sent
	stWithdrawn              // its caller gave up before anything was sent
	stQueued                 // sent (or being sent), behind older calls
	stCurrent                // the oldest unanswered: the daemon works on it
	stAbandoned              // its caller gave up while it was queued
)

// call is one operation in flight: written to the daemon, waiting for the
// read loop to read its STDERR session and reply.
type call struct {
	id    uint64 // unique per use, as the pool reuses calls
	ctx   context.Context
	name  string
	req   []byte       // the encoded request (op code included)
	reply wire.Message // decoded into by the read loop; nil: none
	raw   bool         // a raw NAR follows the reply, for out
	pull  io.Reader    // answers STDERR_READ; nil: none expected
	out   io.Writer    // receives STDERR_WRITE data or the NAR
	send  *sender      // sends the data that follows the request; nil: none

	// over is closed when the read loop is done with a call that pulls
	// data (the write loop waits for it: nothing may be written between
	// the request and the answers to the daemon's pulls). nil otherwise.
	over    chan struct{}
	written chan struct{} // closed by the write loop when it hands over the writer

	state atomic.Int32
	done  chan struct{} // receives one value when err is set
	// released is set by the write loop once it no longer uses the call;
	// only then may the caller recycle it.
	released atomic.Bool

	// Set by the read loop before done.
	err    error
	inErr  error // error reading pull
	outErr error // error writing out
}

var callPool = sync.Pool{New: func() any { return &call{done: make(chan struct{}, 1)} }}

// callIDs numbers the uses of calls.
var callIDs atomic.Uint64

// getCall returns a reset call from the pool.
func getCall() *call {
	cl := callPool.Get().(*call)
	cl.id = callIDs.Add(1)
	cl.state.Store(stPending)
	return cl
}

// putCall returns a finished call to the pool, keeping its channel and
// request buffer. Only calls whose result was received and that the write
// loop released go back: the others may still be referenced.
func putCall(cl *call) {
	done, req := cl.done, cl.req[:0]
	*cl = call{done: done, req: req}
	callPool.Put(cl)
}

// finish hands the result to the caller.
func (cl *call) finish(err error) {
	cl.err = err
	cl.done <- struct{}{}
}

// streams reports whether the call moves data for its caller, so that it
// must never outlive its caller's wait.
func (cl *call) streams() bool { return cl.send != nil || cl.pull != nil || cl.out != nil }

// callQueue is a FIFO of calls in a ring buffer.
type callQueue struct {
	buf  []*call
	head int
	n    int
}

func (q *callQueue) len() int { return q.n }

// push appends cl.
func (q *callQueue) push(cl *call) {
	if q.n == len(q.buf) {
		nb := make([]*call, max(8, 2*len(q.buf)))
		for i := range q.n {
			nb[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = cl
	q.n++
}

// front returns the oldest call, or nil.
func (q *callQueue) front() *call {
	if q.n == 0 {
		return nil
	}
	return q.buf[q.head]
}

// pop removes the oldest call.
func (q *callQueue) pop() {
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.n--
}

// dropQueued removes and returns every call but the oldest.
func (q *callQueue) dropQueued() []*call {
	if q.n <= 1 {
		return nil
	}
	out := make([]*call, 0, q.n-1)
	for i := 1; i < q.n; i++ {
		j := (q.head + i) % len(q.buf)
		out = append(out, q.buf[j])
		q.buf[j] = nil
	}
	q.n = 1
	return out
}
