package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
)

// fakeDialer dials the fake daemon over in-memory pipes, keeping the
// daemon's ends so that a test can hang up on a client.
type fakeDialer struct {
	d     *clienttest.Daemon
	mu    sync.Mutex
	ends  []net.Conn
	dials int
}

func (f *fakeDialer) dial(ctx context.Context) (*client.Conn, error) {
	c, s := net.Pipe()
	f.mu.Lock()
	f.ends = append(f.ends, s)
	f.dials++
	f.mu.Unlock()
	go func() { f.d.Serve(s); s.Close() }()
	return client.HandshakeContext(ctx, c, client.Options{})
}

func newFakePool(t *testing.T, opt client.PoolOptions) (*client.Pool, *fakeDialer) {
	f := &fakeDialer{d: &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}}
	p := client.NewPool(f.dial, opt)
	t.Cleanup(func() { p.Close(context.Background()) })
	return p, f
}

func TestPoolMaxOpenAndWaiting(t *testing.T) {
	p, f := newFakePool(t, client.PoolOptions{MaxOpen: 2})
	a, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx(t), 100*time.Millisecond)
	defer cancel()
	if _, err := p.Get(short); err != context.DeadlineExceeded {
		t.Fatalf("Get with all in use: %v, want DeadlineExceeded", err)
	}
	got := make(chan *client.Conn)
	go func() {
		c, err := p.Get(ctx(t))
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	time.Sleep(20 * time.Millisecond)
	p.Put(a)
	if c := <-got; c != a {
		t.Fatalf("the waiting Get got %p, want the Conn put back (%p)", c, a)
	}
	checkUsable(t, a)
	p.Put(a)
	p.Put(b)
	s := p.Stats()
	if f.dials != 2 || s.Open != 2 || s.Idle != 2 || s.InUse != 0 || s.Waits < 1 || s.Reused != 1 {
		t.Fatalf("dials %d, stats %+v", f.dials, s)
	}
}

func TestPoolNeverReusesFailed(t *testing.T) {
	p, f := newFakePool(t, client.PoolOptions{MaxOpen: 2})
	c, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	// An op the fake does not serve makes it hang up.
	c.OptimiseStore(ctx(t))
	p.Put(c)
	c2, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if c2 == c || f.dials != 2 {
		t.Fatalf("failed Conn reused (dials %d)", f.dials)
	}
	checkUsable(t, c2)
	p.Put(c2)

	// The daemon hangs up on an idle Conn: the pool notices before
	// handing it out.
	f.mu.Lock()
	f.ends[1].Close()
	f.mu.Unlock()
	for c2.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	c3, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if c3 == c2 {
		t.Fatal("a Conn whose daemon hung up was handed out")
	}
	checkUsable(t, c3)
	p.Put(c3)
}

