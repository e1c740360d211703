package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/nixwire/nixwire/internal/acceptretry"
	"github.com/nixwire/nixwire/wire"
)

// DefaultVersion is the protocol version a Server offers unless its
// Version field says otherwise: 1.38, with the feature exchange.
const DefaultVersion = wire.Version(1<<8 | 38)

// DefaultNixVersion is the Nix version string a Server sends clients of
// 1.33 and later unless NixVersion says otherwise.
const DefaultNixVersion = "nixwire"

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("server: closed")

// A Server serves the Nix worker protocol on the connections it accepts.
// Set its fields before the first Serve; the zero values are sensible
// defaults except for Handler, which is required.
type Server struct {
	// Handler serves the operations: a generated dispatcher such as
	// messages.NewWorkerDispatcher(h), or a Dispatcher that wraps one.
	Handler Dispatcher

	// Version is the highest protocol version offered (default
	// DefaultVersion). Extended protocols offer more than 1.38.
	Version wire.Version
	// Features are the features offered at 1.38 and later.
	Features []string
	// NixVersion is the Nix version string sent at 1.33 and later
	// (default DefaultNixVersion).
	NixVersion string
	// Untrusted makes the handshake tell clients of 1.35 and later that
	// they are not trusted. By default they are told they are: the
	// socket's permissions decide who connects, as for the trusted users
	// of a root nix-daemon. What trust allows is the Handler's to enforce.
	Untrusted bool
	// Trust, if set, decides for each connection whether its client is
	// trusted (instead of Untrusted), e.g. by the peer's user (PeerUID),
	// as Nix's trusted-users does. It runs as each connection is
	// accepted, before the next one is: it must be quick.
	Trust func(nc net.Conn) bool

	// MaxConns is how many connections are served at once (default 64);
	// further ones wait in the listener's backlog until one ends.
	MaxConns int
	// IdleTimeout closes a connection that sends no operation for this long
	// (default 5 minutes; negative for none), or whose operation's request
	// has not arrived whole this long after the last one ended. It does
	// not bound an operation once its request has arrived.
	IdleTimeout time.Duration
	// MaxRequest bounds the bytes of one operation's request, its data
	// stream aside (default DefaultMaxRequest; negative for none). A
	// larger one fails with an error matching wire.ErrTooLarge, and the
	// connection ends, as after any request that does not decode.
	MaxRequest int64
	// HandshakeTimeout bounds the handshake (default 30 s).
	HandshakeTimeout time.Duration
	// WriteTimeout gives up a connection whose client has taken none of
	// what the server writes for this long (default 1 minute; negative for
	// none): a client that stops reading a reply, e.g. halfway through a
	// NAR, must not hold its slot for ever. The deadline is renewed as
	// long as the client takes data (every 64 KiB), so a slow client that
	// keeps reading is served however long its reply takes.
	WriteTimeout time.Duration

	// Log receives the server's own events: connections refused or broken,
	// handler panics. nil logs with slog.Default().
	Log *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closed    bool
	wg        sync.WaitGroup
	sem       chan struct{}
	quit      chan struct{}
	initOnce  sync.Once
}

// Dispatcher serves one operation of a connection: given the op code it
// has read, it reads the request through ex, runs the operation and sends
// the reply, as the generated dispatchers (*wire.Dispatcher) do. A
// Dispatcher of one's own can wrap a generated one, e.g. to refuse some
// ops or to log them.
type Dispatcher interface {
	Serve(ctx context.Context, code uint64, ex wire.Exchange) error
}

func (s *Server) version() wire.Version {
	if s.Version == 0 {
		return DefaultVersion
	}
	return s.Version
}

func (s *Server) nixVersion() string {
	if s.NixVersion == "" {
		return DefaultNixVersion
	}
	return s.NixVersion
}

// trusts decides whether the client on nc is trusted.
func (s *Server) trusts(nc net.Conn) bool {
	if s.Trust != nil {
		return s.Trust(nc)
	}
	return !s.Untrusted
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *Server) maxRequest() int64 {
	switch {
	case s.MaxRequest == 0:
		return DefaultMaxRequest
	case s.MaxRequest < 0:
		return 0
	}
	return s.MaxRequest
}

