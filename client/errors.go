package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nixwire/nixwire/messages"
)

// ErrClosed is matched (under errors.Is) by the errors of operations on a
// Conn that is closed or broken, and by a *DaemonError after which the
// daemon closed the connection.
var ErrClosed = errors.New("client: connection closed")

// ErrUnsupported is matched by the error returned when an operation does
// not exist at the negotiated protocol (or needs data it was not given).
// Nothing is sent then, and the Conn stays usable. It matches
// errors.ErrUnsupported too.
var ErrUnsupported = fmt.Errorf("client: operation not supported (%w)", errors.ErrUnsupported)

// ErrTooLarge is matched (through the *ProtocolError of a *ConnError) when
// the daemon sent a STDERR frame or a reply larger than Options.Limits
// allow. The Conn is closed then: the rest of the value cannot be skipped
// safely.
var ErrTooLarge = errors.New("client: the daemon sent more than the limit allows")

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
	// raised before it started work on the op, which it sends twice:
	// Closed is set when the copy came with the error; when it comes
	// later, the Conn is closed then, as Conn.Err reports), or it
	// answered before it had read all the data the op sends, which leaves
	// the stream out of sync.
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

// ConnError is the one shape of "the connection is gone": the operation Op
// failed because the Conn is closed or broken. It matches ErrClosed and
// Err.
//
// Err is the cause: nil when the Conn was closed by Close; else an I/O
// error of the connection, a *ProtocolError (a malformed or oversized
// frame or reply, data the daemon should not have sent), an error matching
// io.ErrUnexpectedEOF (the daemon hung up), the context's error (this
// operation's context ended after its request was sent), or a
// *DaemonError after which the daemon hung up. When the connection broke
// because of another operation, Err describes that operation's failure
// but matches neither its context's error nor its *DaemonError: those
// belong to the other caller.
type ConnError struct {
	// Op is the operation that failed ("" for the handshake or Close).
	Op string
	// Err is the cause; nil when the Conn was closed by Close.
	Err error
}

// Error describes the failure.
func (e *ConnError) Error() string {
	if e.Err == nil {
		if e.Op != "" {
			return "client: " + e.Op + ": connection closed"
		}
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

// forOther returns the error that op, which did not cause e, reports for
// the Conn broken by e.
func (e *ConnError) forOther(op string) *ConnError {
	if e.Err == nil {
		return &ConnError{Op: op}
	}
	return &ConnError{Op: op, Err: foreign(e)}
}

// foreign hides the errors of another caller's operation that must not
// match under errors.Is for this one: its context's error and its
// *DaemonError. Other causes (I/O errors, protocol errors) are kept.
func foreign(e *ConnError) error {
	var de *DaemonError
	if errors.As(e.Err, &de) {
		open := *de
		open.Closed = false
		return &otherOpError{op: e.Op, msg: open.Error()}
	}
	if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		return &otherOpError{op: e.Op, msg: e.Err.Error()}
	}
	return e.Err
}

// otherOpError describes the failure of another operation that broke the
// connection, without matching it.
type otherOpError struct {
	op  string
	msg string
}

// Error says which operation broke the connection and how.
func (e *otherOpError) Error() string {
	if e.op == "" {
		return "the connection broke earlier: " + e.msg
	}
	return "the connection broke during an earlier " + e.op + ": " + e.msg
}
