package client_test

// Tests of concurrency and of hostile or awkward transports, against the
// fake daemon.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// within fails the test if f does not return within d (a generous bound:
// what is tested is that f returns at all, not how fast).
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// stallFirst answers IsValidPath with true, except that the first call
// waits for release (or for the client to hang up).
func stallFirst(started chan<- struct{}, release <-chan struct{}) clienttest.Handler {
	var once sync.Once
	return func(op *clienttest.Op) error {
		var req messages.IsValidPathRequest
		if err := op.Decode(&req); err != nil {
			return err
		}
		first := false
		once.Do(func() { first = true })
		if first {
			close(started)
			<-release
		}
		op.Last()
		return op.Reply(&messages.IsValidPathReply{Valid: true})
	}
}

func TestFakeBusyConnHonoursOwnContext(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: stallFirst(started, release)}}
	c, _ := fakeConn(t, d, client.Options{})

	slow := make(chan error, 1)
	go func() {
		_, err := c.IsValidPath(ctx(t), testPath)
		slow <- err
	}()
	<-started
	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	var err error
	within(t, 3*time.Second, "a caller queued behind a stalled op", func() { _, err = c.IsValidPath(short, testPath) })
	if err != context.DeadlineExceeded {
		t.Fatalf("queued caller: %v, want exactly its own context.DeadlineExceeded", err)
	}
	// The stalled op is not disturbed by the other caller giving up.
	close(release)
	if err := <-slow; err != nil {
		t.Fatalf("stalled op: %v", err)
	}
	// The op that was given up now reaches the daemon, for nobody: the
	// Conn hangs up rather than let the daemon work for no one. (Had the
	// request not been written yet when its caller gave up, nothing was
	// sent and the Conn stays usable.)
	deadline := time.Now().Add(3 * time.Second)
	for c.Err() == nil && c.InFlight() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if c.Err() == nil {
		if c.InFlight() > 0 {
			t.Fatal("the given-up op is still in flight, the Conn not broken")
		}
		t.Log("the given-up request had not been written: nothing was sent")
		checkUsable(t, c)
		return
	}
	var ce *client.ConnError
	if _, err := c.IsValidPath(ctx(t), testPath); !errors.As(err, &ce) || ce.Op != "IsValidPath" || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("after: %v", err)
	}
}

func TestFakeStalledOpOwnContext(t *testing.T) {
	// The op the daemon is stuck on fails with its own context, and
	// callers behind it fail with the connection (not with its context).
	started := make(chan struct{})
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: stallFirst(started, make(chan struct{}))}}
	c, _ := fakeConn(t, d, client.Options{})
	stalledCtx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	stalled := make(chan error, 1)
	go func() {
		_, err := c.IsValidPath(stalledCtx, testPath)
		stalled <- err
	}()
	<-started
	behind := make(chan error, 1)
	go func() {
		_, err := c.IsValidPath(ctx(t), testPath)
		behind <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	var err error
	within(t, 3*time.Second, "a stalled op", func() { err = <-stalled })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("stalled op: %v, want its Canceled and ErrClosed", err)
	}
	err = <-behind
	var ce *client.ConnError
	if !errors.As(err, &ce) || errors.Is(err, context.Canceled) {
		t.Fatalf("caller behind: %v, want a ConnError without the other's context error", err)
	}
}

// blockedUpload serves AddToStore by reading the request and the stream
// (which never comes); started is closed once the request is in.
func blockedUpload(started chan struct{}) *clienttest.Daemon {
	return &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: isValid,
		messages.OpAddToStore: func(op *clienttest.Op) error {
			op.Decode(&messages.AddToStoreRequest{})
			close(started)
			_, err := io.ReadAll(wire.NewFramedReader(op.R, 1<<20))
			return err
		},
	}}
}

