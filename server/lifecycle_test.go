package server

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// gateHandler blocks IsValidPath until release is closed, counting calls
// that are running.
type gateHandler struct {
	messages.UnimplementedWorkerHandler
	release chan struct{}
	running atomic.Int32
	panicky bool
}

func (h *gateHandler) IsValidPath(ctx context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	if h.panicky {
		panic("handler bug")
	}
	h.running.Add(1)
	defer h.running.Add(-1)
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &messages.IsValidPathReply{Valid: true}, nil
}

func listen(t *testing.T, s *Server) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "socket")
	l, err := ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve: %v, want ErrServerClosed", err)
		}
	})
	return sock
}

func dial(t *testing.T, sock string) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialUnix(ctx, sock, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestShutdownWaitsForRunningOps(t *testing.T) {
	h := &gateHandler{release: make(chan struct{})}
	s := &Server{Handler: messages.NewWorkerDispatcher(h)}
	sock := listen(t, s)
	busy := dial(t, sock)
	// The idle connection is a raw one after the handshake, so that the
	// test can watch it being closed without sending an op (which could
	// reach the server before Shutdown does and then wait at the gate).
	idle, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// By hand: nixwire's client would read the connection in the
	// background (and close it at EOF) while the test reads it.
	shakeHands(t, idle, wire.V(1, 38))
	result := make(chan error, 1)
	go func() {
		_, err := busy.IsValidPath(context.Background(), validPath)
		result <- err
	}()
	for h.running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// The idle connection is closed at once; new ones are refused.
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("an idle connection survived Shutdown: read gave %v", err)
	}
	for {
		if _, err := net.Dial("unix", sock); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while an op was running", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(h.release)
	if err := <-result; err != nil {
		t.Errorf("the running op failed: %v", err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	h := &gateHandler{release: make(chan struct{})}
	defer close(h.release)
	s := &Server{Handler: messages.NewWorkerDispatcher(h)}
	sock := listen(t, s)
	c := dial(t, sock)
	go c.IsValidPath(context.Background(), validPath)
	for h.running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the context's deadline", err)
	}
}

// TestMaxConns: connections beyond the limit wait; they are served once
// others end, and nothing is refused or lost.
func TestMaxConns(t *testing.T) {
	h := &gateHandler{release: make(chan struct{})}
	s := &Server{Handler: messages.NewWorkerDispatcher(h), MaxConns: 3}
	sock := listen(t, s)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := client.DialUnix(ctx, sock, client.Options{})
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_, err = c.IsValidPath(ctx, validPath)
			errs <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	if got := h.running.Load(); got > 3 {
		t.Errorf("%d ops running with MaxConns 3", got)
	}
	close(h.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	s := &Server{Handler: messages.NewWorkerDispatcher(&testHandler{}), IdleTimeout: 50 * time.Millisecond}
	c := dial(t, listen(t, s))
	time.Sleep(200 * time.Millisecond)
	if _, err := c.IsValidPath(context.Background(), validPath); err == nil {
		t.Error("an idle connection outlived IdleTimeout")
	}
}

func TestIdleTimeoutBoundsTheRequest(t *testing.T) {
	// A client that sends an op code, or half a request, and stalls is
	// closed after IdleTimeout too: it must not hold its MaxConns slot.
	s := &Server{Handler: messages.NewWorkerDispatcher(&testHandler{}), IdleTimeout: 100 * time.Millisecond, MaxConns: 1}
	sock := listen(t, s)
	for _, half := range []bool{false, true} {
		nc, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		r, w, _ := shakeHands(t, nc, 0x126)
		w.Uint64(uint64(messages.OpIsValidPath))
		if half {
			w.Uint64(uint64(len(validPath))) // the length, not the path
		}
		w.Flush()
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, err := r.Uint64(); err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("half=%v: the server kept a stalled request's connection for 5 s", half)
				}
				break // closed by the server
			}
		}
		nc.Close()
	}
	// The slot is free again.
	if _, err := dial(t, sock).IsValidPath(context.Background(), validPath); err != nil {
		t.Fatal(err)
	}
}

