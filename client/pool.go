package client

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrPoolClosed is returned by Pool.Get once the pool is closed.
var ErrPoolClosed = errors.New("client: pool closed")

// Pool defaults.
const (
	// DefaultMaxOpen is the default PoolOptions.MaxOpen. Every connection
	// is a daemon process (the daemon forks one per connection), so this
	// is how many daemon workers a pool uses.
	DefaultMaxOpen = 4
	// DefaultMaxIdle is the default PoolOptions.MaxIdle.
	DefaultMaxIdle = 2
)

// PoolOptions configure a Pool.
type PoolOptions struct {
	// MaxOpen bounds the connections open at once, idle or in use
	// (default DefaultMaxOpen).
	MaxOpen int
	// MaxIdle bounds the idle connections kept for reuse (default
	// DefaultMaxIdle; negative: none kept).
	MaxIdle int
	// MaxIdleTime closes connections idle for longer (0: no limit); idle
	// connections are checked every MaxIdleTime, so one may stay idle for
	// up to about twice as long.
	MaxIdleTime time.Duration
	// MaxLifetime closes connections older than this when they are
	// returned, or while idle (0: no limit).
	MaxLifetime time.Duration
}

// Idle connections past MaxIdleTime or MaxLifetime are closed by a
// goroutine that runs while there are idle connections, checking every
// min(MaxIdleTime, MaxLifetime), but not more often than every
// minCleanInterval nor less than every maxCleanInterval.
const (
	minCleanInterval = 100 * time.Millisecond
	maxCleanInterval = time.Minute
)

// Pool is a pool of connections to one store, in the spirit of
// database/sql: at most MaxOpen connections are open; Get hands one out
// for the caller's exclusive use (waiting, within its context, while all
// are in use) and Put takes it back. Idle connections are kept and
// checked before reuse: a Conn's read loop watches the connection even
// while it is idle, so a daemon that hung up or a connection that broke
// is seen at once, and is closed instead of handed out. A connection
// that failed (Err non-nil), or that still has operations in flight
// whose callers gave up, is never reused. A Pool is safe for concurrent
// use.
type Pool struct {
	dial func(context.Context) (*Conn, error)
	opt  PoolOptions

	mu      sync.Mutex
	idle    []pooled
	open    int // connections open: idle, in use, or being dialled
	inUse   map[*Conn]time.Time
	waiters []chan struct{} // woken when a slot or an idle Conn frees up
	closed  bool
	drained chan struct{}  // closed when closed and nothing is open
	closing sync.WaitGroup // connections being closed
	stats   PoolStats
	// closeDials ends the dials in flight once the pool is closed.
	dialCtx    context.Context
	closeDials context.CancelFunc
	cleaning   bool // the idle cleaner runs
}

// pooled is an idle connection.
type pooled struct {
	c       *Conn
	created time.Time
	since   time.Time
}

// PoolStats are counters of a Pool.
type PoolStats struct {
	Open, Idle, InUse int           // now
	Dials, Reused     int64         // connections made, and handed out again
	Discarded         int64         // closed because failed, expired or in excess
	Waits             int64         // Gets that had to wait
	WaitTime          time.Duration // total time Gets waited
}

// NewPool returns a pool whose connections dial makes, e.g.
//
//	client.NewPool(func(ctx context.Context) (*client.Conn, error) {
//		return client.Dial(ctx, "daemon", client.Options{})
//	}, client.PoolOptions{MaxOpen: 8})
func NewPool(dial func(context.Context) (*Conn, error), opt PoolOptions) *Pool {
	if opt.MaxOpen <= 0 {
		opt.MaxOpen = DefaultMaxOpen
	}
	if opt.MaxIdle == 0 {
		opt.MaxIdle = DefaultMaxIdle
	}
	opt.MaxIdle = min(max(opt.MaxIdle, 0), opt.MaxOpen)
	p := &Pool{dial: dial, opt: opt, inUse: map[*Conn]time.Time{}, drained: make(chan struct{})}
	p.dialCtx, p.closeDials = context.WithCancel(context.Background())
	return p
}

// Get returns a connection for the caller's exclusive use, to be given
// back with Put: an idle one if a healthy one is kept, else a new one if
// fewer than MaxOpen are open, else it waits for one until ctx is done.
func (p *Pool) Get(ctx context.Context) (*Conn, error) {
	var waited time.Time
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrPoolClosed
		}
		now := time.Now()
		for len(p.idle) > 0 {
			pc := p.idle[len(p.idle)-1]
			p.idle = p.idle[:len(p.idle)-1]
			if p.healthy(pc, now) {
				p.inUse[pc.c] = pc.created
				p.stats.Reused++
				p.noteWait(waited)
				p.mu.Unlock()
				return pc.c, nil
			}
			p.discardLocked(pc.c)
		}
		if p.open < p.opt.MaxOpen {
			p.open++
			p.stats.Dials++
			p.noteWait(waited)
			p.mu.Unlock()
			return p.dialOne(ctx)
		}
		wake := make(chan struct{})
		p.waiters = append(p.waiters, wake)
		if waited.IsZero() {
			waited = now
			p.stats.Waits++
		}
		p.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			p.mu.Lock()
			for i, w := range p.waiters {
				if w == wake {
					p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
					break
				}
			}
			p.noteWait(waited)
			// Pass on a wake-up that came meanwhile.
			select {
			case <-wake:
				p.wakeLocked()
			default:
			}
			p.mu.Unlock()
			return nil, ctx.Err()
		}
	}
}