func TestFakeBlockingUploadSource(t *testing.T) {
	for _, how := range []string{"context", "Close"} {
		t.Run(how, func(t *testing.T) {
			started := make(chan struct{})
			c, _ := fakeConn(t, blockedUpload(started), client.Options{})
			pr, pw := io.Pipe() // never written
			defer pw.Close()
			upCtx, cancelUp := context.WithCancel(ctx(t))
			defer cancelUp()
			// Another caller waits behind the upload (its request cannot be
			// written before the stream is out) and gives up: nothing of
			// it was sent. Then the upload is cancelled, or the Conn
			// closed.
			other := make(chan error, 1)
			go func() {
				<-started
				otherCtx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				_, err := c.IsValidPath(otherCtx, testPath)
				other <- err
				if how == "Close" {
					c.Close()
				} else {
					cancelUp()
				}
			}()
			var err error
			within(t, 5*time.Second, "AddToStore with a blocked source", func() {
				_, err = c.AddToStore(upCtx, "x", client.MethodFlat, nil, false, pr)
			})
			if !errors.Is(err, client.ErrClosed) || (how == "context") != errors.Is(err, context.Canceled) {
				t.Fatalf("AddToStore: %v", err)
			}
			if err := <-other; err != context.DeadlineExceeded {
				t.Fatalf("caller behind the upload: %v, want its own DeadlineExceeded", err)
			}
		})
	}
}

// countingReader counts its Reads and yields 1 KiB of data each, slowly.
type countingReader struct {
	reads atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	r.reads.Add(1)
	time.Sleep(time.Millisecond)
	return copy(p, make([]byte, 1024)), nil
}

func TestFakeNoReadsAfterReturn(t *testing.T) {
	// The daemon refuses the upload after its first frame, leaving the
	// stream unread: the call returns, and never reads the source again.
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpAddToStore: func(op *clienttest.Op) error {
			op.Decode(&messages.AddToStoreRequest{})
			n, _ := op.R.Uint64()
			op.R.Read(make([]byte, n))
			op.Error("no thanks")
			_, err := io.Copy(io.Discard, op.R)
			return err
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	src := &countingReader{}
	_, err := c.AddToStore(ctx(t), "x", client.MethodFlat, nil, false, src)
	var de *client.DaemonError
	if !errors.As(err, &de) || !de.Closed {
		t.Fatalf("AddToStore: %v", err)
	}
	n := src.reads.Load()
	time.Sleep(50 * time.Millisecond)
	if m := src.reads.Load(); m != n {
		t.Fatalf("the source was read %d times after AddToStore returned", m-n)
	}
}

func TestFakeNilInfo(t *testing.T) {
	c, _ := fakeConn(t, &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}, client.Options{})
	if err := c.AddToStoreNar(ctx(t), nil, strings.NewReader(""), client.ImportOptions{}); err == nil {
		t.Fatal("AddToStoreNar(nil info) succeeded")
	}
	if err := c.AddMultipleToStore(ctx(t), []client.PathToAdd{{}}, client.ImportOptions{}); err == nil {
		t.Fatal("AddMultipleToStore(nil info) succeeded")
	}
	checkUsable(t, c)
}

func TestFakeNilMessages(t *testing.T) {
	// A typed nil pointer would be encoded, or decoded into, on the
	// Conn's goroutines (a panic no caller could recover): refused first.
	c, _ := fakeConn(t, &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}, client.Options{})
	if err := c.SetOptions(ctx(t), nil); !errors.Is(err, wire.ErrInvalid) {
		t.Errorf("SetOptions(nil) = %v, want wire.ErrInvalid", err)
	}
	var reply *messages.IsValidPathReply
	if err := c.Do(ctx(t), messages.OpIsValidPath, &messages.IsValidPathRequest{Path: testPath}, reply); !errors.Is(err, wire.ErrInvalid) {
		t.Errorf("Do(nil *IsValidPathReply) = %v, want wire.ErrInvalid", err)
	}
	var req *messages.IsValidPathRequest
	if err := c.Do(ctx(t), messages.OpIsValidPath, req, nil); !errors.Is(err, wire.ErrInvalid) {
		t.Errorf("Do(nil *IsValidPathRequest) = %v, want wire.ErrInvalid", err)
	}
	checkUsable(t, c)
}