func TestPoolIdleLimits(t *testing.T) {
	p, f := newFakePool(t, client.PoolOptions{MaxOpen: 3, MaxIdle: 1, MaxIdleTime: 50 * time.Millisecond})
	var cs []*client.Conn
	for range 3 {
		c, err := p.Get(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	for _, c := range cs {
		p.Put(c)
	}
	if s := p.Stats(); s.Idle != 1 || s.Open != 1 || s.Discarded != 2 {
		t.Fatalf("stats %+v, want one kept idle", s)
	}
	time.Sleep(80 * time.Millisecond)
	c, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.dials != 4 {
		t.Fatalf("an expired idle Conn was reused (dials %d)", f.dials)
	}
	p.Put(c)
}

func TestPoolCloseDrains(t *testing.T) {
	p, _ := newFakePool(t, client.PoolOptions{})
	c, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- p.Close(ctx(t)) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with a Conn in use", err)
	default:
	}
	if _, err := p.Get(ctx(t)); !errors.Is(err, client.ErrPoolClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	checkUsable(t, c) // still the caller's until Put
	p.Put(c)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if c.Err() == nil {
		t.Fatal("the Conn put back after Close is still open")
	}

	// A Close whose context ends closes what is still in use.
	p2, _ := newFakePool(t, client.PoolOptions{})
	c2, err := p2.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx(t), 50*time.Millisecond)
	defer cancel()
	if err := p2.Close(short); err != context.DeadlineExceeded || c2.Err() == nil {
		t.Fatalf("Close with a Conn kept: %v, Conn.Err %v", err, c2.Err())
	}
}

// TestPoolConcurrent: 16 goroutines share a pool of 3 that keeps all 3
// idle between uses (with the default MaxIdle of 2, a third connection is
// closed when it is put back while two wait idle, and dialled again later,
// as database/sql does), so nothing is dialled beyond the 3.
func TestPoolConcurrent(t *testing.T) {
	p, f := newFakePool(t, client.PoolOptions{MaxOpen: 3, MaxIdle: 3})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				err := p.Do(ctx(t), func(c *client.Conn) error {
					_, err := c.IsValidPath(ctx(t), testPath)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if s := p.Stats(); f.dials > 3 || s.Open > 3 {
		t.Fatalf("dials %d, stats %+v", f.dials, s)
	}
}

func TestDaemonPool(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		sock, _ := startSocket(t, d)
		path, err := d.AddToStore(ctx(t), "nixwire-pool", []byte("pooled\n"))
		if err != nil {
			t.Fatal(err)
		}
		p := client.NewPool(func(ctx context.Context) (*client.Conn, error) {
			return client.Dial(ctx, "unix://"+sock, client.Options{})
		}, client.PoolOptions{MaxOpen: 3})
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- p.Do(ctx(t), func(c *client.Conn) error {
					info, err := c.QueryPathInfo(ctx(t), messages.StorePath(path))
					if err == nil && (info == nil || string(info.Path) != path) {
						err = fmt.Errorf("%d: %+v", i, info)
					}
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		s := p.Stats()
		if err := p.Close(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if s.Dials > 3 {
			t.Fatalf("stats %+v", s)
		}
		t.Logf("stats %+v", s)
	})
}

func TestPoolCloseEndsDials(t *testing.T) {
	// A dial in flight when the pool closes: its context ends, Close
	// waits for it, and a connection it made all the same is closed,
	// never handed out.
	for _, ignoresCtx := range []bool{false, true} {
		t.Run(fmt.Sprintf("dial-ignores-ctx=%v", ignoresCtx), func(t *testing.T) {
			f := &fakeDialer{d: &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}}
			started, release := make(chan struct{}), make(chan struct{})
			p := client.NewPool(func(ctx context.Context) (*client.Conn, error) {
				close(started)
				if ignoresCtx {
					<-release
				} else {
					<-ctx.Done()
				}
				return f.dial(context.Background())
			}, client.PoolOptions{})
			type got struct {
				c   *client.Conn
				err error
			}
			gets := make(chan got, 1)
			go func() { c, err := p.Get(ctx(t)); gets <- got{c, err} }()
			<-started
			short, cancel := context.WithTimeout(ctx(t), 50*time.Millisecond)
			defer cancel()
			closed := make(chan error, 1)
			go func() { closed <- p.Close(short) }()
			if ignoresCtx {
				time.Sleep(100 * time.Millisecond)
				select {
				case err := <-closed:
					t.Fatalf("Close returned (%v) while a dial was in flight", err)
				default:
				}
				close(release)
			}
			var g got
			within(t, 3*time.Second, "Get whose dial the Close ended", func() { g = <-gets })
			if g.c != nil || !errors.Is(g.err, client.ErrPoolClosed) {
				t.Errorf("Get = %v, %v; want ErrPoolClosed", g.c, g.err)
			}
			within(t, 3*time.Second, "Close with a dial in flight", func() { <-closed })
			if s := p.Stats(); s.Open != 0 {
				t.Errorf("after Close: %+v", s)
			}
		})
	}
}

func TestPoolFailedDialDuringClose(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	p := client.NewPool(func(ctx context.Context) (*client.Conn, error) {
		close(started)
		<-release
		return nil, errors.New("dial failed")
	}, client.PoolOptions{})
	go p.Get(ctx(t))
	<-started
	closed := make(chan error, 1)
	go func() { closed <- p.Close(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	var err error
	within(t, 3*time.Second, "Close after the only dial failed", func() { err = <-closed })
	if err != nil {
		t.Fatal(err)
	}
}

func TestPoolIdleExpiresUnasked(t *testing.T) {
	// Idle connections past MaxIdleTime are closed without any Get or
	// Put to notice them (each is a daemon process).
	p, _ := newFakePool(t, client.PoolOptions{MaxIdleTime: 20 * time.Millisecond})
	c, err := p.Get(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	p.Put(c)
	for deadline := time.Now().Add(3 * time.Second); p.Stats().Idle != 0 || c.Err() == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("3 s later the idle Conn is still there: %+v, Err %v", p.Stats(), c.Err())
		}
	}
	// The pool goes on: a new connection, kept idle again.
	c2, err := p.Get(ctx(t))
	if err != nil || c2 == c {
		t.Fatalf("Get after expiry: %p %v", c2, err)
	}
	checkUsable(t, c2)
	p.Put(c2)
}
