// Package trace is a transparent proxy for the Nix daemon protocol that
// reports what passes through it.
//
// A [Proxy] accepts client connections, dials the real daemon for each, and
// forwards the bytes unchanged in both directions. Beside the forwarding,
// each direction hands a copy of what it forwarded to a bounded queue that
// a decoder reads: it follows the handshake (versions, features, the
// daemon's version and trust), then each operation (its request, the
// STDERR frames, the reply, and the size and SHA-256 of every stream:
// framed uploads, raw NARs found with the NAR scanner, STDERR_READ and
// STDERR_WRITE data) at the negotiated protocol, and sends each as an
// [Event] to a [Sink] (JSON lines or text). Stream contents are never
// reported.
//
// Forwarding never waits for the decoder. If the decoder falls more than
// Proxy.MaxQueue bytes behind in a direction, the proxy reports it once and
// stops decoding that connection; when the decoder meets something it
// cannot decode (an unknown op, a malformed message), it reports it once
// and stops too. Forwarding goes on in both cases.
package trace