func TestFakePullAnsweredWhileBreaking(t *testing.T) {
	// The read loop answers a STDERR_READ on the Conn's writer; when the
	// Conn breaks meanwhile (here: the caller gives up while the daemon
	// does not read the answer), the write loop must not touch the writer
	// until the read loop is done with it (-race sees it).
	hold := make(chan struct{})
	defer close(hold)
	pulled := make(chan struct{})
	d := &clienttest.Daemon{Version: wire.V(1, 22), Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpAddToStoreNar: func(op *clienttest.Op) error {
			if err := op.Decode(&messages.AddToStoreNarRequest{}); err != nil {
				return err
			}
			op.Send(&messages.StderrRead{Len: 100})
			op.W.Flush()
			close(pulled)
			<-hold // never reads the answer: the client's write blocks
			return nil
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	cctx, cancel := context.WithCancel(ctx(t))
	done := make(chan error, 1)
	info := &messages.ValidPathInfo{Path: testPath, NarHash: "00", NarSize: 100}
	go func() {
		done <- c.AddToStoreNar(cctx, info, bytes.NewReader(make([]byte, 100)), client.ImportOptions{})
	}()
	<-pulled
	time.Sleep(50 * time.Millisecond) // the read loop is writing the answer now
	cancel()
	var err error
	within(t, 3*time.Second, "AddToStoreNar after its context ended", func() { err = <-done })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("AddToStoreNar: %v, want context.Canceled", err)
	}
	within(t, 3*time.Second, "the broken Conn's Close", func() { c.Close() })
}

// splitConn delivers the daemon's bytes so that no Read crosses offset at.
type splitConn struct {
	net.Conn
	at, pos int
}

func (s *splitConn) Read(p []byte) (int, error) {
	if s.pos < s.at && s.pos+len(p) > s.at {
		p = p[:s.at-s.pos]
	}
	n, err := s.Conn.Read(p)
	s.pos += n
	return n, err
}

func TestFakeSplitReadsNeverMixReplies(t *testing.T) {
	handlers := map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: isValid,
		messages.OpEnsurePath: func(op *clienttest.Op) error {
			op.Decode(&messages.EnsurePathRequest{})
			return op.Error("path does not exist")
		},
	}
	// How many bytes the daemon sends in the whole exchange, at most.
	const total = 600
	for i := 1; i < 2*total; i++ {
		// Structured errors (1.38), then rendered ones (1.25).
		at, version := i, wire.V(1, 38)
		if i >= total {
			at, version = i-total+1, wire.V(1, 25)
		}
		nc, _ := (&clienttest.Daemon{Version: version, Handlers: handlers}).Start()
		c, err := client.Handshake(&splitConn{Conn: nc, at: at}, client.Options{})
		if err != nil {
			t.Fatalf("split at %d: Handshake: %v", at, err)
		}
		// An error after starting work: one copy, the Conn stays usable.
		var de *client.DaemonError
		if err := c.EnsurePath(ctx(t), testPath); !errors.As(err, &de) || de.Closed {
			t.Fatalf("split at %d: EnsurePath: %v", at, err)
		}
		checkUsable(t, c)
		// An unknown op: two copies and a hang-up. The next op must fail
		// with the connection, never with the copy.
		if err := c.OptimiseStore(ctx(t)); !errors.As(err, &de) || de.Op != "OptimiseStore" {
			t.Fatalf("split at %d: OptimiseStore: %v", at, err)
		}
		_, err = c.IsValidPath(ctx(t), testPath)
		var ce *client.ConnError
		if !errors.As(err, &ce) || ce.Op != "IsValidPath" || errors.As(err, &de) {
			t.Fatalf("split at %d: the op after the hang-up: %v, want a ConnError of its own", at, err)
		}
		c.Close()

		// The same pipelined: the IsValidPath request is already out when
		// the error comes.
		nc, _ = (&clienttest.Daemon{Version: version, Handlers: handlers}).Start()
		c, err = client.Handshake(&splitConn{Conn: nc, at: at}, client.Options{})
		if err != nil {
			t.Fatalf("split at %d: Handshake: %v", at, err)
		}
		bad := c.Start(ctx(t), messages.OpOptimiseStore, nil, nil)
		var reply messages.IsValidPathReply
		next := c.Start(ctx(t), messages.OpIsValidPath, &messages.IsValidPathRequest{Path: testPath}, &reply)
		if err := bad.Wait(); !errors.As(err, &de) || de.Op != "OptimiseStore" {
			t.Fatalf("split at %d: pipelined OptimiseStore: %v", at, err)
		}
		if err := next.Wait(); !errors.As(err, &ce) || ce.Op != "IsValidPath" || errors.As(err, &de) {
			t.Fatalf("split at %d: pipelined op after the hang-up: %v", at, err)
		}
		c.Close()
	}
}

