// Package server serves the Nix worker protocol: it is what lets a Go
// program stand where nix-daemon stands, in front of a store of its own (a
// cache, an access-controlling proxy, a test double).
//
// A Server accepts connections on any net.Listener (ListenUnix makes the
// usual unix socket), performs the daemon's side of the handshake for
// clients from protocol 1.18 (the floor of Nix's own daemon) up to the
// version it is configured with, and then reads one operation after the
// other. Each operation is looked up in the generated op tables at the
// negotiated protocol, decoded, and dispatched through the generated
// handler surface of package messages; the reply is encoded at the same
// protocol. The Nix-specific framing around each operation lives here:
//
//   - the log channel (STDERR frames): a handler logs through the Logger of
//     its context (LoggerFrom), which forwards lines, activities and
//     results to the client the way Nix's TunnelLogger does — queued until
//     the operation starts work, downgraded to plain lines for clients
//     older than 1.20;
//   - errors: an error a handler returns reaches the client as one
//     STDERR_ERROR in the client's format (structured from 1.26, a message
//     and exit status before) and the connection stays usable; an error
//     while reading the request is sent twice and the connection is closed,
//     exactly as nix-daemon does, so that Nix's client reports it;
//   - streams: a framed upload is always read to its terminator, even when
//     the handler fails, so that the connection stays in sync; uploads
//     pulled with STDERR_READ (1.21–1.22) and raw NARs (before 1.21/1.25)
//     are read the same way; a NAR sent after a reply is streamed, never
//     buffered.
//
// Every connection is isolated: its reads are bounded by the limits of the
// generated decoders and each request by MaxRequest, an idle connection is closed after IdleTimeout, a
// client that stops reading its reply is given up after WriteTimeout, a
// panic in a handler ends only that connection, and at most MaxConns are
// served at once. Shutdown stops accepting, lets running operations finish
// until its context is done, then closes what is left.
package server
