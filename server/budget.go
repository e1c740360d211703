package server

import (
	"fmt"
	"io"

	"github.com/nixwire/nixwire/wire"
)

// DefaultMaxRequest is the default Server.MaxRequest. The largest
// requests Nix's clients send are lists of store paths (about 60–100
// bytes each on the wire): QueryValidPaths or QuerySubstitutablePaths of
// a closure, 64 MiB is more than half a million paths.
const DefaultMaxRequest = 64 << 20

// requestBudget sits between the connection and its wire.Reader and
// bounds the bytes one request may take, so that what its decoder holds
// (strings, lists) is bounded too: all connections share the server's
// memory, where Nix's daemon forks a process per connection.
type requestBudget struct {
	src  io.Reader
	left int64 // no limit while negative
	max  int64
}

// limit gives the next request a budget of max bytes (none if max <= 0).
func (b *requestBudget) limit(max int64) {
	if max <= 0 {
		b.left = -1
		return
	}
	b.left, b.max = max, max
}

// unlimited lifts the budget: the request has been read, what follows is
// its data stream (bounded by its framing and the handler).
func (b *requestBudget) unlimited() { b.left = -1 }

// Read reads from src within the budget.
func (b *requestBudget) Read(p []byte) (int, error) {
	if b.left < 0 {
		return b.src.Read(p)
	}
	if b.left == 0 {
		return 0, fmt.Errorf("%w: a request over %d bytes (Server.MaxRequest)", wire.ErrTooLarge, b.max)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.src.Read(p)
	b.left -= int64(n)
	return n, err
}