func TestFakeBadReply(t *testing.T) {
	// A malformed reply and a malformed frame have the same shape: a
	// *ConnError with a *ProtocolError.
	for _, tc := range []struct {
		name string
		send func(op *clienttest.Op)
	}{
		{"reply", func(op *clienttest.Op) { op.Last(); op.W.Uint64(2); op.W.Flush() }},
		{"frame", func(op *clienttest.Op) { op.W.Uint64(0x12345678); op.W.Flush() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
				messages.OpIsValidPath: func(op *clienttest.Op) error {
					op.Decode(&messages.IsValidPathRequest{})
					tc.send(op)
					return nil
				},
			}}
			c, _ := fakeConn(t, d, client.Options{})
			_, err := c.IsValidPath(ctx(t), testPath)
			var ce *client.ConnError
			var pe *client.ProtocolError
			if !errors.As(err, &ce) || !errors.As(ce.Err, &pe) || !errors.Is(err, client.ErrClosed) || pe.Offset == 0 {
				t.Fatalf("err = %#v, want a ConnError with a ProtocolError at an offset", err)
			}
		})
	}
}

func TestFakePipelinedCallers(t *testing.T) {
	// Many goroutines share a Conn; each gets its own answer.
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpQueryPathFromHashPart: func(op *clienttest.Op) error {
			var req messages.QueryPathFromHashPartRequest
			op.Decode(&req)
			op.Send(&messages.StderrNext{Message: req.HashPart + "\n"})
			op.Last()
			return op.Reply(&messages.QueryPathFromHashPartReply{Path: messages.StorePath("/nix/store/" + req.HashPart + "-x")})
		},
	}}
	var mu sync.Mutex
	logs := map[string]string{}
	logger := func(ctx context.Context, op string, f messages.Stderr) {
		mu.Lock()
		defer mu.Unlock()
		logs[ctx.Value(ctxKey{}).(string)] = op + ": " + f.(*messages.StderrNext).Message
	}
	c, _ := fakeConn(t, d, client.Options{Logger: logger})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := fmt.Sprintf("%032d", i)
			cx := context.WithValue(ctx(t), ctxKey{}, h)
			p, err := c.QueryPathFromHashPart(cx, h)
			if err != nil || p != messages.StorePath("/nix/store/"+h+"-x") {
				errs <- fmt.Errorf("%s: %s, %v", h, p, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for h, l := range logs {
		if l != "QueryPathFromHashPart: "+h+"\n" {
			t.Errorf("log of %s: %q", h, l)
		}
	}
}

type ctxKey struct{}

// hostileResult writes a STDERR_RESULT of n string fields of size bytes,
// from one buffer.
func hostileResult(op *clienttest.Op, n, size int) error {
	zeros := make([]byte, size)
	w := op.W
	w.Uint64(0x52534c54)
	w.Uint64(1)   // activity id
	w.Uint64(101) // build log line
	w.Uint64(uint64(n))
	for range n {
		w.Uint64(1) // FieldString
		w.Bytes(zeros)
	}
	return w.Flush()
}

func TestFakeLimits(t *testing.T) {
	serve := func(send func(op *clienttest.Op) error) *clienttest.Daemon {
		return &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
			messages.OpIsValidPath: func(op *clienttest.Op) error {
				op.Decode(&messages.IsValidPathRequest{})
				if err := send(op); err != nil {
					return nil // the client hung up, as it should
				}
				op.Last()
				return op.Reply(&messages.IsValidPathReply{Valid: true})
			},
			messages.OpQueryAllValidPaths: func(op *clienttest.Op) error {
				op.Last()
				paths := make([]messages.StorePath, 20000)
				for i := range paths {
					paths[i] = messages.StorePath(fmt.Sprintf("/nix/store/%032d-x", i))
				}
				op.Reply(&messages.QueryAllValidPathsReply{Paths: paths})
				return nil
			},
		}}
	}
	cases := []struct {
		name string
		send func(op *clienttest.Op) error
		opt  client.Limits
		ok   bool
	}{
		{"result 256 x 1 MiB", func(op *clienttest.Op) error { return hostileResult(op, 256, 1<<20) }, client.Limits{}, false},
		{"result 4 x 64 KiB", func(op *clienttest.Op) error { return hostileResult(op, 4, 64<<10) }, client.Limits{}, true},
		{"result 4 x 1 MiB, raised", func(op *clienttest.Op) error { return hostileResult(op, 4, 1<<20) }, client.Limits{MaxFrame: 8 << 20}, true},
		{"error with 1Mi traces", func(op *clienttest.Op) error {
			w := op.W
			w.Uint64(0x63787470)
			w.String("Error")
			w.Uint64(0)
			w.String("Error")
			w.String("boom")
			w.Uint64(0)
			w.Uint64(1 << 20)
			for range 1 << 20 {
				w.Uint64(0)
				w.String("")
			}
			return w.Flush()
		}, client.Limits{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := fakeConn(t, serve(tc.send), client.Options{Limits: tc.opt})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := c.IsValidPath(ctx(t), testPath)
			runtime.ReadMemStats(&after)
			if tc.ok {
				if err != nil {
					t.Fatalf("IsValidPath: %v", err)
				}
				return
			}
			var pe *client.ProtocolError
			if !errors.Is(err, client.ErrTooLarge) || !errors.Is(err, client.ErrClosed) || !errors.As(err, &pe) {
				t.Fatalf("IsValidPath: %v, want ErrTooLarge, a ProtocolError, and the Conn closed", err)
			}
			// Client and fake daemon together: the daemon's part is small.
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 16<<20 {
				t.Fatalf("%d MiB allocated reading a refused frame", grown>>20)
			}
		})
	}
	t.Run("reply", func(t *testing.T) {
		c, _ := fakeConn(t, serve(nil), client.Options{Limits: client.Limits{MaxReply: 256 << 10}})
		if _, err := c.QueryAllValidPaths(ctx(t)); !errors.Is(err, client.ErrTooLarge) {
			t.Fatalf("QueryAllValidPaths over MaxReply: %v", err)
		}
		c, _ = fakeConn(t, serve(nil), client.Options{})
		if paths, err := c.QueryAllValidPaths(ctx(t)); err != nil || len(paths) != 20000 {
			t.Fatalf("QueryAllValidPaths: %d, %v", len(paths), err)
		}
	})
}

