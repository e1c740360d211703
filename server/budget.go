package server

import (
	"fmt"

	"github.com/nixwire/nixwire/wire"
)

// DefaultMaxRequest is the default Server.MaxRequest. The largest
// requests Nix's clients send are lists of store paths (about 60–100
// bytes each on the wire): QueryValidPaths or QuerySubstitutablePaths of
// a closure, 64 MiB is more than half a million paths.
const DefaultMaxRequest = 64 << 20

// overMaxRequest is the error of a request past its budget (wire.Budget):
// all connections share the server's memory, where Nix's daemon forks a
// process per connection, so what one request's decoder holds is bounded.
func overMaxRequest(_ string, max int64) error {
	return fmt.Errorf("%w: a request over %d bytes (Server.MaxRequest)", wire.ErrTooLarge, max)
}