// dialOne dials a connection for Get into a slot already counted in
// open. Closing the pool ends the dial; a dial that ends after the pool
// was closed gives its connection up, so that a closed pool hands out
// nothing and Close sees every slot freed.
func (p *Pool) dialOne(ctx context.Context) (*Conn, error) {
	dctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.dialCtx, cancel)
	c, err := p.dial(dctx)
	stop()
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err == nil && c == nil:
		err = errors.New("client: the pool's dial function returned no connection and no error")
	case err == nil && p.closed:
		p.discardLocked(c)
		return nil, ErrPoolClosed
	case err == nil:
		p.inUse[c] = time.Now()
		return c, nil
	}
	p.open--
	p.wakeLocked()
	p.drainedLocked()
	if p.closed {
		return nil, ErrPoolClosed
	}
	return nil, err
}

// drainedLocked closes drained once the pool is closed and has nothing
// open.
func (p *Pool) drainedLocked() {
	if p.closed && p.open == 0 {
		select {
		case <-p.drained:
		default:
			close(p.drained)
		}
	}
}

// noteWait adds the time a Get waited to the stats.
func (p *Pool) noteWait(since time.Time) {
	if !since.IsZero() {
		p.stats.WaitTime += time.Since(since)
	}
}

// healthy reports whether an idle connection may be handed out.
func (p *Pool) healthy(pc pooled, now time.Time) bool {
	switch {
	case pc.c.Err() != nil, pc.c.InFlight() != 0:
		return false
	case p.opt.MaxIdleTime > 0 && now.Sub(pc.since) > p.opt.MaxIdleTime:
		return false
	case p.opt.MaxLifetime > 0 && now.Sub(pc.created) > p.opt.MaxLifetime:
		return false
	}
	return true
}

// Put gives back a connection from Get. A failed one, one with operations
// still in flight, or one in excess of MaxIdle is closed.
func (p *Pool) Put(c *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	created, ok := p.inUse[c]
	if !ok {
		return // not ours, or put twice
	}
	delete(p.inUse, c)
	pc := pooled{c: c, created: created, since: time.Now()}
	if p.closed || len(p.idle) >= p.opt.MaxIdle || !p.healthy(pc, pc.since) {
		p.discardLocked(c)
		return
	}
	p.idle = append(p.idle, pc)
	p.wakeLocked()
	if !p.cleaning && (p.opt.MaxIdleTime > 0 || p.opt.MaxLifetime > 0) {
		p.cleaning = true
		go p.cleanIdle()
	}
}

// cleanIdle closes the idle connections that expire, for as long as
// there are idle connections.
func (p *Pool) cleanIdle() {
	every := maxCleanInterval
	for _, d := range []time.Duration{p.opt.MaxIdleTime, p.opt.MaxLifetime} {
		if d > 0 {
			every = min(every, d)
		}
	}
	every = max(every, minCleanInterval)
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-p.dialCtx.Done(): // closed
			p.mu.Lock()
			p.cleaning = false
			p.mu.Unlock()
			return
		}
		p.mu.Lock()
		now := time.Now()
		kept := p.idle[:0]
		for _, pc := range p.idle {
			if p.healthy(pc, now) {
				kept = append(kept, pc)
			} else {
				p.discardLocked(pc.c)
			}
		}
		clear(p.idle[len(kept):])
		p.idle = kept
		if len(p.idle) == 0 || p.closed {
			p.cleaning = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		t.Reset(every)
	}
}

// discardLocked closes c (in the background: a daemon child may take a
// moment to exit) and frees its slot.
func (p *Pool) discardLocked(c *Conn) {
	p.open--
	p.stats.Discarded++
	p.closing.Add(1)
	go func() {
		defer p.closing.Done()
		c.Close()
	}()
	p.wakeLocked()
	p.drainedLocked()
}

// wakeLocked wakes the oldest waiting Get.
func (p *Pool) wakeLocked() {
	if len(p.waiters) > 0 {
		close(p.waiters[0])
		p.waiters = p.waiters[1:]
	}
}

// Do runs f with a connection from the pool and gives it back.
func (p *Pool) Do(ctx context.Context, f func(*Conn) error) error {
	c, err := p.Get(ctx)
	if err != nil {
		return err
	}
	defer p.Put(c)
	return f(c)
}

// Stats returns the pool's counters.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Open, s.Idle, s.InUse = p.open, len(p.idle), len(p.inUse)
	return s
}

// Close stops the pool handing out connections (Get returns
// ErrPoolClosed), ends the dials in flight (their context is cancelled;
// a connection dialled all the same is closed), closes the idle ones,
// and waits until every connection in use has been given back with Put
// (and is closed then), or until ctx is done: then the connections still
// in use are closed, which fails their operations, and Close returns
// ctx.Err(). Either way it returns once every connection is closed
// (daemon children reaped) and every dial has returned.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.closeDials()
	for _, pc := range p.idle {
		p.discardLocked(pc.c)
	}
	p.idle = nil
	for _, w := range p.waiters {
		close(w)
	}
	p.waiters = nil
	p.drainedLocked()
	p.mu.Unlock()
	select {
	case <-p.drained:
	case <-ctx.Done():
		p.mu.Lock()
		for c := range p.inUse {
			delete(p.inUse, c) // a later Put of it does nothing
			p.discardLocked(c)
		}
		p.mu.Unlock()
		// Dials in flight were ended when the pool closed: their slots
		// are freed as soon as they return.
		<-p.drained
		p.closing.Wait()
		return ctx.Err()
	}
	p.closing.Wait()
	return nil
}
