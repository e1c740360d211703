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
// # Connecting
//
// Dial connects by store URL, as Nix users write them: "daemon" (the
// system daemon's socket, NIX_DAEMON_SOCKET_PATH honoured), "unix://PATH",
// "ssh-ng://[USER@]HOST" (the system's ssh running `nix-daemon --stdio`
// on HOST), "stdio" (a `nix-daemon --stdio` child process), "auto"; with
// no URL, NIX_REMOTE says. Package client/stdio runs daemon children for
// it, and for callers who start their own. A Pool keeps connections for a
// service: every connection is a daemon process, so the pool is how many
// daemon workers the service uses.
//
// # Pipelining
//
// A Conn may be used from several goroutines, and their operations are
// pipelined: each request is written as soon as the previous one is out,
// without waiting for its reply, and the daemon answers them in order. A
// read loop reads the replies (and the log frames) for as long as the
// Conn lives, and hands each to its caller; a write loop writes the
// requests, in one flush when several are waiting. Start does the same
// from one goroutine: it sends an operation and returns a Pending to wait
// for; QueryPathInfos pipelines QueryPathInfo for many paths. An op whose
// data the read loop must answer (STDERR_READ) or that streams data after
// its request holds back the requests behind it until its data is out.
// With a long pipeline (256 or more replies due) the read loop reads in
// bulk: when reads come back small it pauses about a millisecond before
// the next, so that the replies the daemon writes one by one are taken
// many at a time instead of waking the client for each; the daemon still
// has that much work queued, so only latency within the batch changes.
// (Never half-close a connection to a daemon to mark the end of a
// pipeline: `nix-daemon --stdio` takes a hang-up as an interrupt.)
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
// hangs up. The Conn recognises the copy by protocol state — an error
// frame identical to the one that ended the previous operation — however
// the daemon's bytes were split into reads: the Conn is then closed, and
// the operations after the failed one fail with a *ConnError of their own,
// never with its error. When the copy had already arrived with the error,
// the *DaemonError has Closed set and matches ErrClosed.
//
// Any other failure — an I/O error, a malformed or oversized frame or
// reply (a *ProtocolError; Options.Limits bound what the client accepts),
// a daemon that hangs up — leaves the stream in an unknown state: the
// Conn closes the underlying connection and every operation in flight or
// later fails with a *ConnError, the one shape of "the connection is
// gone", matching ErrClosed and the cause.
//
// # Contexts
//
// Every operation honours its own context, whatever the others sharing
// the Conn do:
//
//   - a context done before the request was sent (already done when the
//     call starts, or done while the request waited behind others) makes
//     the operation return ctx.Err(); nothing is sent and the Conn is
//     unaffected;
//   - a context done while the request waits in the pipeline behind
//     others makes the operation return ctx.Err() at once; when the
//     daemon comes to it, the Conn is closed (the daemon must not work
//     for nobody, and only a hang-up interrupts it), failing the
//     operations behind it with a *ConnError;
//   - a context done while the daemon works on the operation (or while
//     its data streams) closes the Conn at once: the operation returns an
//     error matching both ErrClosed and ctx.Err(); the operations behind
//     it fail with a *ConnError that does not match ctx.Err().
//
// Closing means the connection is closed (and deadlines, if the
// connection supports them, are set in the past, so that blocked reads
// and writes return at once). To be interruptible, the io.ReadWriter must
// implement io.Closer or deadlines (net.Conn, *os.File and stdio.Conn
// do). A reader of data to send that blocks does not hold an operation
// whose context is done or whose Conn is closed (see DoStream).
//
// Close a Conn when done with it: its read and write loops run until
// then.
package client
