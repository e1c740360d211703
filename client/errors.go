package client

import (
	"errors"
	"strings"

	"github.com/nixwire/nixwire/messages"
)

// ErrClosed is matched (under errors.Is) by the errors of operations on a
// Conn that is closed or broken, and by a *DaemonError after which the
// daemon closed the connection.
var ErrClosed = errors.New("client: connection closed")

// ErrUnsupported is matched by the error returned when an operation does
// not exist at the negotiated protocol (or needs data it was not given).
// Nothing is sent then, and the Conn stays usable.
var ErrUnsupported = errors.New("client: operation not supported")

// DaemonError is an error reported by the daemon (STDERR_ERROR).
type DaemonError struct {
	// Op is the name of the operation that failed; "" during the
	// handshake.
	Op string
	// Message is the error message as the daemon sent it. Nix wraps
	// store paths in ANSI escapes whatever the client's terminal; Error
	// strips them.
	Message string
	// Level is the error's verbosity level (protocol ≥ 1.26).
	Level messages.Verbosity
	// Traces are the error's trace lines, outermost first (≥ 1.26).
	Traces []string
	// Legacy reports the format of protocols before 1.26: a fully
	// rendered message (with its "error:" prefix) and an exit status.
	Legacy bool
	// Status is the exit status of the legacy format: 1 usually, 100-104
	// for build failures.
	Status uint32
	// Closed reports that the connection was closed after the error, and
	// the Conn with it: either the daemon hung up (it does after an error
	// raised before it started work on the op, which it sends twice), or
	// it answered before it had read all the data the op sends, which
	// leaves the stream out of sync.
	Closed bool
}

// Error returns the message without ANSI escapes, e.g.
// "nix-daemon: AddSignatures: path '/nix/store/…' is not valid".
func (e *DaemonError) Error() string {
	var b strings.Builder
	b.WriteString("nix-daemon: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(strings.TrimSpace(StripANSI(e.Message)))
	for _, t := range e.Traces {
		b.WriteString("\n  … ")
		b.WriteString(strings.TrimSpace(StripANSI(t)))
	}
	if e.Closed {
		b.WriteString(" (connection closed)")
	}
	return b.String()
}

// Is reports whether e matches target: ErrClosed when the daemon closed
// the connection after e.
func (e *DaemonError) Is(target error) bool { return target == ErrClosed && e.Closed }

// ConnError reports that a Conn is closed or broken: closed by Close, or
// broken during the operation Op by Err (an I/O error, a protocol error, an
// end of the connection, a context that was done, or a *DaemonError after
// which the daemon hung up). It matches ErrClosed and Err.
type ConnError struct {
	// Op is the operation during which the connection broke ("" for the
	// handshake or Close).
	Op string
	// Err is the cause; nil when the Conn was closed by Close.
	Err error
}

// Error describes the failure.
func (e *ConnError) Error() string {
	if e.Err == nil {
		return ErrClosed.Error()
	}
	if de, ok := e.Err.(*DaemonError); ok && de.Closed {
		return "client: " + de.Error()
	}
	s := "client: "
	if e.Op != "" {
		s += e.Op + ": "
	}
	return s + e.Err.Error() + " (connection closed)"
}

// Unwrap returns ErrClosed and the cause.
func (e *ConnError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrClosed}
	}
	return []error{ErrClosed, e.Err}
}

// ProtocolError reports that the daemon sent something this client cannot
// make sense of, such as an unknown STDERR frame code.
type ProtocolError struct {
	// Offset is the byte offset in the stream from the daemon.
	Offset int64
	// Msg describes the problem.
	Msg string
	// Err is the decoding error behind it, if any (a *wire.Error matching
	// wire.ErrInvalid, wire.ErrVersion, …).
	Err error
}

// Error describes the problem and where it was found.
func (e *ProtocolError) Error() string {
	return "protocol error at byte " + itoa(uint64(e.Offset)) + " from the daemon: " + e.Msg
}

// Unwrap returns the decoding error behind e, if any.
func (e *ProtocolError) Unwrap() error { return e.Err }