func TestErrUnsupportedMatchesStdlib(t *testing.T) {
	if !errors.Is(client.ErrUnsupported, errors.ErrUnsupported) {
		t.Fatal("ErrUnsupported does not match errors.ErrUnsupported")
	}
	c, _ := fakeConn(t, &clienttest.Daemon{Version: wire.V(1, 34)}, client.Options{})
	err := c.Do(ctx(t), messages.OpAddPermRoot, &messages.AddPermRootRequest{Path: testPath, GCRoot: "/r"}, nil)
	if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, client.ErrUnsupported) {
		t.Fatalf("AddPermRoot at 1.34: %v", err)
	}
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
	_ = bytes.MinRead
}

func TestFakeBlockingPullSource(t *testing.T) {
	// At 1.22 the daemon pulls the NAR with STDERR_READ; a source that
	// never yields must not hold the call past its context.
	d := &clienttest.Daemon{Version: wire.V(1, 22), Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpAddToStoreNar: func(op *clienttest.Op) error {
			op.Decode(&messages.AddToStoreNarRequest{})
			op.Send(&messages.StderrRead{Len: 7})
			op.W.Flush()
			var data messages.StderrReadData
			return op.Decode(&data)
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	pr, pw := io.Pipe()
	defer pw.Close()
	short, cancel := context.WithTimeout(ctx(t), 300*time.Millisecond)
	defer cancel()
	info := &messages.ValidPathInfo{Path: testPath, NarHash: "00", NarSize: 1}
	var err error
	within(t, 3*time.Second, "AddToStoreNar with a blocked pulled source", func() {
		err = c.AddToStoreNar(short, info, pr, client.ImportOptions{})
	})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("AddToStoreNar: %v", err)
	}
}
