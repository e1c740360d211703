package client

import "fmt"

// Default limits; see Limits.
const (
	// DefaultMaxFrame bounds one STDERR frame: a log line, an activity, a
	// result, an error with its traces, a chunk of STDERR_WRITE data. Real
	// daemons send frames of a few hundred bytes (a long build log line
	// or an error with traces: a few KiB; ExportPath data: 64 KiB chunks).
	DefaultMaxFrame = 1 << 20
	// DefaultMaxReply bounds one reply. The largest replies are lists of
	// store paths (about 100 bytes each on the wire): QueryAllValidPaths
	// of a store of a million paths, or QueryMissing of a large closure.
	DefaultMaxReply = 128 << 20
)

// Limits bound the memory a broken or hostile daemon can make the client
// hold: every STDERR frame and every reply is read from the connection
// with a byte budget, so that what is decoded from it (strings, lists,
// traces) is bounded too. The budget counts the bytes the client reads
// from the connection while decoding the value, which may include up to
// one read buffer (32 KiB) of what follows it, so a value within 32 KiB of
// the limit may be refused. A value over the limit fails the operation
// with an error matching ErrTooLarge and closes the Conn. The NAR of
// NarFromPath is streamed and not limited. Zero fields take the defaults.
type Limits struct {
	// MaxFrame bounds one STDERR frame (default DefaultMaxFrame).
	MaxFrame int64
	// MaxReply bounds one reply (default DefaultMaxReply).
	MaxReply int64
}

// withDefaults fills in the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxFrame <= 0 {
		l.MaxFrame = DefaultMaxFrame
	}
	if l.MaxReply <= 0 {
		l.MaxReply = DefaultMaxReply
	}
	return l
}

// overLimits is the error of a value past its budget (wire.Budget).
func overLimits(what string, max int64) error {
	return fmt.Errorf("%w: %s over %d bytes (Options.Limits)", ErrTooLarge, what, max)
}