func TestServeConnContextEndsOperation(t *testing.T) {
	// ServeConn's ctx ends the connection and the running operation's
	// context with it, so that ServeConn returns.
	h := &gateHandler{release: make(chan struct{})}
	defer close(h.release)
	s := &Server{Handler: messages.NewWorkerDispatcher(h)}
	cl, sv := net.Pipe()
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.ServeConn(ctx, sv)
		close(done)
	}()
	_, w, _ := shakeHands(t, cl, 0x126)
	go func() {
		w.Uint64(uint64(messages.OpIsValidPath))
		w.String(string(validPath))
		w.Flush()
	}()
	for deadline := time.Now().Add(5 * time.Second); h.running.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the operation did not start")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ServeConn did not return after its context ended")
	}
}

// emfileListener fails its first Accepts with EMFILE, as accept(2) does
// when the process is out of file descriptors.
type emfileListener struct {
	net.Listener
	fails int
}

func (l *emfileListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, &net.OpError{Op: "accept", Net: "unix", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

func TestServeOutOfFileDescriptors(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	l, err := ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(&testHandler{})
	done := make(chan error, 1)
	go func() { done <- s.Serve(&emfileListener{Listener: l, fails: 3}) }()
	if _, err := dial(t, sock).IsValidPath(context.Background(), validPath); err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrServerClosed) {
			t.Fatalf("Serve = %v, want ErrServerClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after Close")
	}
}

// TestHandlerPanic: a panicking handler costs its client an error, not
// the server; other connections go on.
func TestHandlerPanic(t *testing.T) {
	h := &gateHandler{release: make(chan struct{}), panicky: true}
	close(h.release)
	s := &Server{Handler: messages.NewWorkerDispatcher(h)}
	sock := listen(t, s)
	c := dial(t, sock)
	if _, err := c.IsValidPath(context.Background(), validPath); err == nil {
		t.Error("a panicking handler's op succeeded")
	}
	h.panicky = false
	if _, err := dial(t, sock).IsValidPath(context.Background(), validPath); err != nil {
		t.Errorf("after a panic on another connection: %v", err)
	}
}

// TestHostileClients: forged lengths, a client that stalls mid-request,
// one that never reads its replies, and garbage instead of a handshake
// neither crash the server nor hold up a well-behaved client.
func TestHostileClients(t *testing.T) {
	h := &narHandler{}
	s := &Server{Handler: messages.NewWorkerDispatcher(h), HandshakeTimeout: time.Second}
	sock := listen(t, s)
	hostile := []func(w *wire.Writer){
		func(w *wire.Writer) { w.Write([]byte("GET / HTTP/1.1\r\n\r\n")) },
		func(w *wire.Writer) { w.Uint64(0x6e697863) }, // hello, then a stall
	}
	var open []net.Conn
	for _, send := range hostile {
		nc, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, nc)
		w := wire.NewWriter(nc)
		send(w)
		w.Flush()
	}
	defer func() {
		for _, nc := range open {
			nc.Close()
		}
	}()
	// A 2^40-byte frame in a framed upload, and a 2^40-byte path.
	for _, forge := range []func(w *wire.Writer){
		func(w *wire.Writer) {
			w.Uint64(uint64(messages.OpAddToStoreNar))
			info := infoFor(validPath, nil)
			(&messages.AddToStoreNarRequest{Info: *info}).EncodeWire(w, wire.P(1, 38))
			w.Uint64(1 << 40)
		},
		func(w *wire.Writer) {
			w.Uint64(uint64(messages.OpIsValidPath))
			w.Uint64(1 << 40)
		},
	} {
		r, w, p := rawUnix(t, sock)
		forge(w)
		w.Flush()
		for {
			f, err := messages.DecodeStderr(r, p)
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("forged length: %v", err)
				}
				break
			}
			if _, ok := f.(*messages.StderrError); !ok {
				t.Errorf("forged length: frame %T", f)
			}
		}
	}
	if _, err := dial(t, sock).QueryAllValidPaths(context.Background()); err == nil {
		t.Error("QueryAllValidPaths of a narHandler should be unsupported")
	} else if !errors.Is(err, client.ErrUnsupported) {
		var de *client.DaemonError
		if !errors.As(err, &de) {
			t.Errorf("a well-behaved client after hostile ones: %v", err)
		}
	}
}

// rawUnix shakes hands at 1.38 by hand over the socket.
func rawUnix(t *testing.T, sock string) (*wire.Reader, *wire.Writer, wire.Proto) {
	t.Helper()
	nc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return shakeHands(t, nc, wire.V(1, 38))
}