func (s *Server) idleTimeout() time.Duration {
	switch {
	case s.IdleTimeout == 0:
		return 5 * time.Minute
	case s.IdleTimeout < 0:
		return 0
	}
	return s.IdleTimeout
}

func (s *Server) writeTimeout() time.Duration {
	switch {
	case s.WriteTimeout == 0:
		return time.Minute
	case s.WriteTimeout < 0:
		return 0
	}
	return s.WriteTimeout
}

func (s *Server) handshakeTimeout() time.Duration {
	if s.HandshakeTimeout <= 0 {
		return 30 * time.Second
	}
	return s.HandshakeTimeout
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		n := s.MaxConns
		if n <= 0 {
			n = 64
		}
		s.sem = make(chan struct{}, n)
		s.quit = make(chan struct{})
	})
}

// ListenUnix listens on a unix socket at path, replacing a stale socket
// file left by a server that is gone, and makes it accessible to everyone
// (access is for the directory's permissions to decide, as for
// nix-daemon's socket).
func ListenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("server: %s: a server is already listening there", path)
		}
		os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		l.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	return l, nil
}

// Serve accepts connections on l and serves each in its own goroutine,
// at most MaxConns at once, until Shutdown or Close (then it returns
// ErrServerClosed) or until l fails. It closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	if s.Handler == nil {
		return errors.New("server: Server.Handler is nil")
	}
	if !s.track(l) {
		l.Close()
		return ErrServerClosed
	}
	defer s.untrack(l)
	s.init()
	var backoff acceptretry.Backoff
	for {
		select {
		case s.sem <- struct{}{}:
		case <-s.quit:
			return ErrServerClosed
		}
		nc, err := l.Accept()
		if err != nil {
			<-s.sem
			if s.isClosed() {
				return ErrServerClosed
			}
			if acceptretry.Retryable(err) {
				// Out of file descriptors, or a connection that went
				// away before it was accepted: wait and go on.
				if !backoff.Wait(s.quit) {
					return ErrServerClosed
				}
				continue
			}
			return err
		}
		backoff.Reset()
		c := s.newConn(nc)
		if c == nil {
			<-s.sem
			nc.Close()
			return ErrServerClosed
		}
		go func() {
			defer func() { <-s.sem }()
			c.serve()
		}()
	}
}

// ServeConn serves one connection, already accepted or made otherwise
// (a pipe, a spawned process's stdio), until the client hangs up or ctx is
// done; it closes nc. It does not count against MaxConns.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	c := s.newConn(nc)
	if c == nil {
		nc.Close()
		return
	}
	// ctx's end closes the connection and cancels the running
	// operation's context, so that a handler waiting on it returns.
	stop := context.AfterFunc(ctx, func() {
		nc.Close()
		c.cancel()
	})
	defer stop()
	c.serve()
}

// Shutdown stops the server gracefully: it closes the listeners, closes
// connections that wait for their next operation, and waits for running
// operations to finish; when ctx is done first, it closes the remaining
// connections, cancels the contexts of their operations and returns
// ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.shut()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for {
		if s.closeIdle() == 0 {
			s.wg.Wait()
			return nil
		}
		select {
		case <-ctx.Done():
			s.closeAll()
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// Close closes the listeners and every connection at once and cancels the
// contexts of running operations. Like Shutdown after its deadline, it
// does not wait for handlers that ignore their context.
func (s *Server) Close() error {
	s.shut()
	s.closeAll()
	return nil
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) track(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrack(l net.Listener) {
	s.mu.Lock()
	delete(s.listeners, l)
	s.mu.Unlock()
	l.Close()
}

func (s *Server) shut() {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		close(s.quit)
	}
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
}

// closeIdle closes the connections between operations and returns how
// many are still busy.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	busy := 0
	for c := range s.conns {
		if !c.closeIfIdle() {
			busy++
		}
	}
	return busy
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.nc.Close()
		c.cancel()
	}
}
