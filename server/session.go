package server

import (
	"context"
	"sync"
	"sync/atomic"
)

// Session is what a handler may know and keep about the connection its
// operation came on: an id that names the connection for the life of the
// process, whether the server trusts the client, and callbacks run when the
// connection ends (the hook for per-connection state such as Nix's
// temporary GC roots, which die with their client's connection).
type Session struct {
	id      uint64
	trusted bool

	mu      sync.Mutex
	closed  bool
	onClose []func()
}

// sessionIDs numbers sessions across every Server of the process, so that
// two servers sharing a store never give two connections the same id.
var sessionIDs atomic.Uint64

func newSession(trusted bool) *Session {
	return &Session{id: sessionIDs.Add(1), trusted: trusted}
}

type sessionKey struct{}

// SessionFrom returns the session of the connection serving ctx's
// operation, or nil when ctx does not come from a Server.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// ID returns the connection's id, unique within the process.
func (s *Session) ID() uint64 { return s.id }

// Trusted reports whether the server trusts the client (Server.Trust, or
// Server.Untrusted unset): what trust allows — skipping signature checks,
// for one — is the handler's to decide.
func (s *Session) Trusted() bool { return s.trusted }

// OnClose registers f to run once the connection has ended (after the
// contexts of its operations are cancelled), in registration order. If it
// has ended already, f runs at once.
func (s *Session) OnClose(f func()) {
	s.mu.Lock()
	if !s.closed {
		s.onClose = append(s.onClose, f)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	f()
}

// close runs the callbacks; later calls do nothing.
func (s *Session) close() {
	s.mu.Lock()
	fs := s.onClose
	s.onClose, s.closed = nil, true
	s.mu.Unlock()
	for _, f := range fs {
		f()
	}
}
