// Package client is a client of the Nix daemon ("worker") protocol.
//
// A connection starts with Handshake over any io.ReadWriter: a unix socket
// (DialUnix), the stdin/stdout of `nix-daemon --stdio`, an ssh channel. The
// handshake negotiates the protocol version (the lower of ours and the
// daemon's) and, from 1.38, the features both sides know; it reads the
// daemon's Nix version and trust flag, processes the daemon's startup
// messages and sends the client settings (SetOptions).
//
// Every operation then follows the same course: the client sends the op
// code and the request; the daemon answers with a STDERR session of log
// frames (passed to Options.Logger) that ends in STDERR_LAST, after which
// the reply follows, or in STDERR_ERROR, which Do returns as a
// *DaemonError. Conn.Do runs any operation of messages.WorkerOps with the
// generated request and reply types; Conn.DoStream also moves the data that
// some operations carry outside their messages (framed streams, data pulled
// or pushed through the STDERR channel, raw NARs). Typed methods such as
// IsValidPath, QueryPathInfo, AddToStore and NarFromPath wrap the common
// operations.
//
// # Extended protocols
//
// A daemon that extends the worker protocol (new ops, ops re-declared from
// a version on with more fields) is described by a schema with
// `protocol P extends nix.Worker`; its generated PProtocol goes in
// Options.Protocol, with Options.MaxVersion beyond DefaultVersion and the
// extension's Options.Features as needed. Conn.Call then runs any op of
// that protocol from its request alone (wire.Request's OpCode), looking it
// up extension first; the Conn's typed methods keep working, also where
// the extension re-declares their op with a derived reply.
//
// # Errors and the state of a connection
//
// A *DaemonError from an operation normally leaves the Conn usable: the
// daemon reported a failure of that operation and waits for the next one.
// Nix daemons close the connection, though, after an error raised while
// they were still reading the request (before "starting work": a malformed
// store path, an unknown op); such an error comes twice and then the daemon
// hangs up. The Conn recognises this: the *DaemonError then has Closed set
// and matches ErrClosed, and the Conn is closed.
//
// Any other failure — an I/O error, a malformed frame, a daemon that hangs
// up, a context that is done — leaves the stream in an unknown state: the
// Conn closes the underlying connection and every later call returns a
// *ConnError matching ErrClosed and the original cause.
//
// # Context cancellation
//
// When the context of an operation is done before the operation completes,
// the Conn is aborted: its connection is closed (and deadlines, if the
// connection supports them, are set in the past, so that blocked reads and
// writes return at once), the operation returns an error matching both
// ErrClosed and the context's error, and the Conn is unusable afterwards.
// To be interruptible, the io.ReadWriter must implement io.Closer or
// deadlines (net.Conn and *os.File do).
//
// A Conn may be used from several goroutines; operations are serialised.
package client
