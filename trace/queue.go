package trace

import (
	"errors"
	"io"
	"sync"
	"time"
)

// errStopped is what the decoder reads once its connection's decoding was
// given up (behind, or undecodable).
var errStopped = errors.New("trace: decoding stopped")

// chunkSize is the forwarding buffer size, and so the largest chunk.
const chunkSize = 64 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// queue hands copies of forwarded bytes to the decoder. push never blocks:
// past max bytes waiting, the queue stops and drops everything.
type queue struct {
	mu      sync.Mutex
	cond    sync.Cond
	chunks  []*[]byte // each chunk's bytes are (*c)[:len]; chunks[first:] wait
	lens    []int
	first   int
	head    int // bytes of chunks[first] already read
	waiting int // bytes not yet read
	max     int
	eof     error // set when the forwarder ended: io.EOF or its read error
	stopped bool
	// idle, if set, is called (without the lock) when Read finds the
	// queue empty and nothing came for a coalesce period, before it waits
	// to be woken: the decoder has caught up with a quiet connection.
	idle func()
	// lastData is when Read last returned data. A decoder that finds the
	// queue empty soon after sleeps for coalesce instead of waiting to be
	// woken by the next push, so that on a busy connection it wakes about
	// once per coalesce and decodes what queued meanwhile in one go,
	// rather than competing with the forwarding for the CPU at every chunk.
	lastData time.Time
}

// coalesce is how long a busy decoder lets data gather before it reads on.
const coalesce = time.Millisecond

func newQueue(max int) *queue {
	q := &queue{max: max}
	q.cond.L = &q.mu
	return q
}

// push copies p into the queue. It reports true when the queue overflowed
// now (the caller reports it once); a stopped queue ignores p.
func (q *queue) push(p []byte) (overflow bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped {
		return false
	}
	if q.waiting+len(p) > q.max {
		q.stopLocked()
		return true
	}
	// Fill the last chunk first: small pushes (a reply, a log line) share
	// chunks, so that the memory held follows the bytes waiting, which
	// max bounds, and not the number of pushes.
	if last := len(q.chunks) - 1; last >= q.first && last >= 0 {
		c := q.chunks[last]
		n := copy((*c)[q.lens[last]:], p)
		p = p[n:]
		q.lens[last] += n
		q.waiting += n
	}
	for len(p) > 0 {
		c := chunkPool.Get().(*[]byte)
		n := copy(*c, p)
		p = p[n:]
		q.chunks = append(q.chunks, c)
		q.lens = append(q.lens, n)
		q.waiting += n
	}
	q.cond.Signal()
	return false
}

// end records that no more data will come (err is io.EOF for a clean end).
func (q *queue) end(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.eof == nil {
		q.eof = err
	}
	q.cond.Broadcast()
}

// stop drops what is queued and makes push a no-op and Read fail.
func (q *queue) stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopLocked()
}

func (q *queue) stopLocked() {
	q.stopped = true
	for _, c := range q.chunks[q.first:] {
		chunkPool.Put(c)
	}
	q.chunks, q.lens, q.first, q.head, q.waiting = nil, nil, 0, 0, 0
	q.cond.Broadcast()
}

// Read implements io.Reader for the decoder: it blocks until data is
// queued, the forwarder ended (io.EOF, or its error) or the queue stopped.
func (q *queue) Read(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	caughtUp := false
	for len(q.chunks) == q.first && !q.stopped && q.eof == nil {
		if time.Since(q.lastData) < coalesce {
			q.mu.Unlock()
			time.Sleep(coalesce)
			q.mu.Lock()
			continue
		}
		if q.idle != nil && !caughtUp {
			// Quiet for a coalesce period: the decoder has caught up.
			caughtUp = true
			q.mu.Unlock()
			q.idle()
			q.mu.Lock()
			continue
		}
		q.cond.Wait()
	}
	if q.stopped {
		return 0, errStopped
	}
	if len(q.chunks) == q.first {
		if q.eof == io.EOF {
			return 0, io.EOF
		}
		return 0, io.ErrUnexpectedEOF
	}
	q.lastData = time.Now()
	c := q.chunks[q.first]
	n := copy(p, (*c)[q.head:q.lens[q.first]])
	q.head += n
	q.waiting -= n
	if q.head == q.lens[q.first] {
		chunkPool.Put(c)
		q.chunks[q.first] = nil
		q.first++
		q.head = 0
		if q.first == len(q.chunks) {
			// Start again at the front of the arrays, so that a queue the
			// decoder keeps up with does not allocate.
			q.chunks, q.lens, q.first = q.chunks[:0], q.lens[:0], 0
		}
	}
	return n, nil
}
