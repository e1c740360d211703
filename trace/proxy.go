package trace

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nixwire/nixwire/internal/acceptretry"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// DefaultMaxQueue is how far, in bytes per direction, the decoder may fall
// behind the forwarding before it gives up on a connection.
const DefaultMaxQueue = 8 << 20

// Proxy forwards connections to a daemon and reports what they carry.
type Proxy struct {
	// Dial connects to the daemon, once per client connection.
	Dial func(ctx context.Context) (net.Conn, error)
	// Sink receives the events. A Sink that buffers should implement
	// Flusher, or its lines wait for whoever flushes it.
	Sink Sink
	// MaxQueue bounds, per direction and connection, the bytes waiting
	// for the decoder (DefaultMaxQueue if 0).
	MaxQueue int
	// Ops is the op table to decode with (messages.WorkerOps if nil); an
	// extended protocol passes its own.
	Ops wire.OpTable

	ids atomic.Uint64
}

// Serve accepts connections on ln and handles each in its own goroutine
// until ctx is done or Accept fails (errors that pass, such as running out
// of file descriptors, are waited out); then it closes ln, waits for the
// running connections to end (when ctx is done they are closed), and
// returns ctx.Err() or the Accept error.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close() // first: no more connections, then wait for them
	var backoff acceptretry.Backoff
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if acceptretry.Retryable(err) && backoff.WaitContext(ctx) {
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		backoff.Reset()
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Handle(ctx, c)
		}()
	}
}

// Handle forwards one client connection to a new daemon connection until
// both sides have closed or ctx is done, then closes both. The decoder's findings go to
// the sink; Handle returns the dial error or nil.
func (p *Proxy) Handle(ctx context.Context, client net.Conn) error {
	id := p.ids.Add(1)
	emit := func(e *Event) {
		e.Time, e.Conn = time.Now(), id
		p.Sink.Event(e)
	}
	flush := func() {
		if f, ok := p.Sink.(Flusher); ok {
			f.Flush()
		}
	}
	defer flush() // after the close event
	defer client.Close()
	daemon, err := p.Dial(ctx)
	if err != nil {
		emit(&Event{Kind: KindClose, Note: "cannot reach the daemon: " + err.Error()})
		return err
	}
	defer daemon.Close()
	// When ctx ends, so does the connection.
	stopOnDone := context.AfterFunc(ctx, func() {
		client.Close()
		daemon.Close()
	})
	defer stopOnDone()

	max := p.MaxQueue
	if max <= 0 {
		max = DefaultMaxQueue
	}
	ops := p.Ops
	if ops == nil {
		ops = messages.WorkerOps
	}
	// Only the decoder's goroutine calls the sink until forwarding ends: a
	// slow sink slows the decoder, never the forwarding.
	d := &decoder{emit: emit, ops: ops, cq: newQueue(max), dq: newQueue(max), upstream: daemon.RemoteAddr().String()}
	d.cq.idle, d.dq.idle = flush, flush
	onBehind := func() {
		d.behind.Store(true)
		d.stop()
	}
	decoded := make(chan struct{})
	go func() {
		defer close(decoded)
		d.run()
		// Decoding ended (it may have given up while forwarding goes
		// on): what it reported goes out now, not at the close.
		flush()
	}()

	errs := make(chan error, 2)
	go func() {
		err := forward(daemon, client, d.cq, onBehind)
		if err == nil {
			// The client half-closed: pass its full hang-up on too.
			watchHangup(client, daemon)
		}
		errs <- err
	}()
	go func() { errs <- forward(client, daemon, d.dq, onBehind) }()
	var first error
	for range 2 {
		if err := <-errs; err != nil && first == nil {
			first = err
			// A broken side: close both so the other direction ends too.
			client.Close()
			daemon.Close()
		}
	}
	<-decoded
	note := "both sides closed"
	if first != nil {
		note = first.Error()
	}
	emit(&Event{Kind: KindClose, Note: note})
	return nil
}

// forward copies src to dst, handing each chunk to q after it was written.
// At src's end it half-closes dst so the peer sees the end too. A src the
// proxy closed itself (its client hung up, or the proxy stops) ends there
// for the decoder, as if its peer had closed it: at a message boundary
// that is a clean end, inside a message the decoder reports it cut off.
func forward(dst, src net.Conn, q *queue, onBehind func()) error {
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	buf := *bp
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				q.end(err)
				return err
			}
			if q.push(buf[:n]) {
				onBehind()
			}
		}
		if rerr != nil {
			if rerr == io.EOF {
				q.end(io.EOF)
				if cw, ok := dst.(interface{ CloseWrite() error }); ok {
					cw.CloseWrite()
				}
				return nil
			}
			if errors.Is(rerr, net.ErrClosed) {
				q.end(io.EOF)
				return nil
			}
			q.end(rerr)
			return rerr
		}
	}
}
