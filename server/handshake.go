package server

import (
	"errors"
	"fmt"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// MinClientVersion is the oldest client protocol the server accepts: 1.18,
// the floor of Nix's own daemon (WorkerProto::minimum).
const MinClientVersion = wire.Version(1<<8 | 18)

// ErrClientTooOld is returned (and logged) for a client whose protocol is
// older than MinClientVersion. Nix's daemon refuses such clients the same
// way: it closes the connection right after the version exchange.
var ErrClientTooOld = errors.New("server: the Nix client version is too old")

// ErrProtocol matches errors from a client that does not speak the worker
// protocol (a wrong magic number or an impossible version).
var ErrProtocol = errors.New("server: protocol error")

// Hello is what the handshake established about a client.
type Hello struct {
	// Proto is the negotiated protocol: the lower of the two versions and,
	// from 1.38, the features both sides offered.
	Proto wire.Proto
	// ClientVersion is the version the client announced.
	ClientVersion wire.Version
	// ClientFeatures are the features the client offered (≥ 1.38).
	ClientFeatures wire.Features
}

// handshake performs the daemon's side of the worker handshake up to, not
// including, the startup log session:
//
//  1. reads WORKER_MAGIC_1 and answers WORKER_MAGIC_2 with our version;
//  2. reads the client's version and keeps min(client, ours); a client
//     below MinClientVersion is refused;
//  3. from 1.38, reads the client's features, sends ours, and keeps the
//     intersection;
//  4. reads the obsolete post-handshake fields and sends the Nix version
//     string (≥ 1.33) and the trusted flag (≥ 1.35).
func handshake(r *wire.Reader, w *wire.Writer, s *Server, trusted bool) (Hello, error) {
	var h Hello
	var hello messages.WorkerClientHello
	if err := hello.DecodeWire(r, wire.Proto{}); err != nil {
		return h, protoErr("client hello", err)
	}
	ours := s.version()
	if err := (&messages.WorkerServerHello{Version: uint32(ours)}).EncodeWire(w, wire.Proto{Version: ours}); err != nil {
		return h, err
	}
	if err := w.Flush(); err != nil {
		return h, err
	}
	var cv messages.WorkerClientVersion
	if err := cv.DecodeWire(r, wire.Proto{}); err != nil {
		return h, protoErr("client version", err)
	}
	h.ClientVersion = wire.Version(cv.Version)
	if cv.Version > 0xffff || h.ClientVersion.Major() != 1 {
		return h, fmt.Errorf("%w: client protocol version %#x (major must be 1)", ErrProtocol, cv.Version)
	}
	p := wire.Proto{Version: min(ours, h.ClientVersion)}
	if p.Version < MinClientVersion {
		return h, fmt.Errorf("%w: it speaks protocol %s, the server needs at least %s", ErrClientTooOld, h.ClientVersion, MinClientVersion)
	}
	if p.AtLeast(1, 38) {
		var theirs messages.FeatureSet
		if err := theirs.DecodeWire(r, p); err != nil {
			return h, protoErr("client features", err)
		}
		h.ClientFeatures = wire.NewFeatures(theirs.Features...)
		offer := wire.NewFeatures(s.Features...)
		if err := (&messages.FeatureSet{Features: offer.Names()}).EncodeWire(w, p); err != nil {
			return h, err
		}
		if err := w.Flush(); err != nil {
			return h, err
		}
		p.Features = offer.Intersect(h.ClientFeatures)
	}
	var post messages.ClientPostHandshake
	if err := post.DecodeWire(r, p); err != nil {
		return h, protoErr("client post-handshake", err)
	}
	// Only what the version has: the Nix version string from 1.33, the
	// trusted flag from 1.35.
	var info messages.ClientHandshakeInfo
	if p.AtLeast(1, 33) {
		info.DaemonVersion = s.nixVersion()
	}
	if p.AtLeast(1, 35) {
		info.Trusted = messages.TrustedFlagNotTrusted
		if trusted {
			info.Trusted = messages.TrustedFlagTrusted
		}
	}
	if err := info.EncodeWire(w, p); err != nil {
		return h, err
	}
	h.Proto = p
	return h, nil
}

// protoErr wraps a decode error of the handshake so that it matches
// ErrProtocol as well as the wire error.
func protoErr(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrProtocol, what, err)
}
